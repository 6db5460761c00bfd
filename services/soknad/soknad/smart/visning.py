"""What the draft and case pages show of a launch: the patient from the record, which fields still hold
what the record gave («Hentet fra journalen»), and the write-back's outcome."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request

from soknad.handlers.utkast import local_date
from soknad.smart.journal import KJONN_LABELS
from soknad.smart.kontekst import PASIENT_FNR, KontekstLager, Launchkontekst
from soknad.store import Soknad


def pasient_context(kontekst: Launchkontekst, today: date) -> dict[str, Any]:
    pasient = kontekst.pasient
    alder = None
    if pasient.fodselsdato is not None:
        d = pasient.fodselsdato
        alder = today.year - d.year - ((today.month, today.day) < (d.month, d.day))
    return {
        "journal_navn": kontekst.issuer.navn,
        "pasient": pasient,
        "alder": alder,
        "kjonn": KJONN_LABELS.get(pasient.kjonn or ""),
    }


def byttet_pasient(kontekst: Launchkontekst, soknad: Soknad) -> bool:
    """The physician typed another patient into a draft launched for this one."""
    launched = kontekst.pasient.fodselsnummer
    return bool(launched) and (soknad.innhold or {}).get(PASIENT_FNR) != launched


def smart_context(request: Request, soknad: Soknad) -> dict[str, Any]:
    lager: KontekstLager | None = getattr(request.app.state, "smart_kontekster", None)
    kontekst = lager.for_soknad(soknad.id) if lager is not None else None
    if kontekst is None:
        return {}
    today = local_date(request.app.state.runtime.clock.now())
    return {
        "smart": {
            **pasient_context(kontekst, today),
            "fra_journalen": kontekst.fra_journalen(
                innhold=soknad.innhold or {}, enhet=soknad.enhet, soker_id=soknad.soker_id
            ),
            "byttet_pasient": byttet_pasient(kontekst, soknad),
            "tilbakeskriving": kontekst.tilbakeskriving.get(soknad.id),
        }
    }
