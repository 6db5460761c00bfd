"""HTTP shapes of the webhook API (the secret appears in one of them: the answer to the registration)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from integrasjon.webhooks.handlers import Logg
from integrasjon.webhooks.tables import WebhookEndepunkt


class EndepunktRead(BaseModel):
    id: str
    navn: str
    url: str
    hendelser: list[str]
    identitet: bool
    format: str = Field(description="`json` (CloudEvent) or `fhir` (the decision's ClaimResponse).")
    aktiv: bool
    feil_pa_rad: int = Field(description="Failed attempts (of any delivery) since the last success.")
    feilet_siden: datetime | None = Field(
        description="When every attempt started failing; null while it succeeds. Disables it after a while."
    )
    deaktivert_at: datetime | None
    deaktivert_grunn: str | None
    opprettet_at: datetime


class EndepunktOpprettet(EndepunktRead):
    hemmelighet: str = Field(
        description="`whsec_…`: verify every delivery's `webhook-signature` with it. Shown only now."
    )


class ForsokRead(BaseModel):
    at: datetime
    statuskode: int | None
    feil: str | None
    varighet_ms: int


class LeveringRead(BaseModel):
    id: int
    webhook_id: str
    hendelse: str
    lopenummer: str
    format: str = Field(description="`json` or `fhir`: the body's format when the delivery was staged.")
    status: str = Field(description="`venter`, `levert` or `feilet` (given up after a day: dead-lettered).")
    forsok: list[ForsokRead]
    neste_forsok_at: datetime | None
    frist_at: datetime
    levert_at: datetime | None
    siste_feil: str | None


def endepunkt_read(e: WebhookEndepunkt) -> EndepunktRead:
    return EndepunktRead(
        id=e.id,
        navn=e.navn,
        url=e.url,
        hendelser=list(e.hendelser),
        identitet=e.identitet,
        format=e.format,
        aktiv=e.aktiv,
        feil_pa_rad=e.feil_pa_rad,
        feilet_siden=e.feilet_siden,
        deaktivert_at=e.deaktivert_at,
        deaktivert_grunn=e.deaktivert_grunn,
        opprettet_at=e.opprettet_at,
    )


def leveringer_read(logg: Logg) -> list[LeveringRead]:
    return [
        LeveringRead(
            id=levering.id,
            webhook_id=levering.event_id,
            hendelse=levering.hendelse,
            lopenummer=levering.lopenummer,
            format=levering.format,
            status=levering.status,
            forsok=[
                ForsokRead(at=f.at, statuskode=f.statuskode, feil=f.feil, varighet_ms=f.varighet_ms)
                for f in logg.forsok[levering.id]
            ],
            neste_forsok_at=levering.neste_forsok_at if levering.status == "venter" else None,
            frist_at=levering.frist_at,
            levert_at=levering.levert_at,
            siste_feil=levering.siste_feil,
        )
        for levering in logg.leveringer
    ]
