"""The privacy officer's pages: a case's access log, and a patient's, to read, print or download.

The fødselsnummer is only ever in a POST body: the search, the printable page and the CSV download are
all form posts, so the number is never in a URL, a browser history or an access log."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from shared.domain.kalender import OSLO
from shared.platform.auth.principal import Principal
from shared.platform.errors import ValidationFailed
from shared.platform.web.naboer import forwarded_credentials
from shared.platform.web.revisjonslogg import (
    HANDLING_LABELS,
    TJENESTE_LABELS,
    RevisjonsloggKilde,
    hva_label,
    require_personvern,
    rolle_label,
)
from soknad.deps import CurrentPrincipal, Runtime
from soknad.handlers.personvern import Linje, Sak, Tilgangslogg, logg_for_pasient, logg_for_sak
from soknad.skjema.register import SkjemaRegister
from soknad.views.common import field_label, render, skjemaer_of, text_field

router = APIRouter(include_in_schema=False)

SAMMENSLA_VINDU = timedelta(minutes=15)
"""Autosave writes a row per save: the same person doing the same thing to a case within this window is
one line on the page (the download keeps every row)."""

FELT_VIST = 6
"""Field names shown on a line of the page; the download names them all."""

CSV_KOLONNER = ("Tidspunkt", "Løpenummer", "Tjeneste", "Navn", "Rolle", "Handling", "Hva", "Formål", "Felt")


@dataclass
class Visningslinje:
    fra: datetime
    til: datetime
    antall: int
    tjeneste: str
    navn: str
    rolle: str
    handling: str
    hva: str
    formal: str
    sak: str
    lopenummer: str | None = None
    felt: list[str] = field(default_factory=list)
    _nokkel: tuple[str, ...] = ()

    @property
    def felt_tekst(self) -> str:
        """The fields named, up to a handful (creating an application touches every one of them)."""
        if len(self.felt) <= FELT_VIST + 1:
            return ", ".join(self.felt)
        return ", ".join(self.felt[:FELT_VIST]) + f" og {len(self.felt) - FELT_VIST} andre felt"


def _sak_tekst(linje: Linje) -> str:
    if linje.sak is None:
        return linje.case_ref or "–"
    return linje.sak.lopenummer or "Utkast (ikke sendt)"


def _felt_labels(skjemaer: SkjemaRegister, sak: Sak | None, felt: list[str]) -> list[str]:
    if sak is None:
        return felt
    try:
        skjema = skjemaer.get(sak.skjema_versjon)
    except LookupError:
        return felt
    return [field_label(skjema, name) for name in felt]


def sammenfatt(logg: Tilgangslogg, skjemaer: SkjemaRegister) -> list[Visningslinje]:
    """The timeline as a person reads it: labels in Norwegian, repeated saves folded into one line."""
    linjer: list[Visningslinje] = []
    for linje in logg.linjer:
        nokkel = (linje.tjeneste, linje.actor_id, linje.action, linje.what, linje.purpose, _sak_tekst(linje))
        felt = _felt_labels(skjemaer, linje.sak, linje.felt)
        forrige = linjer[-1] if linjer else None
        if forrige is not None and forrige._nokkel == nokkel and linje.at - forrige.fra <= SAMMENSLA_VINDU:
            forrige.til = linje.at
            forrige.antall += 1
            forrige.felt.extend(f for f in felt if f not in forrige.felt)
            continue
        linjer.append(
            Visningslinje(
                fra=linje.at,
                til=linje.at,
                antall=1,
                tjeneste=TJENESTE_LABELS.get(linje.tjeneste, linje.tjeneste),
                navn=linje.actor_navn or linje.actor_id,
                rolle=rolle_label(linje.actor_role),
                handling=HANDLING_LABELS.get(linje.action, linje.action),
                hva=hva_label(linje.what),
                formal=linje.purpose,
                sak=_sak_tekst(linje),
                lopenummer=linje.sak.lopenummer if linje.sak else None,
                felt=list(dict.fromkeys(felt)),
                _nokkel=nokkel,
            )
        )
    return linjer


def _kilder(request: Request) -> list[RevisjonsloggKilde]:
    kilder: list[RevisjonsloggKilde] = request.app.state.revisjonslogg_kilder
    return kilder


def _context(logg: Tilgangslogg, skjemaer: SkjemaRegister) -> dict[str, Any]:
    return {
        "logg": logg,
        "linjer": sammenfatt(logg, skjemaer),
        "utilgjengelige": [TJENESTE_LABELS.get(t, t) for t in logg.utilgjengelige],
        "avkortet": [TJENESTE_LABELS.get(t, t) for t in logg.avkortet],
        "tjeneste_labels": TJENESTE_LABELS,
    }


def _start(
    request: Request,
    *,
    errors: list[dict[str, str]] | None = None,
    verdier: dict[str, str] | None = None,
    status_code: int = 200,
    extra: dict[str, Any] | None = None,
) -> Response:
    errors = errors or []
    return render(
        request,
        "personvern.html",
        {
            "errors": errors,
            "field_errors": {e["field"]: e["message"] for e in errors},
            "verdier": verdier or {},
            **(extra or {}),
        },
        status_code=status_code,
    )


def _errors(exc: ValidationFailed) -> list[dict[str, str]]:
    return exc.extra.get("errors") or [{"field": exc.field or "", "message": exc.message}]


@router.get("/personvern", name="personvern_side")
async def personvern_side(request: Request, p: CurrentPrincipal) -> Response:
    require_personvern(p)
    return _start(request)


@router.get("/personvern/sak", name="personvern_sak")
async def personvern_sak(request: Request, p: CurrentPrincipal, runtime: Runtime) -> Response:
    """A case's log by løpenummer (not personal data, so a link can point to it)."""
    require_personvern(p)
    lopenummer = request.query_params.get("lopenummer", "")[:100]
    try:
        logg = await logg_for_sak(
            runtime.db,
            p,
            lopenummer=lopenummer,
            kilder=_kilder(request),
            credentials=forwarded_credentials(request),
        )
    except ValidationFailed as exc:
        return _start(request, errors=_errors(exc), verdier={"lopenummer": lopenummer}, status_code=422)
    lopenummer = lopenummer.strip().upper()
    return _start(
        request,
        verdier={"lopenummer": lopenummer},
        extra={"visning": "sak", "lopenummer": lopenummer, **_context(logg, skjemaer_of(request))},
    )


async def _pasient(request: Request, p: Principal, runtime: Runtime, *, eksport: bool) -> Tilgangslogg:
    form = await request.form()
    return await logg_for_pasient(
        runtime.db,
        p,
        fodselsnummer=text_field(form, "fodselsnummer")[:40],
        allow_synthetic=bool(runtime.settings.allow_synthetic_personnummer),
        eksport=eksport,
        kilder=_kilder(request),
        credentials=forwarded_credentials(request),
    )


@router.post("/personvern/pasient", name="personvern_pasient")
async def personvern_pasient(request: Request, p: CurrentPrincipal, runtime: Runtime) -> Response:
    require_personvern(p)
    try:
        logg = await _pasient(request, p, runtime, eksport=False)
    except ValidationFailed as exc:
        # The number typed is not shown again: the officer types it anew (it is never echoed to a page).
        return _start(request, errors=_errors(exc), status_code=422)
    form = await request.form()
    return _start(
        request,
        extra={
            "visning": "pasient",
            # Carried in the export forms' bodies, never in a link.
            "fodselsnummer": text_field(form, "fodselsnummer"),
            **_context(logg, skjemaer_of(request)),
        },
    )


@router.post("/personvern/pasient/eksport", name="personvern_eksport")
async def personvern_eksport(request: Request, p: CurrentPrincipal, runtime: Runtime) -> Response:
    """The patient's access log to hand over (innsyn i logg): a CSV file, or a page to print."""
    require_personvern(p)
    try:
        logg = await _pasient(request, p, runtime, eksport=True)
    except ValidationFailed as exc:
        return _start(request, errors=_errors(exc), status_code=422)
    form = await request.form()
    if form.get("format") == "csv":
        return Response(
            tilgangslogg_csv(logg, skjemaer_of(request)),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="tilgangslogg.csv"'},
        )
    return render(
        request,
        "personvern_utskrift.html",
        {"laget": datetime.now(OSLO), **_context(logg, skjemaer_of(request))},
    )


def _celle(value: str) -> str:
    # A cell that starts like a formula is text, not something a spreadsheet runs.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def tilgangslogg_csv(logg: Tilgangslogg, skjemaer: SkjemaRegister) -> str:
    """Every row, one line each (semicolons and a byte-order mark, as Norwegian spreadsheets expect)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_KOLONNER)
    for linje in logg.linjer:
        writer.writerow(
            _celle(value)
            for value in (
                linje.at.astimezone(OSLO).strftime("%Y-%m-%d %H:%M:%S"),
                _sak_tekst(linje),
                TJENESTE_LABELS.get(linje.tjeneste, linje.tjeneste),
                linje.actor_navn or linje.actor_id,
                rolle_label(linje.actor_role),
                HANDLING_LABELS.get(linje.action, linje.action),
                hva_label(linje.what),
                linje.purpose,
                ", ".join(_felt_labels(skjemaer, linje.sak, linje.felt)),
            )
        )
    return "\ufeff" + out.getvalue()
