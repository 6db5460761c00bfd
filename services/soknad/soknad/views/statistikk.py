"""The local statistics page (charts with their numbers as tables) and its CSV downloads."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from shared.domain.kalender import OSLO
from shared.domain.labels import KATEGORI_LABELS
from shared.domain.trusts import hf_navn
from shared.platform.auth.principal import Principal, Role
from shared.platform.errors import ValidationFailed
from shared.platform.katalog import Organisasjon
from shared.platform.web.charts import Serie, format_number, horizontal_bar_chart, stacked_bar_chart
from shared.platform.web.deps import org_of
from shared.platform.web.naboer import forwarded_credentials
from shared.platform.web.templating import format_date
from soknad import behandlingstid
from soknad.deps import CurrentPrincipal, Db
from soknad.handlers import register, statistikk
from soknad.handlers.statistikk import RESULTAT_LABELS, Statistikk, month_label
from soknad.views.common import render

router = APIRouter(include_in_schema=False)

# Short names for legends and column heads; the full names are in the table captions' context.
KATEGORI_KORT = {
    "off_label": "Off-label",
    "godkjenningsfritak": "Godkjenningsfritak",
    "unntaksordningen": "Unntaksordningen",
    "tilgangsordningen": "Tilgangsordningen",
}


def _hvem(p: Principal, org: Organisasjon) -> str:
    if p.has(*register.STATISTICS_ACCESS):
        return f"alle søknader i {hf_navn(p.hf)}"
    if p.has(Role.LEDER) and p.enhet:
        return f"søknader til {org.enhet_navn(p.enhet)}"
    return "vedtatte søknader"


def _charts(stat: Statistikk, hvem: str) -> dict[str, Markup]:
    months = [month_label(m) for m in stat.maneder]
    periode = f"{format_date(stat.periode.fra)} til {format_date(stat.periode.til)}"
    total = stat.totalt()
    see_table = "Tallene står i tabellen under diagrammet."
    kategori = stacked_bar_chart(
        chart_id="diagram-kategori",
        title="Søknader per måned etter ordning",
        desc=f"Stablede stolper: {hvem} sendt per måned fra {periode}, fordelt på ordning. "
        f"Til sammen {total} søknader. {see_table}",
        categories=months,
        series=[
            Serie(KATEGORI_KORT.get(k, k), [stat.per_kategori(m)[k] for m in stat.maneder])
            for k in KATEGORI_LABELS
        ],
        empty_text="Ingen søknader sendt i perioden.",
    )
    resultat = stacked_bar_chart(
        chart_id="diagram-utfall",
        title="Søknader per måned etter utfall",
        desc=f"Stablede stolper: {hvem} sendt per måned fra {periode}, fordelt på utfall så langt. "
        f"Til sammen {total} søknader. {see_table}",
        categories=months,
        series=[
            Serie(label, [stat.per_resultat(m)[r] for m in stat.maneder])
            for r, label in RESULTAT_LABELS.items()
        ],
        empty_text="Ingen søknader sendt i perioden.",
    )
    enheter = [e for e in stat.enheter if e.behandlingstid.antall]
    tid = stat.behandlingstid
    tid_text = (
        f"Samlet median {format_number(round(tid.median, 1))} dager og 90-persentil "
        f"{format_number(round(tid.p90, 1))} dager for {tid.antall} vedtak."
        if tid.median is not None and tid.p90 is not None
        else "Ingen vedtak i perioden."
    )
    behandlingstid = horizontal_bar_chart(
        chart_id="diagram-behandlingstid",
        title="Behandlingstid per enhet",
        desc=f"Liggende stolper: median og 90-persentil for dager fra sendt til vedtak, per enhet, "
        f"for vedtak fattet fra {periode}. {tid_text} {see_table}",
        categories=[e.navn for e in enheter],
        series=[
            Serie("Median", [_round(e.behandlingstid.median) for e in enheter]),
            Serie("90-persentil", [_round(e.behandlingstid.p90) for e in enheter]),
        ],
        unit="dager",
        empty_text="Ingen vedtak i perioden.",
    )
    return {"kategori": kategori, "utfall": resultat, "behandlingstid": behandlingstid}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@router.get("/statistikk", name="statistikk")
async def statistikk_page(request: Request, p: CurrentPrincipal, db: Db) -> Response:
    register.require_statistics_access(p)
    values = {k: request.query_params.get(k, "") for k in ("fra", "til")}
    today = db.clock.now().astimezone(OSLO).date()
    errors: list[dict[str, str]] = []
    stat = None
    try:
        periode = statistikk.parse_period(values, today=today)
    except ValidationFailed as exc:
        errors = exc.extra["errors"]
    else:
        stat = await statistikk.compute(db, p, periode, org=org_of(request))
    steg = await behandlingstid.hent(request.app.state.beslutning, forwarded_credentials(request))
    csv_query = (
        urlencode({"fra": stat.periode.fra.isoformat(), "til": stat.periode.til.isoformat()}) if stat else ""
    )
    return render(
        request,
        "statistikk.html",
        {
            "verdier": values,
            "errors": errors,
            "field_errors": {e["field"]: e["message"] for e in errors},
            "stat": stat,
            "diagrammer": _charts(stat, _hvem(p, org_of(request))) if stat else {},
            "hvem": _hvem(p, org_of(request)),
            "kategori_kort": KATEGORI_KORT,
            "resultat_labels": RESULTAT_LABELS,
            "month_label": month_label,
            "desimal": statistikk.decimal,
            "csv_lenke": lambda tabell: f"{request.url_for('statistikk_csv')}?tabell={tabell}&{csv_query}",
            "tabeller": statistikk.TABELLER,
            "steg": steg,
            "steg_labels": behandlingstid.STEG_LABELS,
        },
        status_code=422 if errors else 200,
    )


@router.get("/statistikk.csv", name="statistikk_csv")
async def statistikk_csv(request: Request, p: CurrentPrincipal, db: Db) -> Response:
    """`?tabell=maned|behandlingstid|enhet&fra=ÅÅÅÅ-MM-DD&til=ÅÅÅÅ-MM-DD`: one table per file."""
    register.require_statistics_access(p)
    tabell = statistikk.parse_tabell(request.query_params.get("tabell", "maned"))
    periode = statistikk.parse_period(
        {k: request.query_params.get(k, "") for k in ("fra", "til")},
        today=db.clock.now().astimezone(OSLO).date(),
    )
    stat = await statistikk.compute(db, p, periode, org=org_of(request))
    filename = f"statistikk-{tabell}-{p.hf}-{periode.fra.isoformat()}-{periode.til.isoformat()}.csv"
    return Response(
        content=statistikk.to_csv(stat, tabell).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )
