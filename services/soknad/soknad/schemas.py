"""HTTP shapes of the soknad API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.events.common import Kategori, SoknadType
from soknad.domain import SoknadInnhold
from soknad.store import Soknad


class SoknadCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: SoknadType = Field(description="`enkeltpasient` or `gruppe`.")
    kategori: Kategori = Field(description="The scheme.")
    enhet: str = Field(min_length=1, max_length=40, description="Unit code the application goes to.")
    innhold: SoknadInnhold = Field(default_factory=SoknadInnhold)


class SoknadUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    versjon: int = Field(ge=1, description="The version you edited; a stale one gives 409.")
    innhold: SoknadInnhold
    kategori: Kategori | None = None
    type: SoknadType | None = None
    enhet: str | None = Field(default=None, min_length=1, max_length=40)


class SendRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    versjon: int | None = Field(default=None, ge=1)


class ForankringRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    begrunnelse: str = Field(min_length=1, max_length=5000, description="The leader's justification.")
    kostnadssted: str = Field(min_length=1, max_length=40, description="Cost centre.")


class ReturRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kommentar: str = Field(min_length=1, max_length=5000, description="What the applicant must fix.")


class MedforfatterRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: str = Field(min_length=1, max_length=100)


class SoknadRead(BaseModel):
    id: str
    hf: str
    lopenummer: str | None
    type: str
    kategori: str
    status: str
    soker_id: str
    soker_navn: str
    enhet: str
    medforfattere: list[str]
    innhold: dict[str, Any]
    forankring: dict[str, Any] | None
    vedtak: dict[str, Any] | None
    retur_kommentar: str | None
    versjon: int
    opprettet_at: datetime
    endret_at: datetime
    sendt_at: datetime | None
    forankret_at: datetime | None
    vedtatt_at: datetime | None

    @classmethod
    def of(cls, soknad: Soknad) -> SoknadRead:
        return cls.model_validate(soknad, from_attributes=True)


class SoknadSummary(BaseModel):
    id: str
    lopenummer: str | None
    type: str
    kategori: str
    status: str
    enhet: str
    legemiddel: str
    indikasjon: str
    versjon: int
    endret_at: datetime

    @classmethod
    def of(cls, soknad: Soknad) -> SoknadSummary:
        innhold = soknad.innhold or {}
        return cls(
            id=soknad.id,
            lopenummer=soknad.lopenummer,
            type=soknad.type,
            kategori=soknad.kategori,
            status=soknad.status,
            enhet=soknad.enhet,
            legemiddel=(innhold.get("legemiddel") or {}).get("navn", ""),
            indikasjon=(innhold.get("indikasjon") or {}).get("kode", ""),
            versjon=soknad.versjon,
            endret_at=soknad.endret_at,
        )
