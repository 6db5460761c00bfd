"""JSON API of working together after sending: delegation, answers to questions, follow-up."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.events.common import Avslutningsarsak, Bivirkningsgrad
from soknad.deps import CurrentPrincipal, Db, Personkatalog, Settings
from soknad.handlers.forankring import delegere
from soknad.handlers.fortsettelse import soke_fortsettelse
from soknad.handlers.oppfolging import list_oppfolging, registrere
from soknad.handlers.tilleggsinfo import besvare, list_sporsmal
from soknad.samarbeid import KOMMENTAR_MAX, SVAR_MAX
from soknad.schemas import SoknadRead
from soknad.skjema.register import Skjemaer
from soknad.store.oppfolging import Oppfolging
from soknad.store.tilleggsinfo import TilleggsinfoSporsmal

router = APIRouter(prefix="/api/soknader", tags=["søknader"])


KommentarText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=KOMMENTAR_MAX)
]
SvarText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=SVAR_MAX)]


class DelegeringRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enhet: str = Field(min_length=1, max_length=40, description="Code of the unit that takes over.")
    kommentar: KommentarText = Field(description="Comment to the leader who takes over.")


class SvarRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    svar: SvarText = Field(description="The answer to the question.")
    innhold: dict[str, Any] | None = Field(
        default=None,
        description="Answers of the application to update with the answer, by question id (as a draft "
        "saves them; answers left out are kept). Checked with the form's rules: 422 names the field.",
    )


class SporsmalRead(BaseModel):
    id: str
    sporsmal: str
    spurt_at: datetime
    spurt_av_navn: str | None
    svarfrist: date | None
    kilde: str = Field(description="Who asked: `vurdering` (the committee) or `beslutning` (the director).")
    endrede_felt: list[str] | None = Field(description="Question ids the answer changed in the application.")
    svar: str | None
    besvart_at: datetime | None
    besvart_av_navn: str | None

    @classmethod
    def of(cls, row: TilleggsinfoSporsmal) -> SporsmalRead:
        return cls.model_validate(row, from_attributes=True)


class OppfolgingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    effekt: Literal["ingen", "delvis", "god"] = Field(description="Effect of the treatment.")
    bivirkninger: bool = Field(description="Whether adverse events occurred.")
    bivirkninger_beskrivelse: str = Field(
        default="", max_length=KOMMENTAR_MAX, description="The adverse events (required when there were any)."
    )
    fortsetter: bool = Field(description="Whether the treatment continues.")
    begrunnelse: str = Field(
        default="",
        max_length=KOMMENTAR_MAX,
        description="Why it continues or stopped (required when stopped).",
    )
    avslutningsarsak: str = Field(
        default="",
        max_length=30,
        description="Why it stopped, as a category (required when it does not continue): "
        + ", ".join(f"`{v}`" for v in get_args(Avslutningsarsak))
        + ".",
    )
    bivirkningsgrad: str = Field(
        default="",
        max_length=30,
        description="The gravest adverse event's category (required when there were adverse events): "
        + ", ".join(f"`{v}`" for v in get_args(Bivirkningsgrad))
        + ".",
    )


class OppfolgingRead(BaseModel):
    id: str
    effekt: str
    bivirkninger: bool
    bivirkninger_beskrivelse: str | None
    fortsetter: bool
    begrunnelse: str | None
    avslutningsarsak: str | None
    bivirkningsgrad: str | None
    registrert_at: datetime
    registrert_av_navn: str

    @classmethod
    def of(cls, row: Oppfolging) -> OppfolgingRead:
        return cls.model_validate(row, from_attributes=True)


@router.post("/{soknad_id}/delegering", summary="Delegate the anchoring to another unit's leader (leder)")
async def delegate(
    soknad_id: str, body: DelegeringRequest, p: CurrentPrincipal, db: Db, katalog: Personkatalog
) -> SoknadRead:
    soknad = await delegere(db, p, soknad_id, enhet=body.enhet, kommentar=body.kommentar, katalog=katalog)
    return SoknadRead.of(soknad)


@router.get("/{soknad_id}/tilleggsinfo", summary="The assessment's questions and the answers (audited)")
async def questions(soknad_id: str, p: CurrentPrincipal, db: Db) -> list[SporsmalRead]:
    rows = await list_sporsmal(db, p, soknad_id, purpose="Lese spørsmål fra vurderingen (API)")
    return [SporsmalRead.of(r) for r in rows]


@router.post(
    "/{soknad_id}/tilleggsinfo/{sporsmal_id}/svar",
    summary="Answer a question from the assessment; the case resumes when every question is answered",
)
async def answer(
    soknad_id: str,
    sporsmal_id: str,
    body: SvarRequest,
    p: CurrentPrincipal,
    db: Db,
    settings: Settings,
    skjemaer: Skjemaer,
) -> SporsmalRead:
    row = await besvare(
        db,
        p,
        soknad_id,
        sporsmal_id,
        svar=body.svar,
        innhold=body.innhold,
        skjemaer=skjemaer,
        allow_synthetic=settings.allow_synthetic_personnummer,
    )
    return SporsmalRead.of(row)


@router.get("/{soknad_id}/oppfolging", summary="Follow-ups of a treatment, newest first (audited)")
async def follow_ups(soknad_id: str, p: CurrentPrincipal, db: Db) -> list[OppfolgingRead]:
    side = await list_oppfolging(db, p, soknad_id, purpose="Lese oppfølging (API)")
    return [OppfolgingRead.of(r) for r in side.oppfolginger]


@router.post(
    "/{soknad_id}/oppfolging",
    status_code=status.HTTP_201_CREATED,
    summary="Register a follow-up after an approval; 409 before it",
)
async def follow_up(soknad_id: str, body: OppfolgingCreate, p: CurrentPrincipal, db: Db) -> OppfolgingRead:
    row = await registrere(
        db,
        p,
        soknad_id,
        effekt=body.effekt,
        bivirkninger=body.bivirkninger,
        bivirkninger_beskrivelse=body.bivirkninger_beskrivelse,
        fortsetter=body.fortsetter,
        begrunnelse=body.begrunnelse,
        avslutningsarsak=body.avslutningsarsak,
        bivirkningsgrad=body.bivirkningsgrad,
    )
    return OppfolgingRead.of(row)


@router.post(
    "/{soknad_id}/fortsettelse",
    status_code=status.HTTP_201_CREATED,
    summary="Apply for continuation of a granted treatment whose validity is ending: a prefilled draft "
    "linked to it (the same draft again on a second call); 409 when the validity is not ending",
)
async def continuation(
    soknad_id: str, p: CurrentPrincipal, db: Db, settings: Settings, skjemaer: Skjemaer
) -> SoknadRead:
    ny = await soke_fortsettelse(
        db,
        p,
        soknad_id,
        skjemaer=skjemaer,
        allow_synthetic=settings.allow_synthetic_personnummer,
        varsel_dager=settings.fortsettelse_varsel_dager,
    )
    return SoknadRead.of(ny)
