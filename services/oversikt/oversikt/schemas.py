"""HTTP shapes of the national oversikt API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from oversikt.store import Sammendrag, VariasjonRad
from shared.events.common import Kategori, Kjonn, NasjonalStatus, SoknadType, Utfall, Vurderingsflyt


class SakRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    lopenummer: str = Field(description="National case number; ask the trust for details.")
    hf: str
    rhf: str
    type: SoknadType
    kategori: Kategori
    legemiddel_navn: str
    virkestoff: str
    atc: str | None
    icd10_kode: str
    icd10_tekst: str
    status: NasjonalStatus
    utfall: Utfall | None
    vurderingsflyt: Vurderingsflyt | None
    med_vilkar: bool
    sendt_maned: str
    vedtak_maned: str | None
    behandlingstid_dager: int | None
    aldersgruppe: str | None
    kjonn: Kjonn | None
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
    icd10_kode: str
    icd10_tekst: str
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
            icd10_kode=r.icd10_kode,
            icd10_tekst=r.icd10_tekst,
            hf=r.hf,
            innvilget=r.innvilget,
            innvilget_med_vilkar=r.innvilget_med_vilkar,
            avslatt=r.avslatt,
            vedtak=r.vedtak,
            andel_innvilget=round(r.andel_innvilget, 3),
        )
