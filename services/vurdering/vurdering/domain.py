"""Pure rules of an assessment case: its statuses, the allowed transitions, and what a
recommendation must contain."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.domain.labels import ANBEFALING_LABELS, KATEGORI_LABELS, NIVA_LABELS, TYPE_LABELS, UTFALL_LABELS  # noqa: F401 - used by views and templates
from shared.domain.overganger import Handling, Overgang, Overganger
from shared.events.common import Anbefaling


class Status(StrEnum):
    TIL_VURDERING = "til_vurdering"
    ANBEFALT = "anbefalt"
    AVSLUTTET = "avsluttet"
    TRUKKET = "trukket"


STATUS_LABELS = {
    Status.TIL_VURDERING: "Til vurdering",
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
        Handling.ANBEFALE: Overgang(
            frozenset({Status.TIL_VURDERING}),
            Status.ANBEFALT,
            "Saken er ikke lenger til vurdering, så komiteen kan ikke gi en ny anbefaling.",
        ),
        # Asking the applicant does not move the case; the committee keeps working on it meanwhile.
        Handling.ETTERSPORRE: Overgang(
            frozenset({Status.TIL_VURDERING}),
            None,
            "Saken er ikke lenger til vurdering, så det kan ikke bes om mer informasjon.",
        ),
        # The director's decision closes the committee's case, with or without a recommendation.
        Handling.VEDTA: Overgang(
            frozenset({Status.TIL_VURDERING, Status.ANBEFALT}),
            Status.AVSLUTTET,
            "Saken er allerede avsluttet eller trukket.",
        ),
        # The applicant's withdrawal wins even over a decision that crossed it on the way (soknad keeps it).
        Handling.TREKKE: Overgang(
            frozenset({Status.TIL_VURDERING, Status.ANBEFALT, Status.AVSLUTTET}),
            Status.TRUKKET,
            "Saken er allerede trukket.",
        ),
    },
)
"""The status after an action, or InvalidTransition with a Norwegian reason."""


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


Sporsmal = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5_000)]
