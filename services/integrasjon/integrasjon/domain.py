"""Pure rules of the national projection: coarsening exact values into months, bands and day counts."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Final

from shared.domain.identifiers import age_band
from shared.domain.kalender import oslo_date

KOSTNADSBAND: Final = ("<100k", "100-500k", "500k-1M", "1-5M", ">5M")
_KOSTNAD_UPPER: Final = (
    (100_000, "<100k"),
    (500_000, "100-500k"),
    (1_000_000, "500k-1M"),
    (5_000_000, "1-5M"),
)


def kostnadsband(estimert_kostnad_nok: int | None) -> str | None:
    """The band of an estimated yearly cost; lower bounds are inclusive (100 000 is '100-500k')."""
    if estimert_kostnad_nok is None:
        return None
    for upper, band in _KOSTNAD_UPPER:
        if estimert_kostnad_nok < upper:
            return band
    return ">5M"


def aldersgruppe(fodselsdato: date | None, *, on: date) -> str | None:
    """The age band on `on` (the anchoring date, so the band never changes afterwards)."""
    if fodselsdato is None or fodselsdato > on:
        return None
    age = on.year - fodselsdato.year - ((on.month, on.day) < (fodselsdato.month, fodselsdato.day))
    return age_band(age)


def behandlingstid_dager(sendt: date, fattet_at: datetime) -> int:
    """Calendar days (Norwegian ones) from the day it was sent to the day it was decided (same day = 0)."""
    return max(0, (oslo_date(fattet_at) - sendt).days)


def maned(d: date) -> str:
    """`YYYY-MM` of a calendar date (a post-registered case has dates, not instants)."""
    return f"{d:%Y-%m}"


_NAME_PART_MIN = 3
"""Shorter name parts ("Li", "Bo") are left alone: they occur inside ordinary words of drug names."""


def uten_pasient(text: str, *, navn: str | None, fodselsnummer: str | None, fodselsdato: date | None) -> str:
    """`text` without the patient's name (whole or any part), fødselsnummer or birth date.

    For what the applicant may type by hand where the catalogue had no match (drug and diagnosis):
    someone who writes «Rituksimab til Kari Nordmann» must not send the name to the nation. The
    personnummer-shaped numbers of any person are removed later, by the mapper."""
    secrets: list[str] = []
    if fodselsnummer:
        secrets += [fodselsnummer, f"{fodselsnummer[:6]} {fodselsnummer[6:]}"]
    if fodselsdato is not None:
        secrets += [
            fodselsdato.isoformat(),
            f"{fodselsdato:%d.%m.%Y}",
            f"{fodselsdato:%d.%m.%y}",
            f"{fodselsdato:%d%m%y}",
            f"{fodselsdato.day}.{fodselsdato.month}.{fodselsdato.year}",
        ]
    if navn:
        secrets += [navn, *(part for part in re.split(r"[\s,.-]+", navn) if len(part) >= _NAME_PART_MIN)]
    for secret in sorted(set(secrets), key=len, reverse=True):
        # No longer than the shortest secret, so the producer's lengths still hold.
        text = re.sub(re.escape(secret), "[…]", text, flags=re.IGNORECASE)
    return text
