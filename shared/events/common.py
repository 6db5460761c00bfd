"""Value types shared by several event contracts."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SoknadType = Literal["enkeltpasient", "gruppe"]
Kategori = Literal["off_label", "godkjenningsfritak", "unntaksordningen", "tilgangsordningen"]
Kjonn = Literal["mann", "kvinne"]
Anbefaling = Literal["innvilge", "innvilge_med_vilkar", "avsla"]
Utfall = Literal["innvilget", "innvilget_med_vilkar", "avslatt"]
Vurderingsflyt = Literal["forenklet", "komplett"]
Effekt = Literal["ingen", "delvis", "god"]


class NasjonalStatus(StrEnum):
    """A case's coarse status in the national summary (the trust's finer ones stay in the trust)."""

    TIL_VURDERING = "til_vurdering"
    VEDTATT = "vedtatt"
    TRUKKET = "trukket"


class Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Legemiddel(Value):
    navn: str = Field(
        description="Brand or generic name with form and strength, as chosen; at most 200 characters."
    )
    virkestoff: str = Field(description="Active substance; at most 200 characters.")
    atc: str | None = Field(default=None, description="ATC code in upper case, e.g. L01FA01.")
    fest_id: str | None = Field(default=None, description="FEST `ID_<GUID>` of the brand, if chosen.")
    legemiddelform: str | None = Field(default=None, description="Pharmaceutical form.")
    styrke: str | None = Field(default=None, description="Strength.")
    verifisert: bool = Field(description="True when chosen from the drug catalogue, false when typed.")


class Indikasjon(Value):
    kode: str = Field(
        description="ICD-10 code in upper case with the dot, e.g. G35 or G36.0 (called `icd10_kode` "
        "wherever it is not inside `indikasjon`)."
    )
    tekst: str = Field(description="Diagnosis text; at most 300 characters (elsewhere `icd10_tekst`).")
    system: Literal["icd10"] = Field(default="icd10", description="Code system.")
    verifisert: bool = Field(description="True when chosen from the code list, false when typed.")


class Pasient(Value):
    """Personal data: travels on a trust's internal broker only, never to the national overview."""

    fodselsnummer: str = Field(description="Fødselsnummer or D-nummer (11 digits).")
    navn: str = Field(description="Patient's full name.")
    fodselsdato: date | None = Field(default=None, description="Derived birth date.")
    kjonn: Kjonn | None = Field(default=None, description="Derived sex.")


class Forankring(Value):
    leder_id: str = Field(description="User id of the anchoring leader.")
    leder_navn: str = Field(description="Name of the anchoring leader.")
    begrunnelse: str = Field(description="The leader's justification.")
    kostnadssted: str = Field(description="Cost centre that pays.")


class Kriterievurdering(Value):
    alvorlighet: int = Field(ge=1, le=3, description="Severity: 1 low, 2 moderate, 3 high.")
    nytte: int = Field(ge=1, le=3, description="Expected benefit: 1 low, 2 moderate, 3 high.")
    ressursbruk: int = Field(ge=1, le=3, description="Resource use: 1 low, 2 moderate, 3 high.")
    evidenskvalitet: int = Field(ge=1, le=3, description="Quality of evidence: 1 low, 2 moderate, 3 high.")
