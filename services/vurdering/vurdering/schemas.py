"""HTTP shapes of the vurdering API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from vurdering.domain import AnbefalingInput, Sporsmal
from vurdering.handlers import SakVisning
from vurdering.store import Anbefaling, Sak
from vurdering.store import Sporsmal as SporsmalRow


class AnbefalingCreate(AnbefalingInput):
    versjon: int | None = Field(
        default=None, ge=1, description="The case version you read; a stale one gives 409."
    )


class TilleggsinformasjonCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sporsmal: Sporsmal = Field(description="The question to the applicant.")


class AnbefalingRead(BaseModel):
    anbefaling: str
    begrunnelse: str
    kriterier: dict[str, int]
    avgitt_av: str
    avgitt_av_navn: str
    avgitt_at: datetime

    @classmethod
    def of(cls, row: Anbefaling) -> AnbefalingRead:
        return cls.model_validate(row, from_attributes=True)


class SporsmalRead(BaseModel):
    id: str
    sporsmal: str
    spurt_av_navn: str
    spurt_at: datetime
    svar: str | None
    besvart_at: datetime | None

    @classmethod
    def of(cls, row: SporsmalRow) -> SporsmalRead:
        return cls.model_validate(row, from_attributes=True)


class SakSummary(BaseModel):
    id: str
    lopenummer: str
    type: str
    kategori: str
    status: str
    legemiddel: str
    indikasjon: str
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
    utfall: str | None
    versjon: int
    forankret_at: datetime
    opprettet_at: datetime
    endret_at: datetime
    anbefalt_at: datetime | None
    avsluttet_at: datetime | None
    anbefaling: AnbefalingRead | None = None
    sporsmal: list[SporsmalRead] = Field(default_factory=list)

    @classmethod
    def of(cls, visning: SakVisning) -> SakRead:
        own = [name for name in cls.model_fields if name not in ("anbefaling", "sporsmal")]
        base = {name: getattr(visning.sak, name) for name in own}
        return cls(
            **base,
            anbefaling=AnbefalingRead.of(visning.anbefaling) if visning.anbefaling else None,
            sporsmal=[SporsmalRead.of(s) for s in visning.sporsmal],
        )
