"""HTTP shapes of the beslutning API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from beslutning.domain import (
    InterregionaltVedtakInput,
    OpphevInput,
    SporsmalInput,
    TriageInput,
    VedtakInput,
    VideresendInput,
)
from beslutning.fraser import FraseInput
from beslutning.handlers.common import SakVisning
from beslutning.handlers.saker import Innboks
from beslutning.store import Frase, Sak, Vedtak

_VERSJON = Field(default=None, ge=1, description="The case version you read; a stale one gives 409.")


class _Versjonert(BaseModel):
    versjon: int | None = _VERSJON

    def input(self) -> Any:
        """The command without the version (the use case's own input model)."""
        base = next(
            b
            for b in type(self).__mro__[1:]
            if b not in (_Versjonert, BaseModel) and issubclass(b, BaseModel)
        )
        return base.model_validate(self.model_dump(exclude={"versjon"}))


class VedtakCreate(VedtakInput, _Versjonert):
    versjon: int | None = _VERSJON


class EndringCreate(VedtakInput, _Versjonert):
    versjon: int | None = _VERSJON


class OpphevCreate(OpphevInput, _Versjonert):
    versjon: int | None = _VERSJON


class TriageCreate(TriageInput):
    versjon: int | None = _VERSJON


class SporsmalCreate(SporsmalInput, _Versjonert):
    versjon: int | None = _VERSJON


class VideresendCreate(VideresendInput, _Versjonert):
    versjon: int | None = _VERSJON


class InterregionaltCreate(InterregionaltVedtakInput, _Versjonert):
    versjon: int | None = _VERSJON


class FakturertUpdate(BaseModel):
    fakturert: bool = Field(default=True, description="True: invoiced now; false: not invoiced after all.")


class FraseUpdate(FraseInput):
    versjon: int | None = Field(default=None, ge=1, description="The phrase version you read.")


class FraseRead(BaseModel):
    id: str
    felt: str
    tittel: str
    tekst: str
    url: str | None
    aktiv: bool
    versjon: int
    endret_at: datetime
    endret_av_navn: str

    @classmethod
    def of(cls, row: Frase) -> FraseRead:
        return cls.model_validate(row, from_attributes=True)


class VedtakRead(BaseModel):
    id: str
    art: str
    erstatter_vedtak_id: str | None
    gjeldende: bool
    utfall: str
    begrunnelse: str
    vilkar: str | None
    vilkar_liste: list[dict[str, Any]] | None
    omfang: dict[str, Any] | None
    gyldig_fra: date | None
    gyldig_til: date | None
    evalueringsdato: date | None
    kostnadssted: str | None
    resept_merknad: str | None
    faktureringsrutine: str | None
    interregional_referanse: str | None
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
    enhet: str
    legemiddel: str
    indikasjon: str
    anbefaling: str | None = Field(description="The committee's recommendation, if any.")
    vurderingsflyt: str | None
    frist: date
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
            enhet=sak.enhet,
            legemiddel=sak.legemiddel_navn,
            indikasjon=sak.indikasjon_visning,
            anbefaling=(sak.anbefaling or {}).get("anbefaling"),
            vurderingsflyt=sak.vurderingsflyt,
            frist=sak.frist,
            forankret_at=sak.forankret_at,
            versjon=sak.versjon,
        )


class InnboksRad(BaseModel):
    id: str
    lopenummer: str
    type: str
    kategori: str
    status: str
    enhet: str
    legemiddel: str
    indikasjon: str
    frist: date
    forankret_at: datetime
    alder_dager: int
    forfalt: bool
    hos: str


class InnboksRead(BaseModel):
    totalt: int
    side: int
    sider: int
    saker: list[InnboksRad]

    @classmethod
    def of(cls, innboks: Innboks) -> InnboksRead:
        return cls(
            totalt=innboks.totalt,
            side=innboks.side,
            sider=innboks.sider,
            saker=[InnboksRad.model_validate(r, from_attributes=True) for r in innboks.rader],
        )


class SakRead(BaseModel):
    id: str
    hf: str
    soknad_id: str
    lopenummer: str
    type: str
    kategori: str
    status: str
    enhet: str
    vurderingsflyt: str | None
    frist: date
    snapshot: dict[str, Any] = Field(description="The application as anchored (updated by answers).")
    anbefaling: dict[str, Any] | None = Field(description="The committee's recommendation, if any.")
    komite: dict[str, Any] | None = Field(description="The committee assignment (komplett).")
    interregional: dict[str, Any] | None = Field(description="Tilgangsordningen: forwarding and decision.")
    sporsmal: list[dict[str, Any]] | None = Field(description="The director's questions and the answers.")
    versjon: int
    forankret_at: datetime
    opprettet_at: datetime
    endret_at: datetime
    anbefalt_at: datetime | None
    vedtak: VedtakRead | None = None
    alle_vedtak: list[VedtakRead] = Field(
        default_factory=list, description="Every decision, the first first."
    )

    @classmethod
    def of(cls, visning: SakVisning) -> SakRead:
        own = [name for name in cls.model_fields if name not in ("vedtak", "alle_vedtak")]
        vedtak = visning.vedtak
        return cls(
            **{name: getattr(visning.sak, name) for name in own},
            vedtak=VedtakRead.of(vedtak) if vedtak else None,
            alle_vedtak=[VedtakRead.of(v) for v in visning.alle_vedtak],
        )
