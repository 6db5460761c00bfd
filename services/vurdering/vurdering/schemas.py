"""HTTP shapes of the vurdering API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from vurdering.domain import AnbefalingInput, Sporsmal
from vurdering.handlers import Saksliste, SakVisning
from vurdering.kommentarer import Kommentartekst
from vurdering.store import Anbefaling, Kommentar, Medlemsvurdering, Sak
from vurdering.store import Sporsmal as SporsmalRow


class AnbefalingCreate(AnbefalingInput):
    versjon: int | None = Field(
        default=None, ge=1, description="The case version you read; a stale one gives 409."
    )


class TilleggsinformasjonCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sporsmal: Sporsmal = Field(description="The question to the applicant.")
    svarfrist: date | None = Field(default=None, description="When an answer is wanted.")


class KommentarCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seksjon_id: str = Field(max_length=100, description="Id of the section of the application.")
    tekst: Kommentartekst = Field(description="The comment.")
    svar_pa: str | None = Field(default=None, max_length=36, description="Id of the comment replied to.")


class KommentarRead(BaseModel):
    id: str
    seksjon_id: str
    svar_pa_id: str | None
    forfatter_navn: str
    forfatter_hpr: str | None
    ekstern: bool
    tekst: str
    skrevet_at: datetime

    @classmethod
    def of(cls, row: Kommentar) -> KommentarRead:
        return cls.model_validate(row, from_attributes=True)


class VurderingUpdate(BaseModel):
    """What the page's autosave sends: the version it holds (0 before the first save) and the fields
    changed since (`alvorlighet`, `alvorlighet_begrunnelse`, …; empty clears a field)."""

    model_config = ConfigDict(extra="forbid")

    versjon: int = Field(ge=0, description="The version the page holds; a stale one gives 409.")
    innhold: dict[str, Any] = Field(description="Changed fields of the assessment by name.")


class VurderingLagret(BaseModel):
    versjon: int
    endret_at: datetime

    @classmethod
    def of(cls, row: Medlemsvurdering) -> VurderingLagret:
        return cls(versjon=row.versjon, endret_at=row.endret_at)


class VurderingRead(BaseModel):
    versjon: int = Field(description="0 when the member has not saved anything yet.")
    innhold: dict[str, Any]
    levert_at: datetime | None = None

    @classmethod
    def of(cls, row: Medlemsvurdering | None) -> VurderingRead:
        if row is None:
            return cls(versjon=0, innhold={})
        return cls(versjon=row.versjon, innhold=row.innhold or {}, levert_at=row.levert_at)


class LeveringCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    versjon: int | None = Field(default=None, ge=1, description="The draft version submitted.")


class InhabilitetCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grunn: Kommentartekst = Field(description="Why the member has a conflict of interest.")


class AnbefalingRead(BaseModel):
    anbefaling: str
    begrunnelse: str
    vilkar: str | None = None
    medlemsvurderinger: list[dict[str, Any]] = Field(default_factory=list)
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
    svarfrist: date | None = None
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
    frist: date | None = None
    forfalt: bool = False
    venter_pa_svar: bool = False

    @classmethod
    def of(cls, sak: Sak, liste: Saksliste) -> SakSummary:
        return cls(
            frist=sak.frist,
            forfalt=liste.forfalt(sak),
            venter_pa_svar=sak.id in liste.venter_pa_svar,
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
    flyt: str | None
    frist: date | None
    medlemmer: list[dict[str, str]]
    nye_felt: list[str]
    visning: list[dict[str, Any]] = Field(default_factory=list, description="The application's sections now.")
    venter_pa_svar: bool = False
    anbefaling: AnbefalingRead | None = None
    sporsmal: list[SporsmalRead] = Field(default_factory=list)

    @classmethod
    def of(cls, visning: SakVisning) -> SakRead:
        computed = ("anbefaling", "sporsmal", "visning", "venter_pa_svar")
        own = [name for name in cls.model_fields if name not in computed]
        base = {name: getattr(visning.sak, name) for name in own}
        return cls(
            **base,
            visning=[s.model_dump(mode="json") for s in visning.visning],
            venter_pa_svar=visning.venter_pa_svar,
            anbefaling=AnbefalingRead.of(visning.anbefaling) if visning.anbefaling else None,
            sporsmal=[SporsmalRead.of(s) for s in visning.sporsmal],
        )
