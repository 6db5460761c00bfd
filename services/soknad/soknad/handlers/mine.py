"""What tells the applicant's own applications apart in «Mine søknader»: drug, indication, the patient as
initials and age (never the name or the number), and when it was last saved."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from shared.domain.identifiers import InvalidPersonnummer, validate_fodselsnummer
from shared.domain.kalender import OSLO
from soknad.store import Soknad

SHORT_MONTHS = ("jan.", "feb.", "mars", "apr.", "mai", "juni", "juli", "aug.", "sep.", "okt.", "nov.", "des.")
_NAME_PART = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class SoknadKort:
    """One line of «Mine søknader»: only what is needed to recognise the application."""

    legemiddel: str | None
    indikasjon: str | None
    pasient: str | None
    lagret: str


def initials(name: str) -> str:
    """«Kari Anne Nordmann-Li» → «K.A.N.L.»: one letter per name part, upper case."""
    return "".join(part[0].upper() + "." for part in _NAME_PART.findall(name))


def short_saved(at: datetime, *, now: datetime) -> str:
    """«Lagret 3. des. kl. 10.12» in Norwegian time; the year only when it is not this year."""
    local = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(OSLO)
    year = "" if local.year == now.astimezone(OSLO).year else f" {local.year}"
    return f"Lagret {local.day}. {SHORT_MONTHS[local.month - 1]}{year} kl. {local:%H.%M}"


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def patient(innhold: dict[str, Any], *, type_: str, today: date, allow_synthetic: bool) -> str | None:
    """«T.T., 41 år» for one patient (as much as is filled in), «Pasientgruppe (ca. 20)» for a group."""
    if type_ == "gruppe":
        size = innhold.get("gruppe_storrelse")
        return f"Pasientgruppe (ca. {size})" if isinstance(size, int) and size > 0 else "Pasientgruppe"
    parts: list[str] = []
    name = _text(innhold.get("pasient_navn"))
    if name and initials(name):
        parts.append(initials(name))
    number = _text(innhold.get("pasient_fodselsnummer"))
    if number:
        try:
            age = validate_fodselsnummer(number, allow_synthetic=allow_synthetic, today=today).age(today)
        except InvalidPersonnummer:
            age = None
        if age is not None:
            parts.append(f"{age} år")
    return ", ".join(parts) or None


def kort(soknad: Soknad, *, now: datetime, allow_synthetic: bool) -> SoknadKort:
    innhold = soknad.innhold or {}
    drug = _mapping(innhold.get("legemiddel"))
    indication = _mapping(innhold.get("indikasjon"))
    drug_name = _text(drug.get("navn"))
    substance = _text(drug.get("virkestoff"))
    legemiddel = drug_name or substance
    if drug_name and substance and substance.lower() not in drug_name.lower():
        legemiddel = f"{drug_name} ({substance})"
    indikasjon = " ".join(x for x in (_text(indication.get("kode")), _text(indication.get("tekst"))) if x)
    return SoknadKort(
        legemiddel=legemiddel,
        indikasjon=indikasjon or None,
        pasient=patient(
            innhold,
            type_=soknad.type,
            today=now.astimezone(OSLO).date(),
            allow_synthetic=allow_synthetic,
        ),
        lagret=short_saved(soknad.endret_at, now=now),
    )
