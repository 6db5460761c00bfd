"""Pages of the national overview: search across all trusts, variation between them, the flagged
combinations, published group decisions, statistics, and the public page (no login)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup
from starlette.datastructures import QueryParams

from oversikt import handlers, utgivelse
from oversikt.api import require_utvalg
from oversikt.deps import CurrentPrincipal, Db, Settings, lenient_filter
from oversikt.domain import (
    AVSLUTNING_LABELS,
    BIVIRKNING_LABELS,
    EFFEKT_LABELS,
    FLYT_LABELS,
    KATEGORI_LABELS,
    KJONN_LABELS,
    MAX_SIDE,
    STATUS_LABELS,
    TYPE_LABELS,
    UTFALL_LABELS,
    Sokefilter,
)
from oversikt.icd10 import KAPITTEL_NAVN, kapittel_label
from oversikt.schemas import SakRead
from oversikt.signifikans import BESKRIVELSE, MIN_VEDTAK
from oversikt.statistikk import KATEGORI_KORT, RESULTAT_LABELS, Statistikk
from oversikt.store import Tider, VariasjonRad
from shared.domain.trusts import HELSEFORETAK, RHF_NAVN, hf_navn
from shared.platform.errors import ValidationFailed
from shared.platform.web.charts import Serie, format_number, horizontal_bar_chart, stacked_bar_chart
from shared.platform.web.params import parse_optional_int

router = APIRouter(include_in_schema=False)


def _render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    base = {
        "status_labels": STATUS_LABELS,
        "type_labels": TYPE_LABELS,
        "kategori_labels": KATEGORI_LABELS,
        "utfall_labels": UTFALL_LABELS,
        "flyt_labels": FLYT_LABELS,
        "kjonn_labels": KJONN_LABELS,
        "effekt_labels": EFFEKT_LABELS,
        "avslutning_labels": AVSLUTNING_LABELS,
        "bivirkning_labels": BIVIRKNING_LABELS,
        "rhf_navn": RHF_NAVN,
        "kapitler": {nr: f"{kapittel_label(nr)} {navn}" for nr, navn in KAPITTEL_NAVN.items()},
        "helseforetak": sorted(HELSEFORETAK.values(), key=lambda hf: hf.navn),
        "desimal": _desimal,
        "prosent": _prosent,
        "p_verdi": _p_verdi,
    }
    f = context.get("f")
    if isinstance(f, Sokefilter):
        # The form shows what the user typed where it was refused, beside the message, not an empty field.
        refused = {e["field"] for e in context.get("errors", []) if e["field"] in Sokefilter.model_fields}
        context = {
            **context,
            "f": {**f.model_dump(), **{k: request.query_params.get(k, "") for k in refused}},
        }
    return request.app.state.templates.render(request, name, {**base, **context}, status_code=status_code)


def _desimal(value: float | None) -> str:
    return "–" if value is None else format_number(round(value, 1))


def _p_verdi(value: float) -> str:
    return "< 0,001" if value < 0.001 else f"{value:.3f}".replace(".", ",")


def _prosent(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)} %"


def _side(params: Mapping[str, str], errors: list[dict[str, str]]) -> int:
    try:
        return parse_optional_int(params.get("side"), field="side", minimum=1, maximum=MAX_SIDE) or 1
    except ValidationFailed:
        # The page number is in the address, not in a field of the form: nothing to link the message to.
        message = f"Sidetallet i adressen må være et helt tall fra 1 til {MAX_SIDE}."
        errors.append({"field": "", "message": message})
        return 1


def _sok_query(f: Sokefilter, side: int) -> str:
    """One page of one search, as a query string (page 1 has no `side`)."""
    return urlencode({**f.query_string(), **({"side": str(side)} if side > 1 else {})})


def _til_sak(f: Sokefilter, side: int) -> str:
    """The same, carried on a case's link in the results, for its page's way back."""
    query = _sok_query(f, side)
    return "?" + urlencode({"sok": query}) if query else ""


@router.get("/", name="nasjonal_sok")
async def sok(request: Request, p: CurrentPrincipal, db: Db, settings: Settings) -> Response:
    f, errors = lenient_filter(request.query_params)
    side = _side(request.query_params, errors)
    treff = await handlers.search(db, p, f, side=side, per_side=settings.page_size)
    total = min(treff.totalt, handlers.store.TELLEGRENSE)
    sider = max(1, -(-total // settings.page_size))
    if side > sider:
        # A page past the end (an old link, or a search that now finds fewer): its last page.
        side = sider
        treff = await handlers.search(db, p, f, side=side, per_side=settings.page_size)

    query = urlencode(f.query_string())
    return _render(
        request,
        "sok.html",
        {
            "f": f,
            "errors": errors,
            "field_errors": {e["field"]: e["message"] for e in errors},
            "rader": [SakRead.of(r) for r in treff.rader],
            "totalt": total,
            "over_grensen": treff.over_grensen,
            "holdt_tilbake": treff.holdt_tilbake,
            "side": side,
            "sider": sider,
            "forrige": f"?{_sok_query(f, side - 1)}" if side > 1 else None,
            "neste": f"?{_sok_query(f, side + 1)}" if side < sider else None,
            "csv_lenke": f"{request.url_for('saker_eksport')}?{query}",
            "json_lenke": f"{request.url_for('saker')}?{query}",
            "tilbake": _til_sak(f, side),
        },
        status_code=422 if errors else 200,
    )


@router.get("/sak/{lopenummer}", name="nasjonal_sak")
async def sak(request: Request, lopenummer: str, p: CurrentPrincipal, db: Db) -> Response:
    # Back to the search it came from: its filters read anew (and only those), never a raw address.
    sok = QueryParams(request.query_params.get("sok", "")[:2000])
    f, _ = lenient_filter(sok)
    s = SakRead.of(await handlers.get(db, p, lopenummer))
    return _render(request, "sak.html", {"s": s, "tilbake": f"?{_sok_query(f, _side(sok, []))}"})


def _variasjonsgrupper(rader: list[VariasjonRad]) -> list[dict[str, Any]]:
    grupper: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rader:
        g = grupper.setdefault(
            (r.virkestoff, r.icd10_kode),
            {
                "virkestoff": r.virkestoff,
                "icd10_kode": r.icd10_kode,
                "icd10_tekst": r.icd10_tekst,
                "rader": [],
            },
        )
        g["rader"].append(r)
    for g in grupper.values():
        g["vedtak"] = sum(r.vedtak for r in g["rader"])
        g["helseforetak"] = len(g["rader"])
    return sorted(grupper.values(), key=lambda g: (-g["vedtak"], g["virkestoff"], g["icd10_kode"]))


def _variasjon_diagram(v: handlers.Variasjon) -> Markup:
    med = [h for h in v.per_hf if h.vedtak]
    return horizontal_bar_chart(
        chart_id="diagram-variasjon",
        title="Andel innvilget per helseforetak",
        desc=(
            f"Liggende stolper: andel av vedtakene som ble innvilget (med eller uten vilkår), i prosent, for "
            f"{len(med)} helseforetak med til sammen {v.vedtak} vedtak. Tallene står også i tabellen under."
        ),
        categories=[f"{hf_navn(h.hf)} ({h.vedtak} vedtak)" for h in med],
        series=[Serie("Andel innvilget", [round((h.andel_innvilget or 0) * 100) for h in med])],
        unit="%",
        scale_max=100,
        empty_text="Ingen vedtak for dette utvalget.",
    )


@router.get("/variasjon", name="variasjon")
async def variasjon(request: Request, p: CurrentPrincipal, db: Db, settings: Settings) -> Response:
    f, errors = lenient_filter(request.query_params)
    context: dict[str, Any] = {
        "f": f,
        "errors": errors,
        "field_errors": {e["field"]: e["message"] for e in errors},
    }
    valgt = bool(request.query_params.get("virkestoff") or request.query_params.get("atc"))
    if valgt and not errors:
        try:
            require_utvalg(f)
        except ValidationFailed as exc:
            errors.append({"field": exc.field or "virkestoff", "message": exc.message})
            context["field_errors"] = {e["field"]: e["message"] for e in errors}
    if valgt and not errors:
        v = await handlers.variasjon_for(db, p, f)
        context.update(
            v=v,
            gjentatte=await handlers.gjentatte(db, p, f, terskel=settings.gjentatte_terskel),
            terskel=settings.gjentatte_terskel,
            diagram=_variasjon_diagram(v),
            metode=BESKRIVELSE,
            min_vedtak=MIN_VEDTAK,
            tester={t.hf: t for t in v.vurdering.tester},
            api_lenke=f"{request.url_for('variasjon_utvalg')}?{urlencode(f.query_string())}",
        )
    else:
        periode = Sokefilter(fra=f.fra, til=f.til) if not errors else Sokefilter()
        context["grupper"] = _variasjonsgrupper(await handlers.variasjon(db, p, periode))[:200]
    return _render(request, "variasjon.html", context, status_code=422 if errors else 200)


@router.get("/flagg", name="flagg_side")
async def flagg(request: Request, p: CurrentPrincipal, db: Db, settings: Settings) -> Response:
    f, errors = lenient_filter(request.query_params)
    resultat = await handlers.flagg(
        db, p, Sokefilter(fra=f.fra, til=f.til), terskel=settings.gjentatte_terskel
    )
    return _render(
        request,
        "flagg.html",
        {
            "f": f,
            "errors": errors,
            "field_errors": {e["field"]: e["message"] for e in errors},
            "flagg": resultat,
            "metode": BESKRIVELSE,
            "min_vedtak": MIN_VEDTAK,
        },
        status_code=422 if errors else 200,
    )


@router.get("/gruppevedtak", name="gruppevedtak_liste")
async def gruppevedtak(request: Request, p: CurrentPrincipal, db: Db) -> Response:
    f, errors = lenient_filter(request.query_params)
    side = _side(request.query_params, errors)
    total, rows = await handlers.gruppevedtak(db, p, f, side=side, per_side=50)
    sider = max(1, -(-total // 50))
    query = f.query_string()
    return _render(
        request,
        "gruppevedtak.html",
        {
            "f": f,
            "errors": errors,
            "field_errors": {e["field"]: e["message"] for e in errors},
            "vedtak": rows,
            "totalt": total,
            "side": side,
            "sider": sider,
            "forrige": "?" + urlencode({**query, "side": side - 1}) if side > 1 else None,
            "neste": "?" + urlencode({**query, "side": side + 1}) if side < sider else None,
        },
        status_code=422 if errors else 200,
    )


@router.get("/gruppevedtak/{lopenummer}", name="gruppevedtak_side")
async def ett_gruppevedtak(request: Request, lopenummer: str, p: CurrentPrincipal, db: Db) -> Response:
    s = await handlers.ett_gruppevedtak(db, p, lopenummer)
    g = s.gruppevedtak or {}
    # The scope travels as JSON: its dates as ISO text, shown as Norwegian dates.
    datoer = {k: _dato(g.get(k)) for k in ("gyldig_fra", "gyldig_til")}
    return _render(request, "gruppevedtak_en.html", {"s": s, "datoer": datoer})


def _dato(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _diagrammer(stat: Statistikk, hvem: str) -> dict[str, Markup]:
    mk, mr = stat.tabeller["maned_kategori"], stat.tabeller["maned_resultat"]
    see = "Tallene står i tabellen under diagrammet."
    skjult = (
        " Der en del av en stolpe er skjult, er den grå; står det «skjult» over en stolpe, er hele "
        "måneden skjult."
        if stat.prikket
        else ""
    )
    diagrammer = {
        "kategori": stacked_bar_chart(
            chart_id="diagram-kategori",
            title="Søknader per måned etter ordning",
            desc=f"Stablede stolper: {hvem} per måned de ble sendt, fordelt på ordning.{skjult} {see}",
            categories=stat.maneder,
            series=[
                Serie(label, [r.verdier[i] for r in mk.rader]) for i, (_, label) in enumerate(mk.kolonner)
            ],
            totals=[r.total for r in mk.rader],
            empty_text="Ingen søknader i perioden.",
        ),
        "utfall": stacked_bar_chart(
            chart_id="diagram-utfall",
            title="Søknader per måned etter utfall",
            desc=f"Stablede stolper: {hvem} per måned de ble sendt, fordelt på utfall.{skjult} {see}",
            categories=stat.maneder,
            series=[
                Serie(label, [r.verdier[i] for r in mr.rader]) for i, (_, label) in enumerate(mr.kolonner)
            ],
            totals=[r.total for r in mr.rader],
            empty_text="Ingen søknader i perioden.",
        ),
    }
    med = [t for t in stat.tider if t.tider is not None]
    diagrammer["behandlingstid"] = horizontal_bar_chart(
        chart_id="diagram-behandlingstid",
        title="Behandlingstid: kvartiler og median",
        desc=(
            "Liggende stolper: første kvartil, median og tredje kvartil for dager fra sendt til vedtak, per "
            f"{'region' if stat.prikket else 'helseforetak'}. {see}"
        ),
        categories=[t.etikett for t in med],
        series=[
            Serie("Første kvartil", [_rund(t.tider, "q1") for t in med]),
            Serie("Median", [_rund(t.tider, "median") for t in med]),
            Serie("Tredje kvartil", [_rund(t.tider, "q3") for t in med]),
        ],
        unit="dager",
        empty_text="Ingen vedtak i perioden.",
    )
    return diagrammer


def _rund(t: Tider | None, felt: str) -> float | None:
    value = None if t is None else getattr(t, felt)
    return None if value is None else round(value, 1)


@router.get("/statistikk", name="statistikk")
async def statistikk(request: Request, p: CurrentPrincipal, db: Db) -> Response:
    f, errors = lenient_filter(request.query_params)
    stat = await handlers.statistikk(db, p, f)
    query = urlencode(f.query_string())
    return _render(
        request,
        "statistikk.html",
        {
            "f": f,
            "errors": errors,
            "field_errors": {e["field"]: e["message"] for e in errors},
            "stat": stat,
            "diagrammer": _diagrammer(stat, "søknader fra alle helseforetak"),
            "kategori_kort": KATEGORI_KORT,
            "resultat_labels": RESULTAT_LABELS,
            "csv_lenke": lambda tabell: (
                f"{request.url_for('statistikk_csv')}?{urlencode({'tabell': tabell})}&{query}"
            ),
            "json_lenke": f"{request.url_for('statistikk_api')}?{query}",
        },
        status_code=422 if errors else 200,
    )


@router.get("/offentlig", name="offentlig")
async def offentlig(request: Request, db: Db) -> Response:
    """Without login: the statistics of one year with small cells suppressed, and the open data."""
    years = await handlers.offentlige_ar(db)
    ar = request.query_params.get("ar", "")
    errors: list[dict[str, str]] = []
    if ar and ar not in years:
        errors.append({"field": "ar", "message": "Velg et år fra listen."})
        ar = ""
    ar = ar or (years[0] if years else "")
    utgitt = await handlers.offentlig_statistikk(db, ar) if ar else handlers.tom_utgivelse()
    stat = utgitt.statistikk
    return _render(
        request,
        "offentlig.html",
        {
            "ar": ar,
            "years": years,
            "errors": errors,
            "stat": stat,
            "fastsatt_at": utgitt.fastsatt_at,
            "publiseres_fra": utgivelse.FORSTE_DAG_TEKST,
            "diagrammer": _diagrammer(stat, f"søknader fra alle helseforetak i {ar}"),
            "csv_lenke": lambda tabell: (
                f"{request.url_for('offentlig_csv')}?{urlencode({'ar': ar, 'tabell': tabell})}"
            ),
            "json_lenke": f"{request.url_for('offentlig_api')}?{urlencode({'ar': ar})}",
        },
        status_code=422 if errors else 200,
    )
