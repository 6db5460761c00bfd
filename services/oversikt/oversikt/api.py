"""JSON API of the national overview (the `nasjonal` role and every trust's komité and fagdirektør;
summary data only, no personal data), the published group decisions, and the public open data."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from oversikt import handlers, utgivelse
from oversikt.deps import CurrentPrincipal, Db, Filter, Settings
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
    Presedenssok,
)
from oversikt.schemas import (
    FlaggRead,
    GruppevedtakRead,
    GruppevedtakSide,
    SakRead,
    SakSide,
    VariasjonDetalj,
    VariasjonRead,
)
from oversikt.statistikk import Statistikk, excel_tekst
from shared.domain.presedenssvar import PresedensSvar
from shared.domain.trusts import RHF_NAVN
from shared.platform.errors import ValidationFailed
from shared.platform.web.params import parse_int
from shared.platform.web.problems import field_name, norwegian_message

router = APIRouter(prefix="/api", tags=["nasjonal oversikt"])

LISENS = {
    "navn": "Norsk lisens for offentlige data (NLOD) 2.0",
    "kortnavn": "NLOD 2.0",
    "url": "https://data.norge.no/nlod/no/2.0",
}

CSV_KOLONNER: tuple[tuple[str, str], ...] = (
    ("lopenummer", "Løpenummer"), ("hf", "HF-kode"), ("hf_navn", "Helseforetak"), ("rhf", "Region"),
    ("type", "Gjelder"), ("kategori", "Ordning"), ("legemiddel_navn", "Legemiddel"),
    ("virkestoff", "Virkestoff"), ("atc", "ATC"), ("icd10", "ICD-10"), ("icd10_tekst", "Diagnose"),
    ("status", "Status"), ("utfall", "Vedtak"), ("vurderingsflyt", "Beslutningsnivå"),
    ("periode", "Sendt"), ("vedtak_periode", "Vedtatt"), ("behandlingstid_dager", "Behandlingstid (dager)"),
    ("aldersgruppe", "Aldersgruppe"), ("kjonn", "Kjønn"), ("gruppe_storrelse", "Gruppestørrelse"),
    ("kostnadsband", "Kostnad (kr)"), ("generaliseringsniva", "Vist grovere"), ("endret", "Endret"),
    ("etterregistrert", "Etterregistrert"), ("effekt", "Effekt"), ("fortsetter", "Fortsetter"),
    ("avslutningsarsak", "Avslutningsårsak"), ("bivirkningsgrad", "Bivirkninger"),
)  # fmt: skip
"""The export's columns and their headings: for a person in Norwegian Excel (the JSON API has the codes)."""
CSV_ETIKETTER: dict[str, dict[str, str]] = {
    "rhf": RHF_NAVN, "type": TYPE_LABELS, "kategori": KATEGORI_LABELS, "status": STATUS_LABELS,
    "utfall": UTFALL_LABELS, "vurderingsflyt": FLYT_LABELS, "kjonn": KJONN_LABELS, "effekt": EFFEKT_LABELS,
    "avslutningsarsak": AVSLUTNING_LABELS, "bivirkningsgrad": BIVIRKNING_LABELS,
}  # fmt: skip


def _csv_verdi(key: str, value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool) or key == "generaliseringsniva":  # a level: 0 is as sent
        return "ja" if value else "nei"
    if key in CSV_ETIKETTER:
        return CSV_ETIKETTER[key].get(str(value), value)
    return excel_tekst(value) if isinstance(value, str) else value


def csv_response(text: str, filename: str, *, lisens: str | None = None) -> Response:
    # A byte-order mark so that Excel reads the file as UTF-8 (æøå).
    headers = {"content-disposition": f'attachment; filename="{filename}"'}
    if lisens:
        headers["link"] = f'<{lisens}>; rel="license"'  # RFC 8288: the open data's licence, machine-readable
    return Response(
        content=("\ufeff" + text).encode("utf-8"), media_type="text/csv; charset=utf-8", headers=headers
    )


def saker_csv(rader: list[SakRead]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([heading for _, heading in CSV_KOLONNER])
    for rad in rader:
        data = rad.model_dump(mode="json")
        writer.writerow([_csv_verdi(k, data[k]) for k, _ in CSV_KOLONNER])
    return out.getvalue()


@router.get(
    "/saker",
    summary="Search the national summaries; newest first (month sent, then løpenummer); rows k-anonymised",
)
async def saker(
    p: CurrentPrincipal,
    db: Db,
    f: Filter,
    settings: Settings,
    side: Annotated[str, Query(description="Page number, from 1.")] = "1",
    per_side: Annotated[int | None, Query(ge=1, le=500)] = None,
) -> SakSide:
    nummer = parse_int(side, field="side", minimum=1, maximum=MAX_SIDE)
    size = per_side or settings.page_size
    treff = await handlers.search(db, p, f, side=nummer, per_side=size)
    return SakSide(
        totalt=min(treff.totalt, handlers.store.TELLEGRENSE),
        totalt_over_grensen=treff.over_grensen,
        side=nummer,
        per_side=size,
        holdt_tilbake=treff.holdt_tilbake,
        saker=[SakRead.of(r) for r in treff.rader],
    )


@router.get("/saker.csv", summary="The search's matches as CSV (semicolons), k-anonymised as on the page")
async def saker_eksport(p: CurrentPrincipal, db: Db, f: Filter) -> Response:
    treff = await handlers.eksport(db, p, f)
    return csv_response(saker_csv([SakRead.of(r) for r in treff.rader]), "nasjonale-saker.csv")


@router.get("/saker/{lopenummer}", summary="One case's latest summary (k-anonymised)")
async def sak(lopenummer: str, p: CurrentPrincipal, db: Db) -> SakRead:
    return SakRead.of(await handlers.get(db, p, lopenummer))


@router.get("/variasjon", name="variasjon_api", summary="Decisions per substance, indication and trust")
async def variasjon(p: CurrentPrincipal, db: Db, f: Filter) -> list[VariasjonRead]:
    return [VariasjonRead.of(r) for r in await handlers.variasjon(db, p, f)]


@router.get(
    "/variasjon/utvalg",
    summary="One combination (virkestoff + icd10, or atc + kapittel): each trust and region, and the test",
)
async def variasjon_utvalg(p: CurrentPrincipal, db: Db, f: Filter) -> VariasjonDetalj:
    handlers.require_leser(p)
    require_utvalg(f)
    return VariasjonDetalj.of(await handlers.variasjon_for(db, p, f))


def require_utvalg(f: Any) -> None:
    if not ((f.virkestoff or f.atc) and (f.icd10 or f.kapittel)):
        raise ValidationFailed(
            "Velg et virkestoff (eller en ATC-gruppe) og en diagnose (ICD-10-kode eller kapittel).",
            field="virkestoff" if not (f.virkestoff or f.atc) else "icd10",
        )


@router.get("/flagg", summary="Combinations where trusts disagree, and repeated single-patient applications")
async def flagg(p: CurrentPrincipal, db: Db, f: Filter, settings: Settings) -> FlaggRead:
    return FlaggRead.of(await handlers.flagg(db, p, f, terskel=settings.gjentatte_terskel))


@router.get("/gruppevedtak", summary="Every trust's published (granted) group decisions")
async def gruppevedtak(
    request: Request,
    p: CurrentPrincipal,
    db: Db,
    f: Filter,
    side: Annotated[str, Query(description="Page number, from 1.")] = "1",
) -> GruppevedtakSide:
    nummer = parse_int(side, field="side", minimum=1, maximum=MAX_SIDE)
    total, rows = await handlers.gruppevedtak(db, p, f, side=nummer, per_side=50)
    return GruppevedtakSide(
        totalt=total,
        side=nummer,
        per_side=50,
        gruppevedtak=[
            GruppevedtakRead.of(s, str(request.url_for("gruppevedtak_side", lopenummer=s.lopenummer)))
            for s in rows
        ],
    )


@router.get("/gruppevedtak/{lopenummer}", summary="One published group decision (stable per løpenummer)")
async def ett_gruppevedtak(
    request: Request, lopenummer: str, p: CurrentPrincipal, db: Db
) -> GruppevedtakRead:
    s = await handlers.ett_gruppevedtak(db, p, lopenummer)
    return GruppevedtakRead.of(s, str(request.url_for("gruppevedtak_side", lopenummer=s.lopenummer)))


@router.get(
    "/statistikk",
    name="statistikk_api",
    summary="Volume, outcomes, processing times and follow-up (counts only)",
)
async def statistikk(p: CurrentPrincipal, db: Db, f: Filter) -> dict[str, Any]:
    return (await handlers.statistikk(db, p, f)).json()


def tabell_csv(stat: Statistikk, tabell: str, filename: str, *, lisens: str | None = None) -> Response:
    if tabell not in stat.tabeller:
        raise ValidationFailed(f"Ukjent tabell. Velg en av: {', '.join(stat.tabeller)}.", field="tabell")
    return csv_response(stat.tabeller[tabell].csv(), filename, lisens=lisens)


@router.get("/statistikk.csv", summary="One statistics table as CSV (semicolons)")
async def statistikk_csv(
    p: CurrentPrincipal, db: Db, f: Filter, tabell: Annotated[str, Query(max_length=40)] = "maned_kategori"
) -> Response:
    return tabell_csv(await handlers.statistikk(db, p, f), tabell, f"nasjonal-statistikk-{tabell}.csv")


async def public_release(db: Db, ar: str) -> handlers.Utgivelse:
    """The release of `ar` (the newest when empty); a year not published is a 422 naming those that are."""
    years = await handlers.offentlige_ar(db)
    if not ar and years:
        ar = years[0]
    if ar not in years:
        raise ValidationFailed(
            f"Velg et år det finnes publiserte tall for: {', '.join(years) or 'ingen ennå'}. Et år "
            f"publiseres når det er slutt, fra {utgivelse.FORSTE_DAG_TEKST} året etter.",
            field="ar",
        )
    return await handlers.offentlig_statistikk(db, ar)


@router.get(
    "/offentlig",
    name="offentlig_api",
    summary="Open data (NLOD 2.0): the public statistics of one year, small cells suppressed",
)
async def offentlig(
    db: Db, ar: Annotated[str, Query(max_length=4, description="Year, YYYY.")] = ""
) -> dict[str, Any]:
    utgitt = await public_release(db, ar)
    stat = utgitt.statistikk
    return {
        "lisens": LISENS,
        "utgiver": "Søknadsportalen – nasjonal oversikt",
        "ar": utgitt.ar,
        "fastsatt": utgitt.fastsatt_at.isoformat() if utgitt.fastsatt_at else None,
        "prikking": (
            "Tall under 3 er skjult (null), og så mange andre at ingen skjult verdi kan regnes ut av "
            "summer og andre publiserte tall i samme tabellsett. Et år publiseres når det er slutt, fra "
            f"{utgivelse.FORSTE_DAG_TEKST} året etter, og tallene fastsettes da én gang for alle "
            "(se «fastsatt»)."
        ),
        **stat.json(),
    }


@router.get("/offentlig.csv", summary="Open data (NLOD 2.0): one public table of one year as CSV")
async def offentlig_csv(
    db: Db,
    ar: Annotated[str, Query(max_length=4)] = "",
    tabell: Annotated[str, Query(max_length=40)] = "maned_kategori",
) -> Response:
    utgitt = await public_release(db, ar)
    return tabell_csv(
        utgitt.statistikk, tabell, f"soknadsportalen-{utgitt.ar}-{tabell}-NLOD-2.0.csv", lisens=LISENS["url"]
    )


def presedenssok(
    virkestoff: Annotated[str, Query(description="Active substance (case-insensitive).")] = "",
    atc: Annotated[str, Query(description="ATC code; matches as well as the substance.")] = "",
    icd10: Annotated[str, Query(description="ICD-10 code; its 3-character category is matched.")] = "",
) -> Presedenssok:
    try:
        return Presedenssok(virkestoff=virkestoff, atc=atc, icd10=icd10)
    except ValidationError as exc:
        errors = [
            {"field": field_name(e["loc"]), "message": norwegian_message(dict(e))} for e in exc.errors()
        ]
        raise ValidationFailed(
            errors[0]["message"], field=errors[0]["field"], extra={"errors": errors}
        ) from exc


@router.get(
    "/presedens",
    summary="Earlier decisions for a substance and indication per trust (aggregated, small cells hidden)",
)
async def presedens(
    p: CurrentPrincipal, db: Db, sok: Annotated[Presedenssok, Depends(presedenssok)]
) -> PresedensSvar:
    # Any authenticated user of any trust, not only `nasjonal`: see handlers.presedens for why that is safe.
    return await handlers.presedens(db, p, sok)
