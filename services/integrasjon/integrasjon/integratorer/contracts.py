"""The messages integrators receive: allow-listed views of a decision, with and without the patient.

Produced by integrasjon only and consumed outside the trust, so they are not in the internal registry
(`shared.events.base.REGISTRY`): nothing inside the trust routes on them."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import Field

from shared.events.base import EventContract, event_type
from shared.events.common import (
    Indikasjon,
    Kategori,
    Legemiddel,
    SoknadType,
    Utfall,
    Value,
    VedtakArt,
    VedtakOmfang,
    Vilkar,
    Vilkarstype,
    Vurderingsflyt,
)

PRODUCER = "integrasjon"


class IntegratorPasient(Value):
    """The patient's identity: only on the identity-bearing exchange, for entitled subscriptions."""

    fodselsnummer: str = Field(description="Fødselsnummer or D-nummer (11 digits).")
    navn: str = Field(description="Patient's full name.")


class IntegratorVilkar(Value):
    """A condition without its wording: the wording is free text, only for receivers with the identity."""

    type: Vilkarstype = Field(description="Kind of condition.")
    dato: date | None = Field(default=None, description="Due date, e.g. of the evaluation.")


class IntegratorOmfang(Value):
    """The approved scope without the free-text dose. The drug and the indication are as chosen from the
    catalogues; where they were typed instead (`verifisert` false), without the patient's name and
    fødselsnummer, as in the national summary."""

    legemiddel: Legemiddel = Field(description="The drug, with FEST id and ATC when known.")
    indikasjon: Indikasjon = Field(description="The indication.")
    antall_kurer: int | None = Field(default=None, ge=1, description="Number of courses, if limited.")
    gyldig_fra: date | None = Field(default=None, description="Start of the approved period.")
    gyldig_til: date | None = Field(default=None, description="End of the approved period.")
    enhet: str = Field(description="Code of the unit that treats.")
    enhet_navn: str | None = Field(default=None, description="Name of that unit.")


class _IntegratorVedtak(EventContract):
    """What both variants of a decision carry; the scope and the conditions differ (`omfang`, `vilkar`)."""

    art: VedtakArt = Field(description="`vedtak`: a first decision; `endring`: it amends an earlier one.")
    vedtak_id: str = Field(description="Id of the decision.")
    erstatter_vedtak_id: str | None = Field(
        default=None, description="The decision this one amends (art `endring`); act on this one instead."
    )
    lopenummer: str = Field(description="National case number, e.g. HBE-2026-000042.")
    hf: str = Field(description="Trust code.")
    kategori: Kategori | None = Field(description="Scheme the application falls under.")
    soknad_type: SoknadType | None = Field(description="Single patient or patient group.")
    enhet: str | None = Field(description="Code of the unit the case belongs to.")
    utfall: Utfall = Field(description="The outcome.")
    gyldig_fra: date | None = Field(description="Start of the validity period.")
    gyldig_til: date | None = Field(description="End of the validity period.")
    evalueringsdato: date | None = Field(description="When the effect must be evaluated.")
    kostnadssted: str | None = Field(description="Cost centre that pays.")
    interregional_referanse: str | None = Field(
        default=None,
        description="Tilgangsordningen: the interregional vurderingskomité's reference (it decided; the "
        "trust registered the decision).",
    )
    interregional_vedtaksdato: date | None = Field(
        default=None,
        description="Tilgangsordningen: the day the interregional committee decided; `fattet_at` is when "
        "the trust registered it.",
    )
    vurderingsflyt: Vurderingsflyt = Field(description="How the case was assessed.")
    fattet_av: str = Field(description="User id of who decided.")
    fattet_av_navn: str | None = Field(description="Name of who decided.")
    fattet_at: datetime = Field(description="When it was decided.")


class IntegratorVedtakFattet(_IntegratorVedtak):
    TYPE: ClassVar[str] = event_type(PRODUCER, "integrator_vedtak_fattet", 1)
    PRODUCER: ClassVar[str] = PRODUCER
    DESCRIPTION: ClassVar[str] = (
        "A decision (or an amendment of one) for integrators, without the patient's identity: what was "
        "approved, on which conditions, for how long, and who decided. Without free text either (the "
        "dose, the conditions' wording), which could describe the patient: only structured fields."
    )

    omfang: IntegratorOmfang | None = Field(
        description=(
            "The approved scope (drug with FEST id and ATC, indication, courses, period, unit), without "
            "the dose (free text)."
        )
    )
    vilkar: list[IntegratorVilkar] = Field(description="The conditions, by kind and date, without wording.")


class IntegratorVedtakFattetMedPasient(_IntegratorVedtak):
    TYPE: ClassVar[str] = event_type(PRODUCER, "integrator_vedtak_fattet_med_pasient", 1)
    PRODUCER: ClassVar[str] = PRODUCER
    DESCRIPTION: ClassVar[str] = (
        "The same decision with the patient's identity, for subscriptions entitled to it (e.g. a "
        "pharmacy), and with the free text they need to act on it: the dose and the conditions' wording."
    )

    omfang: VedtakOmfang | None = Field(
        description="The approved scope (drug with FEST id and ATC, indication, dose, courses, period, unit)."
    )
    vilkar: list[Vilkar] = Field(description="The conditions, structured.")
    vilkar_tekst: str | None = Field(description="The conditions as one text, when given that way.")
    resept_merknad: str | None = Field(
        default=None,
        description="The remark to put on the prescription (granted decisions); free text, so only here.",
    )
    faktureringsrutine: str | None = Field(default=None, description="How the treatment is invoiced.")
    pasient: IntegratorPasient | None = Field(description="The patient; null for a patient-group decision.")


class IntegratorVedtakOpphevet(EventContract):
    TYPE: ClassVar[str] = event_type(PRODUCER, "integrator_vedtak_opphevet", 1)
    PRODUCER: ClassVar[str] = PRODUCER
    DESCRIPTION: ClassVar[str] = (
        "A decision was revoked: from `gjelder_fra` the treatment is no longer approved. Without the "
        "patient's identity."
    )

    art: Literal["opphevelse"] = Field(default="opphevelse", description="Always `opphevelse`.")
    vedtak_id: str = Field(description="Id of the revoking decision.")
    opphever_vedtak_id: str = Field(description="The decision it revokes.")
    lopenummer: str = Field(description="National case number.")
    hf: str = Field(description="Trust code.")
    kategori: Kategori | None = Field(description="Scheme the application falls under.")
    soknad_type: SoknadType | None = Field(description="Single patient or patient group.")
    enhet: str | None = Field(description="Code of the unit the case belongs to.")
    gjelder_fra: date = Field(description="From when the treatment is no longer approved.")
    opphevet_av: str = Field(description="User id of who revoked it.")
    opphevet_av_navn: str = Field(description="Name of who revoked it.")
    opphevet_at: datetime = Field(description="When it was revoked.")


class IntegratorVedtakOpphevetMedPasient(IntegratorVedtakOpphevet):
    TYPE: ClassVar[str] = event_type(PRODUCER, "integrator_vedtak_opphevet_med_pasient", 1)
    DESCRIPTION: ClassVar[str] = (
        "The same revocation with the patient's identity, for entitled subscriptions."
    )

    pasient: IntegratorPasient | None = Field(description="The patient; null for a patient-group decision.")


INTEGRATOR_CONTRACTS: tuple[type[EventContract], ...] = (
    IntegratorVedtakFattet,
    IntegratorVedtakFattetMedPasient,
    IntegratorVedtakOpphevet,
    IntegratorVedtakOpphevetMedPasient,
)
