"""Pure rules of a decision case: its statuses, the allowed transitions, and what a decision must
contain."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from shared.domain.labels import (  # noqa: F401 - used by views and templates
    ANBEFALING_LABELS,
    KATEGORI_LABELS,
    KRITERIE_LABELS,
    NIVA_LABELS,
    TYPE_LABELS,
    UTFALL_LABELS,
    VURDERINGSFLYT_LABELS,
)
from shared.domain.overganger import Handling, Overgang, Overganger
from shared.events.common import Utfall, Vurderingsflyt
from shared.platform.errors import ValidationFailed


class Status(StrEnum):
    VENTER_PA_ANBEFALING = "venter_pa_anbefaling"
    KLAR_FOR_VEDTAK = "klar_for_vedtak"
    VEDTATT = "vedtatt"
    TRUKKET = "trukket"


STATUS_LABELS = {
    Status.VENTER_PA_ANBEFALING: "Venter på anbefaling",
    Status.KLAR_FOR_VEDTAK: "Klar for vedtak",
    Status.VEDTATT: "Vedtatt",
    Status.TRUKKET: "Trukket",
}

GRANTED = frozenset({"innvilget", "innvilget_med_vilkar"})


transition = Overganger(
    Status,
    STATUS_LABELS,
    {
        Handling.ANBEFALE: Overgang(
            frozenset({Status.VENTER_PA_ANBEFALING}),
            Status.KLAR_FOR_VEDTAK,
            "Saken har allerede fått en anbefaling fra komiteen.",
        ),
        # The director may decide without waiting for the committee: that is the simplified flow.
        Handling.VEDTA: Overgang(
            frozenset({Status.VENTER_PA_ANBEFALING, Status.KLAR_FOR_VEDTAK}),
            Status.VEDTATT,
            "Saken er allerede avgjort eller trukket, og kan ikke få et nytt vedtak.",
        ),
        # soknad only publishes a withdrawal it accepted, so it wins even over a decision that crossed it.
        Handling.TREKKE: Overgang(
            frozenset({Status.VENTER_PA_ANBEFALING, Status.KLAR_FOR_VEDTAK, Status.VEDTATT}),
            Status.TRUKKET,
            "Saken er allerede trukket.",
        ),
    },
)
"""The status after an action, or InvalidTransition with a Norwegian reason."""


def vurderingsflyt_for(status: str) -> Vurderingsflyt:
    """Deciding before the committee's recommendation is the simplified flow."""
    return "komplett" if Status(status) == Status.KLAR_FOR_VEDTAK else "forenklet"


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


Begrunnelse = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]


class VedtakInput(BaseModel):
    """A decision as the director typed it; `check_vedtak` adds the rules that depend on today."""

    model_config = ConfigDict(extra="forbid")

    utfall: Utfall = Field(description="`innvilget`, `innvilget_med_vilkar` or `avslatt`.")
    begrunnelse: Begrunnelse = Field(description="Reasons for the decision.")
    vilkar: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5_000)] | None = Field(
        default=None, description="Conditions; required when `innvilget_med_vilkar`."
    )
    gyldig_til: date | None = Field(default=None, description="Last day of the validity period (> today).")
    evalueringsdato: date | None = Field(default=None, description="When the effect must be evaluated.")

    _blanks = field_validator("vilkar", "gyldig_til", "evalueringsdato", mode="before")(_blank_to_none)


def vedtak_problems(vedtak: VedtakInput, *, today: date) -> list[dict[str, str]]:
    """Rules across fields and against today's date, as (field, Norwegian message) pairs."""
    problems: list[dict[str, str]] = []

    def problem(field: str, message: str) -> None:
        problems.append({"field": field, "message": message})

    if vedtak.utfall == "innvilget_med_vilkar" and not vedtak.vilkar:
        problem("vilkar", "Skriv vilkårene når søknaden innvilges med vilkår.")
    if vedtak.utfall != "innvilget_med_vilkar" and vedtak.vilkar:
        problem("vilkar", "Vilkår kan bare settes når utfallet er «Innvilget med vilkår».")
    if vedtak.utfall == "avslatt":
        if vedtak.gyldig_til is not None:
            problem("gyldig_til", "Et avslag har ingen gyldighetsperiode.")
        if vedtak.evalueringsdato is not None:
            problem("evalueringsdato", "Et avslag har ingen evalueringsdato.")
        return problems
    if vedtak.gyldig_til is not None and vedtak.gyldig_til <= today:
        problem("gyldig_til", "Gyldig til må være etter dagens dato.")
    if vedtak.evalueringsdato is not None and vedtak.evalueringsdato < today:
        problem("evalueringsdato", "Evalueringsdatoen kan ikke være tilbake i tid.")
    if (
        vedtak.gyldig_til is not None
        and vedtak.evalueringsdato is not None
        and vedtak.evalueringsdato > vedtak.gyldig_til
    ):
        problem("evalueringsdato", "Evalueringen må skje innen gyldighetsperioden er over.")
    return problems


def check_vedtak(vedtak: VedtakInput, *, today: date) -> None:
    problems = vedtak_problems(vedtak, today=today)
    if problems:
        detail = "; ".join(p["message"] for p in problems)
        raise ValidationFailed(f"Vedtaket kan ikke fattes: {detail}", extra={"errors": problems})
