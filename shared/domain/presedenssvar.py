"""The national overview's answer to a precedent query (`shared.domain.presedens.Presedenssok`):
`oversikt` answers with these models and `soknad` reads them, so the two cannot drift.

Aggregated by design: counts of single-patient decisions per trust with small cells shown as «<5»,
and the published group decisions."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Antall = int | Literal["<5"]


class PresedensHf(BaseModel):
    model_config = ConfigDict(extra="ignore")

    hf: str = Field(description="Trust code.")
    hf_navn: str
    rhf: str
    innvilget: Antall = Field(description='Single-patient decisions granted; 1–4 is shown as "<5".')
    innvilget_med_vilkar: Antall = Field(description='Granted with conditions; 1–4 is shown as "<5".')
    avslatt: Antall = Field(description='Refused; 1–4 is shown as "<5".')


class PresedensGruppevedtak(BaseModel):
    model_config = ConfigDict(extra="ignore")

    lopenummer: str = Field(description="Ask the trust that owns the case for the decision's details.")
    hf: str
    hf_navn: str
    legemiddel_navn: str
    virkestoff: str
    atc: str | None
    icd10_kode: str = Field(description="ICD-10 code of the decision, e.g. G35.")
    icd10_tekst: str = Field(description="Its text.")
    utfall: str
    vedtak_maned: str | None = Field(description="Month of the decision (YYYY-MM).")
    dekker_koden: bool = Field(
        description="Decided for the code searched for or its whole category, not only a sibling code."
    )


class PresedensSvar(BaseModel):
    model_config = ConfigDict(extra="ignore")

    virkestoff: str
    atc: str
    icd10: str = Field(description="The ICD-10 code searched for.")
    icd10_kategori: str = Field(description="The 3-character category matched (G36.0 → G36).")
    prikkegrense: int = Field(description="Counts from 1 up to below this number are suppressed.")
    per_hf: list[PresedensHf] = Field(description="Single-patient decisions per trust.")
    gruppevedtak: list[PresedensGruppevedtak] = Field(description="Granted group decisions.")
