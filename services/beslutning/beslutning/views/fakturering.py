"""The controller's page and exports (CSV and XLSX): granted treatments, billing routine, cost per unit
and month, and marking as invoiced. No clinical free text on any of them."""

from __future__ import annotations

import csv
import io
from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from openpyxl import Workbook

from beslutning.deps import CurrentPrincipal, Db
from beslutning.domain import UTFALL_LABELS
from beslutning.handlers import fakturering
from beslutning.handlers.fakturering import KOSTNADSREGEL, Fakturering
from beslutning.views.common import domain_errors, render
from beslutning.views.varsler import header_state
from shared.platform.auth.principal import Principal, Role
from shared.platform.errors import DomainError, ValidationFailed

router = APIRouter(include_in_schema=False, dependencies=[Depends(header_state)])

KOLONNER = (
    "Løpenummer",
    "Enhet",
    "Legemiddel",
    "Virkestoff",
    "ATC",
    "Estimert kostnad per år (kr)",
    "Kostnadssted",
    "Faktureringsrutine",
    "Utfall",
    "Gyldig fra",
    "Gyldig til",
    "Vedtatt",
    "Fakturert",
)


FORMEL_START = ("=", "+", "-", "@", "\t", "\r")


def celle(value: object) -> object:
    """A cell a spreadsheet will not run: text starting like a formula gets a leading apostrophe (OWASP
    CSV injection). A routine or a drug name is typed by people, and the export is opened in Excel."""
    if isinstance(value, str) and value.startswith(FORMEL_START):
        return "'" + value
    return value


KOSTNAD_KOLONNER = ("Enhet", "Måned", "Antall behandlinger", "Estimert kostnad i måneden (kr)")


def parse_period(raw_fra: str | None, raw_til: str | None) -> tuple[date | None, date | None]:
    def one(raw: str | None, field: str) -> date | None:
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            message = "Skriv en gyldig dato (dd.mm.åååå)."
            raise ValidationFailed(
                f"«{field}»: {message}", field=field, extra={"errors": [{"field": field, "message": message}]}
            ) from None

    return one(raw_fra, "fra"), one(raw_til, "til")


async def _data(request: Request, p: Principal, db: Db) -> tuple[Fakturering, dict[str, str]]:
    q = request.query_params
    filtre = {"enhet": q.get("enhet") or "", "fra": q.get("fra") or "", "til": q.get("til") or ""}
    fra, til = parse_period(filtre["fra"], filtre["til"])
    return await fakturering.list_fakturering(db, p, enhet=filtre["enhet"] or None, fra=fra, til=til), filtre


def rows(data: Fakturering) -> list[list[object]]:
    return [[celle(v) for v in row] for row in _raw_rows(data)]


def _raw_rows(data: Fakturering) -> list[list[object]]:
    return [
        [
            linje.lopenummer,
            linje.enhet,
            linje.legemiddel,
            linje.virkestoff,
            linje.atc or "",
            linje.estimert_kostnad_nok if linje.estimert_kostnad_nok is not None else "",
            linje.kostnadssted,
            linje.faktureringsrutine or "",
            UTFALL_LABELS[linje.utfall],
            linje.gyldig_fra.isoformat() if linje.gyldig_fra else "",
            linje.gyldig_til.isoformat() if linje.gyldig_til else "",
            linje.vedtatt_at.date().isoformat(),
            linje.fakturert_at.date().isoformat() if linje.fakturert_at else "",
        ]
        for linje in data.linjer
    ]


@router.get("/fakturering", name="fakturering")
async def side(request: Request, p: CurrentPrincipal, db: Db) -> Response:
    if not p.has(Role.CONTROLLER):
        return render(request, "ingen_rolle.html", {}, status_code=403)
    try:
        data, filtre = await _data(request, p, db)
    except DomainError as exc:
        data = await fakturering.list_fakturering(db, p)
        filtre = {k: request.query_params.get(k) or "" for k in ("enhet", "fra", "til")}
        return render(
            request,
            "fakturering.html",
            {
                "data": data,
                "filtre": filtre,
                "errors": domain_errors(exc),
                "query": "",
                "kostnadsregel": KOSTNADSREGEL,
            },
            status_code=exc.status,
        )
    query = request.url.query
    melding = "Markeringen er lagret." if request.query_params.get("melding") == "lagret" else None
    return render(
        request,
        "fakturering.html",
        {
            "data": data,
            "filtre": filtre,
            "errors": [],
            "query": query,
            "melding": melding,
            "kostnadsregel": KOSTNADSREGEL,
        },
    )


@router.get("/fakturering.csv", name="fakturering_csv")
async def csv_export(request: Request, p: CurrentPrincipal, db: Db) -> Response:
    data, _ = await _data(request, p, db)
    out = io.StringIO()
    # Semicolons and a BOM: what Norwegian Excel opens as columns.
    writer = csv.writer(out, delimiter=";")
    writer.writerow(KOLONNER)
    writer.writerows(rows(data))
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="innvilgede-behandlinger.csv"'},
    )


@router.get("/fakturering.xlsx", name="fakturering_xlsx")
async def xlsx_export(request: Request, p: CurrentPrincipal, db: Db) -> Response:
    data, _ = await _data(request, p, db)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Behandlinger"
    sheet.append(list(KOLONNER))
    for row in rows(data):
        sheet.append(row)
    kost = book.create_sheet("Kostnad per enhet og måned")
    kost.append(list(KOSTNAD_KOLONNER))
    for k in data.kostnader:
        kost.append([celle(k.enhet), k.maned, k.antall, k.estimert_kostnad_nok])
    kost.append([])
    kost.append([KOSTNADSREGEL])
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(
        buffer.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": 'attachment; filename="innvilgede-behandlinger.xlsx"'},
    )


@router.get("/fakturering/vedtak/{vedtak_id}", name="fakturering_vedtak")
async def vedtak_side(request: Request, vedtak_id: str, p: CurrentPrincipal, db: Db) -> Response:
    linje = await fakturering.read_line(db, p, vedtak_id)
    return render(request, "fakturering_vedtak.html", {"linje": linje})


@router.post("/fakturering/{vedtak_id}", name="fakturert")
async def marker(request: Request, vedtak_id: str, p: CurrentPrincipal, db: Db) -> Response:
    form = await request.form()
    await fakturering.mark_invoiced(db, p, vedtak_id, fakturert=form.get("fakturert") != "nei")
    tilbake = form.get("tilbake")
    query = tilbake if isinstance(tilbake, str) and "\n" not in tilbake and "/" not in tilbake else ""
    url = str(request.url_for("fakturering")) + "?" + (query + "&" if query else "") + "melding=lagret"
    return RedirectResponse(url, status_code=303)
