"""The flow the medical director chose for a case (her triage), as `Soknad.behandling` keeps it and the
pages show it (pure: no database, no request). Published by beslutning as `SakSendtTilKomite`,
`SakTilForenkletBehandling` and `SakVideresendtInterregionalt`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from shared.platform.web.templating import format_date

KOMPLETT = "komplett"
FORENKLET = "forenklet"
INTERREGIONAL = "interregional"

INTERREGIONAL_VENTETID_DAGER = 90
"""How long the interregional vurderingskomité may take, as the applicant is told."""

APEN_STATUS = frozenset({"til_vurdering", "under_vurdering", "tilleggsinfo_etterspurt"})
"""Statuses in which the chosen flow is where the case is now (not after a decision or withdrawal)."""


def behandling_dict(flyt: str, *, frist: date, av: str, av_navn: str, at: datetime) -> dict[str, Any]:
    """What the case keeps of the director's choice (JSON)."""
    return {
        "flyt": flyt,
        "frist": frist.isoformat(),
        "valgt_av": av,
        "valgt_av_navn": av_navn,
        "valgt_at": at.isoformat(),
    }


def same_choice(stored: dict[str, Any] | None, new: dict[str, Any]) -> bool:
    """The same choice again (re-published under a new event id): nothing new happened."""
    if not stored:
        return False
    return all(stored.get(k) == new[k] for k in ("flyt", "frist", "valgt_av", "valgt_at"))


def historikktekst(flyt: str, frist: date) -> str:
    """The history line of a triage step (the name and time are the line's own)."""
    if flyt == KOMPLETT:
        return f"Sendt til vurderingskomiteen, frist {format_date(frist)}"
    if flyt == FORENKLET:
        return (
            "Fagdirektøren behandler saken selv (forenklet behandling), "
            f"frist for vedtak {format_date(frist)}"
        )
    return (
        "Videresendt til den interregionale vurderingskomiteen (tilgangsordningen), "
        f"forventet avgjort innen {format_date(frist)}"
    )


@dataclass(frozen=True)
class Behandlingsvisning:
    flyt: str
    frist: date | None
    valgt_av_navn: str
    valgt_at: datetime | None


def behandlingsvisning(behandling: dict[str, Any] | None, status: str) -> Behandlingsvisning | None:
    """Where the case is now, for the pages; None before the director chose, and once it is closed."""
    if not behandling or status not in APEN_STATUS:
        return None
    flyt = behandling.get("flyt")
    if flyt not in (KOMPLETT, FORENKLET, INTERREGIONAL):
        return None
    frist = behandling.get("frist")
    valgt_at = behandling.get("valgt_at")
    try:
        frist_dato = date.fromisoformat(frist) if isinstance(frist, str) else None
        valgt = datetime.fromisoformat(valgt_at) if isinstance(valgt_at, str) else None
    except ValueError:
        frist_dato, valgt = None, None
    return Behandlingsvisning(
        flyt=str(flyt),
        frist=frist_dato,
        valgt_av_navn=str(behandling.get("valgt_av_navn") or "Fagdirektøren"),
        valgt_at=valgt,
    )


def behandling_context(behandling: dict[str, Any] | None, status: str) -> dict[str, Any]:
    """What `_behandling.html` needs."""
    return {
        "behandling": behandlingsvisning(behandling, status),
        "ventetid_interregional": INTERREGIONAL_VENTETID_DAGER,
    }
