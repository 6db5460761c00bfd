"""HTTP shapes of the soknad API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.events.common import Kategori, SoknadType
from soknad.handlers.utkast import Skjemastatus
from soknad.store import Soknad
from soknad.store.utkast import Utkast

Innhold = dict[str, Any]
INNHOLD_DESCRIPTION = (
    "Answers by question id of the form definition (composites such as `legemiddel` and `indikasjon` "
    'are objects). On save, answers left out are kept and an empty one (`""` or `null`) is cleared; '
    "only the format of the answers given is checked. An unknown question id is a 422."
)


class SoknadCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: SoknadType = Field(description="`enkeltpasient` or `gruppe`.")
    kategori: Kategori = Field(description="The scheme.")
    enhet: str = Field(min_length=1, max_length=40, description="Unit code the application goes to.")
    innhold: Innhold = Field(default_factory=dict, description=INNHOLD_DESCRIPTION)


class SoknadUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    versjon: int = Field(ge=1, description="The version you edited; a stale one gives 409.")
    innhold: Innhold = Field(description=INNHOLD_DESCRIPTION)
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
    skjema_versjon: int = Field(description="Version of the form definition the answers belong to.")
    forankring: dict[str, Any] | None
    vedtak: dict[str, Any] | None
    retur_kommentar: str | None
    versjon: int
    opprettet_at: datetime
    endret_at: datetime
    sendt_at: datetime | None
    forankret_at: datetime | None
    vedtatt_at: datetime | None
    fortsettelse_av: str | None = Field(
        default=None, description="Id of the granted application whose treatment this one continues."
    )

    @classmethod
    def of(cls, soknad: Soknad) -> SoknadRead:
        return cls.model_validate(soknad, from_attributes=True)


class SeksjonFullforing(BaseModel):
    besvart: int = Field(description="Required questions answered (and valid).")
    pakrevd: int = Field(description="Required questions in the section for this type, kategori and answers.")
    komplett: bool = Field(description="Nothing missing or invalid in the section.")
    status: str = Field(description="`komplett`, `mangler` (started, something missing) or `ikke_startet`.")


class Avledet(BaseModel):
    alder: int | None = Field(description="Age in whole years, when the number gives a birth date.")
    kjonn: str | None = Field(description="`mann` or `kvinne`, when the number gives it.")
    tekst: str = Field(description="For display next to the field.")


class SoknadSkjemaRead(SoknadRead):
    """An application with what its page needs to follow the form without reloading."""

    synlige: list[str] = Field(description="Question ids that apply now (type, kategori and answers).")
    fullforing: dict[str, SeksjonFullforing] = Field(description="Completeness per visible section id.")
    avledet: dict[str, Avledet] = Field(description="Derived from answers, by question id (age and sex).")

    @classmethod
    def with_state(cls, soknad: Soknad, state: Skjemastatus) -> SoknadSkjemaRead:
        read = SoknadRead.of(soknad)
        return cls(
            **read.model_dump(),
            synlige=state.vurdering.synlige,
            fullforing={
                key: SeksjonFullforing(**value.as_dict())
                for key, value in state.vurdering.fullforing().items()
            },
            avledet={key: Avledet(**value) for key, value in state.avledet.items()},
        )


class SoknadLagret(BaseModel):
    """The answer to a save sent with `Prefer: return=minimal` (autosave): the new version and what the
    page needs to follow the form, without sending the application back."""

    id: str
    versjon: int
    endret_at: datetime
    synlige: list[str] = Field(description="Question ids that apply now (type, kategori and answers).")
    fullforing: dict[str, SeksjonFullforing] = Field(description="Completeness per visible section id.")
    avledet: dict[str, Avledet] = Field(description="Derived from answers, by question id (age and sex).")

    @classmethod
    def with_state(cls, utkast: Utkast, state: Skjemastatus) -> SoknadLagret:
        # Validated from plain data in one call into pydantic-core: building the nested models one by one
        # in Python cost several times as much, on every autosave.
        return cls.model_validate(
            {
                "id": utkast.id,
                "versjon": utkast.versjon,
                "endret_at": utkast.endret_at,
                "synlige": state.vurdering.synlige,
                "fullforing": {key: value.as_dict() for key, value in state.vurdering.fullforing().items()},
                "avledet": state.avledet,
            }
        )


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
