"""The application without the patient's identity, for an external consultant: no patient section, no
patient fields, and the patient's name, birth date and any 11-digit number removed from free text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from shared.events.common import Feltvisning, Seksjonsvisning

SKJULT = "[skjult]"

PASIENT_SEKSJONER = frozenset({"pasient", "soknaden_pasient"})
PASIENT_FELT = frozenset(
    {"pasient_fodselsnummer", "pasient_navn", "pasient_fodselsdato", "pasient_alder", "pasient_kjonn"}
)
# Eleven digits, also written with a space or dot after the birth date (DDMMYY NNNNN).
_ELLEVE_SIFRE = re.compile(r"(?<!\d)\d{6}[ .]?\d{5}(?!\d)")


def _datoformer(fodt: date) -> list[str]:
    return [
        f"{fodt:%d.%m.%Y}",
        f"{fodt.day}.{fodt.month}.{fodt:%Y}",
        f"{fodt:%Y-%m-%d}",
        f"{fodt:%d%m%y}",
        f"{fodt:%d/%m/%Y}",
    ]


def _navnedeler(navn: str) -> list[str]:
    deler = [d for d in re.split(r"[\s,]+", navn.strip()) if len(d) >= 2]
    # The whole name first, so it is replaced as one.
    return sorted({navn.strip(), *deler} - {""}, key=len, reverse=True)


def sladd(tekst: str, *, navn: str | None, fodselsdato: date | None) -> str:
    """Free text with the patient's name (and each part of it), birth date and 11-digit numbers hidden."""
    ut = _ELLEVE_SIFRE.sub(SKJULT, tekst)
    if fodselsdato is not None:
        for form in _datoformer(fodselsdato):
            ut = ut.replace(form, SKJULT)
    for del_ in _navnedeler(navn or ""):
        ut = re.sub(rf"(?<!\w){re.escape(del_)}(?!\w)", SKJULT, ut, flags=re.IGNORECASE)
    return ut


def _fodselsdato(pasient: Mapping[str, Any]) -> date | None:
    value = pasient.get("fodselsdato")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def anonymisert(
    visning: Iterable[Seksjonsvisning], pasient: Mapping[str, Any] | None
) -> list[Seksjonsvisning]:
    """The sections a consultant may read."""
    pasient = pasient or {}
    navn = str(pasient.get("navn") or "") or None
    fodt = _fodselsdato(pasient)
    ut: list[Seksjonsvisning] = []
    for seksjon in visning:
        if seksjon.id in PASIENT_SEKSJONER:
            continue
        felt = [
            Feltvisning(id=f.id, etikett=f.etikett, svar=sladd(f.svar, navn=navn, fodselsdato=fodt))
            for f in seksjon.felt
            if f.id not in PASIENT_FELT
        ]
        if felt:
            ut.append(Seksjonsvisning(id=seksjon.id, tittel=seksjon.tittel, felt=felt))
    return ut
