"""The application without the patient's identity, for an external consultant: no patient section, no
patient fields, and the patient's name, birth date and any 11-digit number removed from free text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from shared.domain.kalender import MANEDSNAVN
from shared.events.common import Feltvisning, Seksjonsvisning

SKJULT = "[skjult]"

PASIENT_SEKSJONER = frozenset({"pasient", "soknaden_pasient"})
PASIENT_FELT = frozenset(
    {"pasient_fodselsnummer", "pasient_navn", "pasient_fodselsdato", "pasient_alder", "pasient_kjonn"}
)
# Eleven digits, also written with a space or dot after the birth date (DDMMYY NNNNN).
_ELLEVE_SIFRE = re.compile(r"(?<!\d)\d{6}[ .]?\d{5}(?!\d)")


# Norwegian month names as the pages write a date (`15. mars 1985`), and their common abbreviations.
_MANEDER = MANEDSNAVN


def _datomonster(fodt: date) -> re.Pattern[str]:
    """Every way the birth date is commonly written: numeric with `.`, `/` or `-` and a four- or two-digit
    year (15.03.1985, 15.3.85, 15/03/1985), ISO (1985-03-15), compact (150385, 15031985) and in words
    as the app itself writes dates (15. mars 1985, 15 mar. 85)."""
    dag = rf"0?{fodt.day}"
    maned = rf"0?{fodt.month}"
    navn = _MANEDER[fodt.month - 1]
    manednavn = rf"(?:{navn}|{navn[:3]}\.?)"
    aar = rf"(?:{fodt:%Y}|{fodt:%y})"
    skille = r"\s?[./-]\s?"
    former = (
        rf"{dag}{skille}{maned}{skille}{aar}",
        rf"{fodt:%Y}{skille}{maned}{skille}{dag}",
        rf"{fodt:%d%m}(?:{fodt:%Y}|{fodt:%y})",
        rf"{dag}\.?\s*{manednavn}\s*,?\s*{aar}",
    )
    return re.compile(rf"(?<!\d)(?:{'|'.join(former)})(?!\d)", re.IGNORECASE)


# A name part may be followed by an ending: the genitive (`Testesens`, `Testesen's`) and, for parts long
# enough that it cannot swallow ordinary words, a few more letters (`Testas`, `Testesenes`).
_GENITIV = r"(?:['’]s?|s)?"
_LANG_NOK = 4


def _navnedeler(navn: str) -> list[str]:
    deler = [d for d in re.split(r"[\s,]+", navn.strip()) if len(d) >= 2]
    # Hyphenated names are also written as their parts (`Anne-Lise` as `Anne`).
    deler += [d for del_ in deler if "-" in del_ for d in del_.split("-") if len(d) >= 2]
    # The whole name first, so it is replaced as one.
    return sorted({navn.strip(), *deler} - {""}, key=len, reverse=True)


def _navnemonster(del_: str) -> re.Pattern[str]:
    ending = r"\w{0,3}" if len(del_) >= _LANG_NOK else ""
    return re.compile(rf"(?<!\w){re.escape(del_)}(?:{ending}{_GENITIV})(?!\w)", re.IGNORECASE)


def sladd(tekst: str, *, navn: str | None, fodselsdato: date | None) -> str:
    """Free text with the patient's name (each part of it, with its endings), birth date (in any common
    form) and 11-digit numbers hidden."""
    ut = _ELLEVE_SIFRE.sub(SKJULT, tekst)
    if fodselsdato is not None:
        ut = _datomonster(fodselsdato).sub(SKJULT, ut)
    for del_ in _navnedeler(navn or ""):
        ut = _navnemonster(del_).sub(SKJULT, ut)
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
