"""The precedent query both sides agree on: soknad asks, the national oversikt answers, with the same
validation and the same rule for which decisions cover a code."""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

_ATC = re.compile(r"[A-Z](\d{2}([A-Z]([A-Z](\d{2})?)?)?)?")
_ICD10 = re.compile(r"[A-Z]\d{2}(\.?\d{1,2})?")


class Presedenssok(BaseModel):
    """Which earlier decisions to look for: a substance (or ATC code) and an ICD-10 code, matched on its
    3-character category."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    atc: str = Field(default="", max_length=7, description="ATC code, e.g. L01FA01.")
    virkestoff: str = Field(
        default="", max_length=100, validate_default=True, description="Active substance, e.g. rituksimab."
    )
    icd10: str = Field(default="", max_length=6, validate_default=True, description="ICD-10 code, e.g. G35.")

    @field_validator("atc")
    @classmethod
    def _atc(cls, value: str) -> str:
        value = value.upper()
        if value and not _ATC.fullmatch(value):
            raise ValueError("ATC-koden har feil format (for eksempel L01FA01).")
        return value

    @field_validator("virkestoff")
    @classmethod
    def _virkestoff(cls, value: str, info: ValidationInfo) -> str:
        if not value and info.data.get("atc") == "":
            raise ValueError("Oppgi virkestoff eller ATC-kode.")
        return value.lower()

    @field_validator("icd10")
    @classmethod
    def _icd10(cls, value: str) -> str:
        value = value.upper()
        if not value:
            raise ValueError("Oppgi en ICD-10-kode, for eksempel G35.")
        if not _ICD10.fullmatch(value):
            raise ValueError("Skriv en ICD-10-kode, for eksempel G35 eller G36.0.")
        if len(value) > 3 and "." not in value:
            value = f"{value[:3]}.{value[3:]}"
        return value

    @property
    def kategori(self) -> str:
        """The 3-character category (G36.0 → G36)."""
        return self.icd10[:3]

    def dekker(self, kode: str | None) -> bool:
        """A decision for this exact code, or for its whole category, covers the code searched for."""
        stored = (kode or "").replace(".", "").upper()
        return stored in (self.icd10.replace(".", ""), self.kategori)

    def params(self) -> dict[str, str]:
        return {"virkestoff": self.virkestoff, "atc": self.atc, "icd10": self.icd10}


def gruppevedtak_dekker(
    sok: Presedenssok,
    *,
    type: str,
    utfall: str | None,
    icd10_kode: str | None,
    opphevet: bool,
    gyldig_til: date | None,
    idag: date,
) -> bool:
    """Whether an earlier decision is a group decision that already covers the case searched for: granted
    (with or without conditions), not revoked, still valid, and for the case's code or its whole category.
    The one rule of every precedent panel (søker, committee, director), so they never disagree."""
    return (
        type == "gruppe"
        and (utfall or "").startswith("innvilget")
        and not opphevet
        and (gyldig_til is None or gyldig_til >= idag)
        and sok.dekker(icd10_kode)
    )
