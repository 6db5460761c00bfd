"""HTTP shapes of the national oversikt API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from oversikt.store import Sammendrag, VariasjonRad


class SakRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    lopenummer: str = Field(description="National case number; ask the trust for details.")
    hf: str
    rhf: str
    type: str
    kategori: str
    legemiddel_navn: str
    virkestoff: str
    atc: str | None
    indikasjon_kode: str
    indikasjon_tekst: str
    status: str
    utfall: str | None
    vurderingsflyt: str | None
    med_vilkar: bool
    sendt_maned: str
    vedtak_maned: str | None
    behandlingstid_dager: int | None
    aldersgruppe: str | None
    kjonn: str | None
    gruppe_storrelse: int | None
    kostnadsband: str | None
    sekvens: int = Field(description="Sequence of the summary shown.")
    oppdateringer: int = Field(description="How many summaries of the case were accepted.")
    mottatt_at: datetime = Field(description="When the latest summary arrived.")

    @classmethod
    def of(cls, s: Sammendrag) -> SakRead:
        return cls.model_validate(s)


class SakSide(BaseModel):
    totalt: int = Field(description="Cases matching the filters.")
    side: int
    per_side: int
    saker: list[SakRead]


class VariasjonRead(BaseModel):
    virkestoff: str
    indikasjon_kode: str
    indikasjon_tekst: str
    hf: str
    innvilget: int
    innvilget_med_vilkar: int
    avslatt: int
    vedtak: int = Field(description="Decisions in all.")
    andel_innvilget: float = Field(description="Share granted (with or without conditions), 0–1.")

    @classmethod
    def of(cls, r: VariasjonRad) -> VariasjonRead:
        return cls(
            virkestoff=r.virkestoff,
            indikasjon_kode=r.indikasjon_kode,
            indikasjon_tekst=r.indikasjon_tekst,
            hf=r.hf,
            innvilget=r.innvilget,
            innvilget_med_vilkar=r.innvilget_med_vilkar,
            avslatt=r.avslatt,
            vedtak=r.vedtak,
            andel_innvilget=round(r.andel_innvilget, 3),
        )


Antall = int | Literal["<5"]


class PresedensHfRead(BaseModel):
    hf: str = Field(description="Trust code.")
    hf_navn: str
    rhf: str
    innvilget: Antall = Field(description='Single-patient decisions granted; 1–4 is shown as "<5".')
    innvilget_med_vilkar: Antall = Field(description='Granted with conditions; 1–4 is shown as "<5".')
    avslatt: Antall = Field(description='Refused; 1–4 is shown as "<5".')


class PresedensGruppevedtakRead(BaseModel):
    lopenummer: str = Field(description="Ask the trust that owns the case for the decision's details.")
    hf: str
    hf_navn: str
    legemiddel_navn: str
    virkestoff: str
    atc: str | None
    indikasjon_kode: str
    indikasjon_tekst: str
    utfall: str
    vedtak_maned: str | None = Field(description="Month of the decision (YYYY-MM).")
    dekker_koden: bool = Field(
        description="Decided for the code searched for or its whole category, not only a sibling code."
    )


class PresedensRead(BaseModel):
    virkestoff: str
    atc: str
    icd10: str
    icd10_kategori: str = Field(description="The 3-character category matched (G36.0 → G36).")
    prikkegrense: int = Field(description="Counts from 1 up to below this number are suppressed.")
    per_hf: list[PresedensHfRead] = Field(description="Single-patient decisions per trust.")
    gruppevedtak: list[PresedensGruppevedtakRead] = Field(description="Granted group decisions.")
