"""HTTP shapes of the beslutning API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from beslutning.domain import VedtakInput
from beslutning.handlers import SakVisning
from beslutning.store import Sak, Vedtak


class VedtakCreate(VedtakInput):
    versjon: int | None = Field(
        default=None, ge=1, description="The case version you read; a stale one gives 409."
    )


class VedtakRead(BaseModel):
    id: str
    utfall: str
    begrunnelse: str
    vilkar: str | None
    gyldig_til: date | None
    evalueringsdato: date | None
    vurderingsflyt: str
    fattet_av: str
    fattet_av_navn: str
    fattet_at: datetime

    @classmethod
    def of(cls, row: Vedtak) -> VedtakRead:
        return cls.model_validate(row, from_attributes=True)


class SakSummary(BaseModel):
    id: str
    lopenummer: str
    type: str
    kategori: str
    status: str
    legemiddel: str
    indikasjon: str
    anbefaling: str | None = Field(description="The committee's recommendation, if any.")
    forankret_at: datetime
    versjon: int

    @classmethod
    def of(cls, sak: Sak) -> SakSummary:
        return cls(
            id=sak.id,
            lopenummer=sak.lopenummer,
            type=sak.type,
            kategori=sak.kategori,
            status=sak.status,
            legemiddel=sak.legemiddel_navn,
            indikasjon=sak.indikasjon_visning,
            anbefaling=(sak.anbefaling or {}).get("anbefaling"),
            forankret_at=sak.forankret_at,
            versjon=sak.versjon,
        )


class SakRead(BaseModel):
    id: str
    hf: str
    soknad_id: str
    lopenummer: str
    type: str
    kategori: str
    status: str
    snapshot: dict[str, Any] = Field(description="The application as anchored.")
    anbefaling: dict[str, Any] | None = Field(description="The committee's recommendation, if any.")
    versjon: int
    forankret_at: datetime
    opprettet_at: datetime
    endret_at: datetime
    anbefalt_at: datetime | None
    vedtak: VedtakRead | None = None

    @classmethod
    def of(cls, visning: SakVisning) -> SakRead:
        own = [name for name in cls.model_fields if name != "vedtak"]
        vedtak = visning.vedtak
        return cls(
            **{name: getattr(visning.sak, name) for name in own},
            vedtak=VedtakRead.of(vedtak) if vedtak else None,
        )
