"""Pure rules of an application: its statuses and the allowed transitions (what must be answered is in
`soknad.skjema`, the form as data)."""

from __future__ import annotations

import re
from enum import StrEnum

from shared.domain.labels import KATEGORI_LABELS, TYPE_LABELS, UTFALL_LABELS  # noqa: F401 - used by views and templates
from shared.platform.errors import InvalidTransition


class Status(StrEnum):
    UTKAST = "utkast"
    TIL_FORANKRING = "til_forankring"
    RETURNERT = "returnert"
    TIL_VURDERING = "til_vurdering"
    UNDER_VURDERING = "under_vurdering"
    TILLEGGSINFO_ETTERSPURT = "tilleggsinfo_etterspurt"
    VEDTATT = "vedtatt"
    OPPHEVET = "opphevet"
    """The decision was revoked (`VedtakOpphevet`): the treatment is no longer approved."""
    TRUKKET = "trukket"


STATUS_LABELS = {
    Status.UTKAST: "Utkast",
    Status.TIL_FORANKRING: "Til forankring",
    Status.RETURNERT: "Returnert til søker",
    Status.TIL_VURDERING: "Til vurdering",
    Status.UNDER_VURDERING: "Under vurdering",
    Status.TILLEGGSINFO_ETTERSPURT: "Tilleggsinformasjon etterspurt",
    Status.VEDTATT: "Vedtatt",
    Status.OPPHEVET: "Vedtaket er opphevet",
    Status.TRUKKET: "Trukket",
}


EDITABLE = frozenset({Status.UTKAST, Status.RETURNERT})

_TRANSITIONS: dict[str, tuple[frozenset[Status], Status]] = {
    "send": (EDITABLE, Status.TIL_FORANKRING),
    "forankre": (frozenset({Status.TIL_FORANKRING}), Status.TIL_VURDERING),
    "returnere": (frozenset({Status.TIL_FORANKRING}), Status.RETURNERT),
    "trekke": (
        frozenset(set(Status) - {Status.VEDTATT, Status.OPPHEVET, Status.TRUKKET}),
        Status.TRUKKET,
    ),
    "vedtak": (
        frozenset({Status.TIL_VURDERING, Status.UNDER_VURDERING, Status.TILLEGGSINFO_ETTERSPURT}),
        Status.VEDTATT,
    ),
    "oppheve": (frozenset({Status.VEDTATT}), Status.OPPHEVET),
}

_REFUSALS = {
    "send": "Søknaden er allerede sendt.",
    "forankre": "Søknaden venter ikke på forankring.",
    "returnere": "Søknaden venter ikke på forankring og kan ikke returneres.",
    "trekke": "Søknaden er allerede avgjort eller trukket.",
    "vedtak": "Søknaden er ikke til vurdering og kan ikke få vedtak.",
    "oppheve": "Søknaden har ikke et gjeldende vedtak som kan oppheves.",
}


def transition(current: str, action: str) -> Status:
    allowed, target = _TRANSITIONS[action]
    if Status(current) not in allowed:
        raise InvalidTransition(f"{_REFUSALS[action]} (Status nå: {STATUS_LABELS[Status(current)].lower()}.)")
    return target


def format_lopenummer(hf: str, year: int, seq: int) -> str:
    return f"{hf}-{year}-{seq:06d}"


LOPENUMMER_PATTERN = re.compile(r"^[A-Z]{2,8}-\d{4}-\d{6}$")
