"""Pure rules of an assessment case: its statuses, the allowed transitions, who may take a committee
step, and what an assessment and a recommendation must contain."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from shared.domain.labels import ANBEFALING_LABELS, KATEGORI_LABELS, NIVA_LABELS, TYPE_LABELS, UTFALL_LABELS  # noqa: F401 - used by views and templates
from shared.domain.overganger import Handling, Overgang, Overganger
from shared.events.common import Anbefaling
from shared.platform.errors import Forbidden, InvalidTransition


class Status(StrEnum):
    # Anchored, but the medical director has not chosen the flow: not in the committee's queue.
    VENTER_PA_TRIAGE = "venter_pa_triage"
    TIL_VURDERING = "til_vurdering"
    # A question to the applicant (the committee's or the director's) is open: the committee may keep
    # working, but it does not recommend, and the deadline is not counted as overdue, until the answer.
    VENTER_PA_SVAR = "venter_pa_svar"
    ANBEFALT = "anbefalt"
    AVSLUTTET = "avsluttet"
    TRUKKET = "trukket"


STATUS_LABELS = {
    Status.VENTER_PA_TRIAGE: "Venter på fagdirektørens triage",
    Status.TIL_VURDERING: "Til vurdering",
    Status.VENTER_PA_SVAR: "Venter på svar fra søker",
    Status.ANBEFALT: "Anbefalt",
    Status.AVSLUTTET: "Avsluttet",
    Status.TRUKKET: "Trukket",
}


@dataclass(frozen=True)
class Kriterium:
    navn: str
    label: str
    hjelp: str


# The priority criteria (Meld. St. 34 (2015–2016), prioriteringsforskriften § 2) and the quality of
# the evidence, in the order the committee weighs them.
KRITERIER: tuple[Kriterium, ...] = (
    Kriterium(
        "alvorlighet",
        "Alvorlighet",
        "Prioriteten øker med risiko for død eller funksjonstap, graden av funksjonstap og smerte. "
        "Nåværende tilstand, varighet og tapte fremtidige leveår teller med; hastegrad øker alvorligheten.",
    ),
    Kriterium(
        "nytte",
        "Nytte",
        "Prioriteten øker med forventet gevinst i leveår eller livskvalitet: overlevelse, bedre funksjon "
        "eller mestring, mindre smerte eller ubehag.",
    ),
    Kriterium(
        "ressursbruk",
        "Ressursbruk",
        "Prioriteten øker jo færre ressurser tiltaket bruker. Høy ressursbruk (kostnad, personell, "
        "budsjettvirkning) trekker ned; kostnaden skal stå i rimelig forhold til nytten.",
    ),
    Kriterium(
        "evidenskvalitet",
        "Kvalitet på dokumentasjonen",
        "Hvor godt dokumentasjonen støtter forventet effekt: lav (kasuistikker, ekspertuttalelser), "
        "moderat (observasjonsstudier, små studier), høy (randomiserte studier, systematiske oversikter).",
    ),
)

transition = Overganger(
    Status,
    STATUS_LABELS,
    {
        # The director's choice of the complete flow (`SakSendtTilKomite`) opens the committee's work.
        Handling.SENDE: Overgang(
            frozenset({Status.VENTER_PA_TRIAGE}),
            Status.TIL_VURDERING,
            "Saken er allerede sendt til komiteen, eller den er avsluttet.",
        ),
        # Not while a question is open (`krev_kan_anbefale` says so in its own words).
        Handling.ANBEFALE: Overgang(
            frozenset({Status.TIL_VURDERING}),
            Status.ANBEFALT,
            "Saken er ikke lenger til vurdering, så komiteen kan ikke gi en ny anbefaling.",
        ),
        # Asking the applicant makes the case wait for the answer (`etter_svar` resumes it); the
        # committee keeps working on it meanwhile, and may ask more.
        Handling.ETTERSPORRE: Overgang(
            frozenset({Status.TIL_VURDERING, Status.VENTER_PA_SVAR}),
            Status.VENTER_PA_SVAR,
            "Saken er ikke lenger til vurdering, så det kan ikke bes om mer informasjon.",
        ),
        # The director's decision closes the committee's case, with or without a recommendation.
        Handling.VEDTA: Overgang(
            frozenset(
                {Status.VENTER_PA_TRIAGE, Status.TIL_VURDERING, Status.VENTER_PA_SVAR, Status.ANBEFALT}
            ),
            Status.AVSLUTTET,
            "Saken er allerede avsluttet eller trukket.",
        ),
        # The applicant's withdrawal wins even over a decision that crossed it on the way (soknad keeps it).
        Handling.TREKKE: Overgang(
            frozenset(
                {
                    Status.VENTER_PA_TRIAGE,
                    Status.TIL_VURDERING,
                    Status.VENTER_PA_SVAR,
                    Status.ANBEFALT,
                    Status.AVSLUTTET,
                }
            ),
            Status.TRUKKET,
            "Saken er allerede trukket.",
        ),
    },
)
"""The status after an action, or InvalidTransition with a Norwegian reason."""

VENTER_PA_SVAR_MELDING = (
    "Saken venter på svar fra søker på et spørsmål. Komiteen kan gi anbefaling når svaret er kommet."
)


def krev_kan_anbefale(status: str) -> Status:
    """The status after the committee's recommendation; refused while a question to the applicant is
    open, since the answer may change the assessment."""
    if Status(status) == Status.VENTER_PA_SVAR:
        raise InvalidTransition(VENTER_PA_SVAR_MELDING)
    return transition(status, Handling.ANBEFALE)


def etter_sporsmal(status: str) -> Status:
    """The status after a question to the applicant arrived from outside the committee (the director's):
    a case with the committee waits; one not yet sent to it, or already recommended or closed, stays."""
    return (
        transition(status, Handling.ETTERSPORRE)
        if transition.allowed(status, Handling.ETTERSPORRE)
        else Status(status)
    )


def etter_svar(status: str, *, apne_sporsmal: int) -> Status:
    """The status after the applicant answered: the waiting case resumes when no question is left open."""
    if Status(status) == Status.VENTER_PA_SVAR and apne_sporsmal == 0:
        return Status.TIL_VURDERING
    return Status(status)


def til_komiteen(status: str, *, apne_sporsmal: int) -> Status:
    """The status after the director sent the case to the committee: waiting straight away if a question
    (the director's own, asked before the triage) is still open."""
    ny = transition(status, Handling.SENDE)
    return Status.VENTER_PA_SVAR if apne_sporsmal else ny


Begrunnelse = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]


class Kriterievurdering(BaseModel):
    """The committee's score per criterion: 1 lav, 2 moderat, 3 høy."""

    model_config = ConfigDict(extra="forbid")

    alvorlighet: int = Field(ge=1, le=3, description="Severity: 1 low, 2 moderate, 3 high.")
    nytte: int = Field(ge=1, le=3, description="Expected benefit: 1 low, 2 moderate, 3 high.")
    ressursbruk: int = Field(ge=1, le=3, description="Resource use: 1 low, 2 moderate, 3 high.")
    evidenskvalitet: int = Field(ge=1, le=3, description="Quality of evidence: 1 low, 2 moderate, 3 high.")


class AnbefalingInput(BaseModel):
    """What a committee member must give to recommend."""

    model_config = ConfigDict(extra="forbid")

    anbefaling: Anbefaling = Field(description="`innvilge`, `innvilge_med_vilkar` or `avsla`.")
    begrunnelse: Begrunnelse = Field(description="Reasons for the recommendation.")
    kriterier: Kriterievurdering = Field(description="Assessment against the priority criteria.")
    vilkar: str | None = Field(
        default=None,
        max_length=10_000,
        validate_default=True,
        description="Proposed conditions; required for `innvilge_med_vilkar`.",
    )

    @field_validator("vilkar")
    @classmethod
    def _vilkar(cls, value: str | None, info: ValidationInfo) -> str | None:
        value = (value or "").strip() or None
        if info.data.get("anbefaling") == "innvilge_med_vilkar" and not value:
            raise ValueError("Skriv vilkårene komiteen foreslår.")
        return value


Sporsmal = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5_000)]


# --- who may take a committee step ------------------------------------------------------------------

FLYT_FORENKLET = "forenklet"
FLYT_KOMPLETT = "komplett"


def krev_komitesteg(status: str, flyt: str | None) -> None:
    """A committee step (comment, assessment, recommendation, question, consultation) needs the case in
    the complete flow: sent to the committee by the director and not closed."""
    if flyt == FLYT_FORENKLET:
        raise InvalidTransition(
            "Fagdirektøren behandler saken i forenklet flyt, uten komiteen. "
            "Komiteen kan ikke arbeide med den."
        )
    if Status(status) == Status.VENTER_PA_TRIAGE:
        raise InvalidTransition(
            "Fagdirektøren har ikke sendt saken til komiteen ennå. Komiteen kan ikke arbeide med den før det."
        )
    if Status(status) in (Status.AVSLUTTET, Status.TRUKKET):
        raise InvalidTransition(
            f"Saken er {STATUS_LABELS[Status(status)].lower()}. Komiteen kan ikke arbeide med den lenger."
        )


class IkkeMedlem(Forbidden):
    """The director names the members who assess a case; other committee users may only read it."""


IKKE_MEDLEM_MELDING = (
    "Du er ikke oppnevnt som medlem i denne saken. Fagdirektøren oppnevner medlemmene; "
    "du kan lese saken, men ikke vurdere, kommentere, spørre søker, invitere eller gi anbefaling."
)


def er_medlem(user_id: str, medlemmer: Iterable[Mapping[str, str]] | None) -> bool:
    return any(m.get("id") == user_id for m in medlemmer or ())


def krev_medlem(user_id: str, medlemmer: Iterable[Mapping[str, str]] | None) -> None:
    """A committee step on a case needs the member to be one of those the director named
    (`SakSendtTilKomite.medlemmer`); a case with no named member has nobody to work on it."""
    if not er_medlem(user_id, medlemmer):
        raise IkkeMedlem(IKKE_MEDLEM_MELDING)


class Inhabil(Forbidden):
    """A member who declared a conflict of interest takes no part in the assessment."""


def krev_habil(medlem_id: str, inhabile: set[str] | frozenset[str]) -> None:
    if medlem_id in inhabile:
        raise Inhabil(
            "Du har meldt deg inhabil i denne saken, og kan derfor ikke vurdere den eller gi anbefaling."
        )


# --- the structured assessment per member -----------------------------------------------------------


@dataclass(frozen=True)
class Vurderingsfelt:
    navn: str
    label: str
    hjelp: str


# The assessment's free-text parts besides the scored criteria (DOMAIN.md 4.5: assessment).
VURDERINGSFELT: tuple[Vurderingsfelt, ...] = (
    Vurderingsfelt(
        "sikkerhet",
        "Sikkerhet",
        "Kjente og mulige bivirkninger, interaksjoner og risiko for denne pasienten, og hvordan de skal "
        "følges opp.",
    ),
    Vurderingsfelt(
        "alternativer",
        "Alternativer",
        "Godkjent behandling (on-label) som er prøvd eller kan prøves, og om pasienten kan delta i en "
        "klinisk studie i stedet.",
    ),
    Vurderingsfelt(
        "nye_metoder_status",
        "Status i Nye metoder",
        "Er metoden vurdert, under vurdering eller avslått i Nye metoder? Finnes et gruppevedtak eller en "
        "unntaksliste som dekker saken?",
    ),
    Vurderingsfelt(
        "kostnad_budsjett",
        "Kostnad og budsjettvirkning",
        "Anslått kostnad for behandlingsperioden, hvem som betaler (kostnadssted) og virkningen for "
        "enhetens budsjett.",
    ),
)

SCORED = tuple(k.navn for k in KRITERIER)
"""The criteria scored 1–3: alvorlighet, nytte, ressursbruk, evidenskvalitet."""
JUSTIFIED = ("alvorlighet", "nytte", "ressursbruk")
"""The priority criteria whose score needs its own justification."""
SKJEMAFELT: tuple[str, ...] = (
    *SCORED,
    *(f"{k}_begrunnelse" for k in JUSTIFIED),
    *(f.navn for f in VURDERINGSFELT),
    "anbefaling",
)
"""Every field of a member's assessment, as the autosave sends them (`innhold.<navn>`)."""

Tekst = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]


class Vurderingsutkast(BaseModel):
    """Part of a member's assessment as autosave sends it: any subset of the fields; an empty value
    clears the field."""

    model_config = ConfigDict(extra="forbid")

    alvorlighet: int | None = Field(default=None, ge=1, le=3)
    nytte: int | None = Field(default=None, ge=1, le=3)
    ressursbruk: int | None = Field(default=None, ge=1, le=3)
    evidenskvalitet: int | None = Field(default=None, ge=1, le=3)
    alvorlighet_begrunnelse: Tekst | None = None
    nytte_begrunnelse: Tekst | None = None
    ressursbruk_begrunnelse: Tekst | None = None
    sikkerhet: Tekst | None = None
    alternativer: Tekst | None = None
    nye_metoder_status: Tekst | None = None
    kostnad_budsjett: Tekst | None = None
    anbefaling: Anbefaling | None = None

    @model_validator(mode="before")
    @classmethod
    def _blank_is_none(cls, data: object) -> object:
        if isinstance(data, dict):
            return {k: (None if isinstance(v, str) and not v.strip() else v) for k, v in data.items()}
        return data


def mangler_for_levering(innhold: dict[str, object]) -> list[dict[str, str]]:
    """What a member must fill in before submitting the assessment: every score, a justification for
    each priority criterion, and the member's own view. Norwegian messages by field."""
    errors: list[dict[str, str]] = []
    labels = {k.navn: k.label.lower() for k in KRITERIER}
    for navn in SCORED:
        if innhold.get(navn) in (None, ""):
            errors.append(
                {"field": f"innhold.{navn}", "message": f"Velg lav, moderat eller høy for {labels[navn]}."}
            )
    for navn in JUSTIFIED:
        if not str(innhold.get(f"{navn}_begrunnelse") or "").strip():
            errors.append(
                {
                    "field": f"innhold.{navn}_begrunnelse",
                    "message": f"Begrunn vurderingen av {labels[navn]}.",
                }
            )
    if not innhold.get("anbefaling"):
        errors.append({"field": "innhold.anbefaling", "message": "Velg hva du mener komiteen bør anbefale."})
    return errors
