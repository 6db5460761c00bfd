"""Pure rules of a decision case: its statuses, the director's triage, what a decision must contain,
and how an amendment, a revocation or the interregional committee's decision relates to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated, Literal

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
from shared.events.common import Utfall, Vilkar, Vurderingsflyt
from shared.platform.errors import InvalidTransition, ValidationFailed

FLYT_LABELS: dict[str, str] = {
    **VURDERINGSFLYT_LABELS,
    "interregional": "Interregional (den interregionale vurderingskomiteen avgjør)",
}


class Status(StrEnum):
    TIL_TRIAGE = "til_triage"
    VENTER_PA_ANBEFALING = "venter_pa_anbefaling"
    KLAR_FOR_VEDTAK = "klar_for_vedtak"
    VENTER_PA_SVAR = "venter_pa_svar"
    HOS_INTERREGIONAL = "hos_interregional"
    VEDTATT = "vedtatt"
    OPPHEVET = "opphevet"
    TRUKKET = "trukket"


STATUS_LABELS = {
    Status.TIL_TRIAGE: "Ny – velg flyt",
    Status.VENTER_PA_ANBEFALING: "Hos komiteen",
    Status.KLAR_FOR_VEDTAK: "Klar for vedtak",
    Status.VENTER_PA_SVAR: "Venter på svar fra søker",
    Status.HOS_INTERREGIONAL: "Hos interregional vurderingskomité",
    Status.VEDTATT: "Vedtatt",
    Status.OPPHEVET: "Vedtak opphevet",
    Status.TRUKKET: "Trukket",
}

OPEN = frozenset(
    {
        Status.TIL_TRIAGE,
        Status.VENTER_PA_ANBEFALING,
        Status.KLAR_FOR_VEDTAK,
        Status.VENTER_PA_SVAR,
        Status.HOS_INTERREGIONAL,
    }
)
"""Statuses of a case still waiting for its decision: the inbox's."""

HOLDER_LABELS = {
    Status.TIL_TRIAGE: "Fagdirektør",
    Status.VENTER_PA_ANBEFALING: "Komiteen",
    Status.KLAR_FOR_VEDTAK: "Fagdirektør",
    Status.VENTER_PA_SVAR: "Søker",
    Status.HOS_INTERREGIONAL: "Interregional komité",
}
"""Who holds an open case: whose move it is."""

GRANTED = frozenset({"innvilget", "innvilget_med_vilkar"})
DECIDED = frozenset({Status.VEDTATT, Status.OPPHEVET})


transition = Overganger(
    Status,
    STATUS_LABELS,
    {
        Handling.ANBEFALE: Overgang(
            # A committee that assessed a case not yet triaged (its queue before triage existed) has
            # made it a complete-flow case; it never reaches a case in the simplified flow.
            frozenset({Status.VENTER_PA_ANBEFALING, Status.TIL_TRIAGE}),
            Status.KLAR_FOR_VEDTAK,
            "Saken har allerede fått en anbefaling fra komiteen.",
        ),
        # Deciding straight from the inbox is the simplified flow; a case with the committee waits for
        # its recommendation.
        Handling.VEDTA: Overgang(
            frozenset({Status.TIL_TRIAGE, Status.KLAR_FOR_VEDTAK}),
            Status.VEDTATT,
            "Saken er allerede avgjort, trukket eller venter på noen andre, og kan ikke få et nytt "
            "vedtak nå.",
        ),
        Handling.ETTERSPORRE: Overgang(
            frozenset({Status.TIL_TRIAGE, Status.KLAR_FOR_VEDTAK}),
            Status.VENTER_PA_SVAR,
            "Du kan bare be om mer informasjon mens saken ligger hos deg.",
        ),
        # soknad only publishes a withdrawal it accepted, so it wins even over a decision that crossed it.
        Handling.TREKKE: Overgang(
            frozenset(set(Status) - {Status.TRUKKET}),
            Status.TRUKKET,
            "Saken er allerede trukket.",
        ),
    },
)
"""The status after an action, or InvalidTransition with a Norwegian reason."""


def vurderingsflyt_for(status: str) -> Vurderingsflyt:
    """The flow a decision made now belongs to, when the triage did not say (older cases)."""
    return "komplett" if Status(status) == Status.KLAR_FOR_VEDTAK else "forenklet"


# --- triage -------------------------------------------------------------------------------------

Triagevalg = Literal["forenklet", "komplett"]


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


Kort = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2_000)]
Lang = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5_000)]
Begrunnelse = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]


class TriageInput(BaseModel):
    """The director's choice of flow for one case."""

    model_config = ConfigDict(extra="forbid")

    flyt: Triagevalg = Field(description="`forenklet` (the director decides) or `komplett` (the committee).")
    medlemmer: list[Annotated[str, StringConstraints(max_length=100)]] = Field(
        default_factory=list, max_length=30, description="User ids of the committee members (komplett)."
    )
    frist: date | None = Field(default=None, description="When the committee's recommendation is due.")
    merknad: Lang | None = Field(default=None, description="A note to the committee.")

    _blanks = field_validator("frist", "merknad", mode="before")(_blank_to_none)


def triage_problems(
    valg: TriageInput, *, kategori: str, komite: set[str], today: date
) -> list[dict[str, str]]:
    problems: list[dict[str, str]] = []
    if kategori == "tilgangsordningen":
        problems.append(
            {
                "field": "flyt",
                "message": "En sak i tilgangsordningen vurderes for klinisk eksepsjonalitet og videresendes "
                "til den interregionale vurderingskomiteen, eller avslås.",
            }
        )
        return problems
    if valg.flyt == "forenklet":
        if valg.medlemmer:
            problems.append(
                {"field": "medlemmer", "message": "I forenklet flyt går saken ikke til komiteen."}
            )
        return problems
    if not valg.medlemmer:
        problems.append({"field": "medlemmer", "message": "Velg minst ett komitémedlem."})
    ukjente = [m for m in valg.medlemmer if m not in komite]
    if ukjente:
        problems.append(
            {"field": "medlemmer", "message": "Bare medlemmer av helseforetakets komité kan velges."}
        )
    if valg.frist is None:
        problems.append({"field": "frist", "message": "Sett en frist for komiteens anbefaling."})
    elif valg.frist < today:
        problems.append({"field": "frist", "message": "Fristen kan ikke være tilbake i tid."})
    return problems


def check_triage(valg: TriageInput, *, status: str, kategori: str, komite: set[str], today: date) -> None:
    if Status(status) != Status.TIL_TRIAGE:
        raise InvalidTransition(
            f"Flyten er allerede valgt for denne saken. (Status nå: {STATUS_LABELS[Status(status)].lower()}.)"
        )
    _raise(triage_problems(valg, kategori=kategori, komite=komite, today=today), "Flyten kan ikke velges")


# --- deadlines ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Behandlingstider:
    """Processing-time targets in days from the anchoring, per flow (settings)."""

    forenklet: int = 14
    komplett: int = 42
    interregional: int = 90

    def frist(self, forankret: date, flyt: str | None) -> date:
        days = {"komplett": self.komplett, "interregional": self.interregional}.get(
            flyt or "", self.forenklet
        )
        return forankret + timedelta(days=days)


# --- the decision -------------------------------------------------------------------------------


class VedtakInput(BaseModel):
    """A decision as the director typed it; `check_vedtak` adds the rules that depend on today.

    The scope (drug, indication) comes from the case; what the director may adjust (dose, courses,
    period) and the structured conditions are fields here. `vilkar` is the older free-text condition,
    still accepted from API clients."""

    model_config = ConfigDict(extra="forbid")

    utfall: Utfall = Field(description="`innvilget`, `innvilget_med_vilkar` or `avslatt`.")
    begrunnelse: Begrunnelse = Field(description="Reasons for the decision (always; the letter quotes them).")
    vilkar: Lang | None = Field(
        default=None, description="Free-text conditions (older clients); or use the `vilkar_*` fields."
    )
    gyldig_fra: date | None = Field(default=None, description="First day of the approved period.")
    gyldig_til: date | None = Field(default=None, description="Last day of the validity period (> today).")
    evalueringsdato: date | None = Field(default=None, description="When the effect must be evaluated.")
    dosering: Kort | None = Field(default=None, description="Dose and interval as approved.")
    antall_kurer: int | None = Field(
        default=None, ge=1, le=1_000, description="Number of courses, if limited."
    )
    vilkar_evaluering: Lang | None = Field(
        default=None, description="Condition: how the effect is evaluated."
    )
    vilkar_stoppregel: Lang | None = Field(default=None, description="Condition: when treatment stops.")
    vilkar_registrering: Lang | None = Field(default=None, description="Condition: register entry.")
    vilkar_pasientinformasjon: Lang | None = Field(
        default=None, description="Condition: patient information."
    )
    vilkar_annet: Lang | None = Field(default=None, description="Any other condition.")
    resept_merknad: Kort | None = Field(default=None, description="The remark to put on the prescription.")
    faktureringsrutine: Kort | None = Field(default=None, description="How the treatment is invoiced.")

    _blanks = field_validator(
        "vilkar",
        "gyldig_fra",
        "gyldig_til",
        "evalueringsdato",
        "dosering",
        "antall_kurer",
        "vilkar_evaluering",
        "vilkar_stoppregel",
        "vilkar_registrering",
        "vilkar_pasientinformasjon",
        "vilkar_annet",
        "resept_merknad",
        "faktureringsrutine",
        mode="before",
    )(_blank_to_none)

    def vilkar_liste(self) -> list[Vilkar]:
        """The structured conditions (a conditional grant only)."""
        if self.utfall != "innvilget_med_vilkar":
            return []
        liste: list[Vilkar] = []
        if self.vilkar_evaluering or self.evalueringsdato:
            tekst = self.vilkar_evaluering or "Effekten skal evalueres."
            liste.append(Vilkar(type="evaluering", tekst=tekst, dato=self.evalueringsdato))
        for felt, art in (
            ("vilkar_stoppregel", "stoppregel"),
            ("vilkar_registrering", "registrering"),
            ("vilkar_pasientinformasjon", "pasientinformasjon"),
            ("vilkar_annet", "annet"),
        ):
            tekst = getattr(self, felt)
            if tekst:
                liste.append(Vilkar(type=art, tekst=tekst))  # type: ignore[arg-type]
        if self.vilkar and not any(v.tekst == self.vilkar for v in liste):
            liste.append(Vilkar(type="annet", tekst=self.vilkar))
        return liste

    def vilkar_tekst(self) -> str | None:
        """The conditions as one text, for consumers that read only the older field."""
        if self.utfall != "innvilget_med_vilkar":
            return None
        if self.vilkar:
            return self.vilkar
        liste = self.vilkar_liste()
        return "\n".join(v.tekst for v in liste) or None


STRUCTURED_VILKAR = (
    "vilkar_evaluering",
    "vilkar_stoppregel",
    "vilkar_registrering",
    "vilkar_pasientinformasjon",
    "vilkar_annet",
)


def vedtak_problems(vedtak: VedtakInput, *, today: date) -> list[dict[str, str]]:
    """Rules across fields and against today's date, as (field, Norwegian message) pairs."""
    problems: list[dict[str, str]] = []

    def problem(field: str, message: str) -> None:
        problems.append({"field": field, "message": message})

    has_structured = any(getattr(vedtak, f) for f in STRUCTURED_VILKAR)
    if vedtak.utfall == "innvilget_med_vilkar" and not (vedtak.vilkar or has_structured):
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
    if (
        vedtak.gyldig_fra is not None
        and vedtak.gyldig_til is not None
        and vedtak.gyldig_fra > vedtak.gyldig_til
    ):
        problem("gyldig_fra", "Perioden må begynne før den slutter.")
    if vedtak.evalueringsdato is not None and vedtak.evalueringsdato < today:
        problem("evalueringsdato", "Evalueringsdatoen kan ikke være tilbake i tid.")
    if (
        vedtak.gyldig_til is not None
        and vedtak.evalueringsdato is not None
        and vedtak.evalueringsdato > vedtak.gyldig_til
    ):
        problem("evalueringsdato", "Evalueringen må skje innen gyldighetsperioden er over.")
    return problems


def _raise(problems: list[dict[str, str]], lead: str) -> None:
    if problems:
        detail = "; ".join(p["message"] for p in problems)
        raise ValidationFailed(f"{lead}: {detail}", extra={"errors": problems})


def check_vedtak(vedtak: VedtakInput, *, today: date) -> None:
    _raise(vedtak_problems(vedtak, today=today), "Vedtaket kan ikke fattes")


def check_may_grant(kategori: str, utfall: str, *, interregional: bool) -> None:
    """In tilgangsordningen only the interregional committee grants; the trust may refuse at screening."""
    if kategori == "tilgangsordningen" and utfall in GRANTED and not interregional:
        raise ValidationFailed(
            "En sak i tilgangsordningen innvilges bare av den interregionale vurderingskomiteen. "
            "Videresend saken, eller avslå den hvis pasienten ikke er klinisk eksepsjonell.",
            field="utfall",
            extra={
                "errors": [
                    {
                        "field": "utfall",
                        "message": "I tilgangsordningen kan fagdirektøren bare avslå; "
                        "innvilgelse avgjøres interregionalt.",
                    }
                ]
            },
        )


class OpphevInput(BaseModel):
    """Revoking a decision: why, and from when."""

    model_config = ConfigDict(extra="forbid")

    begrunnelse: Begrunnelse = Field(description="Why the decision is revoked.")
    gjelder_fra: date | None = Field(default=None, description="From when (default today).")

    _blanks = field_validator("gjelder_fra", mode="before")(_blank_to_none)


# --- tilgangsordningen --------------------------------------------------------------------------


class VideresendInput(BaseModel):
    """The director found the patient clinically exceptional: the case goes to the interregional
    vurderingskomité."""

    model_config = ConfigDict(extra="forbid")

    merknad: Begrunnelse = Field(description="Why the patient is clinically exceptional (the screening).")


class InterregionaltVedtakInput(VedtakInput):
    """The interregional committee's decision, as the trust registers it."""

    referanse: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = Field(
        description="The interregional committee's reference."
    )
    vedtaksdato: date = Field(description="When the interregional committee decided.")


def check_interregional(vedtak: InterregionaltVedtakInput, *, today: date) -> None:
    problems = vedtak_problems(vedtak, today=today)
    if vedtak.vedtaksdato > today:
        problems.append({"field": "vedtaksdato", "message": "Vedtaksdatoen kan ikke være fram i tid."})
    _raise(problems, "Vedtaket kan ikke registreres")


# --- more information from the applicant --------------------------------------------------------


class SporsmalInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sporsmal: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5_000)] = (
        Field(description="What the applicant must answer.")
    )
    svarfrist: date | None = Field(default=None, description="When an answer is wanted.")

    _blanks = field_validator("svarfrist", mode="before")(_blank_to_none)


def check_svarfrist(valg: SporsmalInput, *, today: date) -> None:
    if valg.svarfrist is not None and valg.svarfrist < today:
        _raise([{"field": "svarfrist", "message": "Svarfristen kan ikke være tilbake i tid."}], "Ikke sendt")
