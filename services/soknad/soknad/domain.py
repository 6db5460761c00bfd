"""Pure rules of an application: its statuses, the allowed transitions, and what must be filled in."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from shared.errors import InvalidTransition
from shared.events.common import SoknadType
from shared.labels import KATEGORI_LABELS, TYPE_LABELS, UTFALL_LABELS  # noqa: F401 - used by views and templates


class Status(StrEnum):
    UTKAST = "utkast"
    TIL_FORANKRING = "til_forankring"
    RETURNERT = "returnert"
    TIL_VURDERING = "til_vurdering"
    UNDER_VURDERING = "under_vurdering"
    TILLEGGSINFO_ETTERSPURT = "tilleggsinfo_etterspurt"
    VEDTATT = "vedtatt"
    TRUKKET = "trukket"


STATUS_LABELS = {
    Status.UTKAST: "Utkast",
    Status.TIL_FORANKRING: "Til forankring",
    Status.RETURNERT: "Returnert til søker",
    Status.TIL_VURDERING: "Til vurdering",
    Status.UNDER_VURDERING: "Under vurdering",
    Status.TILLEGGSINFO_ETTERSPURT: "Tilleggsinformasjon etterspurt",
    Status.VEDTATT: "Vedtatt",
    Status.TRUKKET: "Trukket",
}


EDITABLE = frozenset({Status.UTKAST, Status.RETURNERT})

_TRANSITIONS: dict[str, tuple[frozenset[Status], Status]] = {
    "send": (EDITABLE, Status.TIL_FORANKRING),
    "forankre": (frozenset({Status.TIL_FORANKRING}), Status.TIL_VURDERING),
    "returnere": (frozenset({Status.TIL_FORANKRING}), Status.RETURNERT),
    "trekke": (
        frozenset(set(Status) - {Status.VEDTATT, Status.TRUKKET}),
        Status.TRUKKET,
    ),
    "vedtak": (
        frozenset({Status.TIL_VURDERING, Status.UNDER_VURDERING, Status.TILLEGGSINFO_ETTERSPURT}),
        Status.VEDTATT,
    ),
}

_REFUSALS = {
    "send": "Søknaden er allerede sendt.",
    "forankre": "Søknaden venter ikke på forankring.",
    "returnere": "Søknaden venter ikke på forankring og kan ikke returneres.",
    "trekke": "Søknaden er allerede avgjort eller trukket.",
    "vedtak": "Søknaden er ikke til vurdering og kan ikke få vedtak.",
}


def transition(current: str, action: str) -> Status:
    allowed, target = _TRANSITIONS[action]
    if Status(current) not in allowed:
        raise InvalidTransition(f"{_REFUSALS[action]} (Status nå: {STATUS_LABELS[Status(current)].lower()}.)")
    return target


def format_lopenummer(hf: str, year: int, seq: int) -> str:
    return f"{hf}-{year}-{seq:06d}"


LOPENUMMER_PATTERN = re.compile(r"^[A-Z]{2,8}-\d{4}-\d{6}$")

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]


class LegemiddelValg(BaseModel):
    model_config = ConfigDict(extra="forbid")

    navn: Text = ""
    virkestoff: Text = ""
    atc: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, max_length=7)] = ""
    fest_id: Annotated[str, StringConstraints(max_length=60)] = ""
    legemiddelform: Text = ""
    styrke: Text = ""
    verifisert: bool = False

    @field_validator("atc")
    @classmethod
    def _atc(cls, value: str) -> str:
        if value and not re.fullmatch(r"[A-Z](\d{2}([A-Z]([A-Z](\d{2})?)?)?)?", value):
            raise ValueError("ATC-koden har feil format (for eksempel L01FA01).")
        return value


class IndikasjonValg(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kode: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, max_length=8)] = ""
    tekst: Text = ""
    verifisert: bool = False

    @field_validator("kode")
    @classmethod
    def _icd10(cls, value: str) -> str:
        if value and not re.fullmatch(r"[A-Z]\d{2}(\.?\d{1,2})?", value):
            raise ValueError("ICD-10-koden har feil format (for eksempel G35 eller G36.0).")
        if value and len(value) > 3 and "." not in value:
            value = f"{value[:3]}.{value[3:]}"
        return value


class SoknadInnhold(BaseModel):
    """The answers of a draft; every field may still be empty, none may be malformed."""

    model_config = ConfigDict(extra="forbid")

    pasient_fodselsnummer: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] = ""
    pasient_navn: Text = ""
    gruppe_beskrivelse: LongText = ""
    gruppe_storrelse: int | None = Field(default=None, ge=1, le=100_000)
    legemiddel: LegemiddelValg = Field(default_factory=LegemiddelValg)
    indikasjon: IndikasjonValg = Field(default_factory=IndikasjonValg)
    begrunnelse: LongText = ""
    estimert_kostnad_nok: int | None = Field(default=None, ge=0, le=1_000_000_000)


REQUIRED_MESSAGE = "Må fylles ut før søknaden kan sendes."


def missing_for_sending(type_: SoknadType, innhold: SoknadInnhold) -> list[tuple[str, str]]:
    """Fields that must be answered before sending, as (field, Norwegian message)."""
    missing: list[tuple[str, str]] = []
    if type_ == "enkeltpasient":
        if not innhold.pasient_fodselsnummer:
            missing.append(("innhold.pasient_fodselsnummer", REQUIRED_MESSAGE))
        if not innhold.pasient_navn:
            missing.append(("innhold.pasient_navn", REQUIRED_MESSAGE))
    else:
        if not innhold.gruppe_beskrivelse:
            missing.append(("innhold.gruppe_beskrivelse", REQUIRED_MESSAGE))
        if innhold.gruppe_storrelse is None:
            missing.append(("innhold.gruppe_storrelse", REQUIRED_MESSAGE))
    if not innhold.legemiddel.navn:
        missing.append(("innhold.legemiddel.navn", REQUIRED_MESSAGE))
    if not innhold.legemiddel.virkestoff:
        missing.append(("innhold.legemiddel.virkestoff", REQUIRED_MESSAGE))
    if not innhold.indikasjon.kode:
        missing.append(("innhold.indikasjon.kode", REQUIRED_MESSAGE))
    if not innhold.indikasjon.tekst:
        missing.append(("innhold.indikasjon.tekst", REQUIRED_MESSAGE))
    if not innhold.begrunnelse:
        missing.append(("innhold.begrunnelse", REQUIRED_MESSAGE))
    return missing
