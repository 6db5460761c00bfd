"""Integration event contracts of the core flow (DESIGN.md, Events). The AsyncAPI catalogue is
generated from these models (`python -m shared.events.asyncapi`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from pydantic import AliasChoices, Field

from shared.events.base import EventContract, event_type, register
from shared.events.common import (
    Anbefaling,
    Effekt,
    Forankring,
    Indikasjon,
    Kategori,
    Kjonn,
    Kriterievurdering,
    Legemiddel,
    NasjonalStatus,
    Pasient,
    SoknadType,
    Utfall,
    Vurderingsflyt,
)


@register
class SoknadForankret(EventContract):
    TYPE: ClassVar[str] = event_type("soknad", "soknad_forankret", 1)
    PRODUCER: ClassVar[str] = "soknad"
    DESCRIPTION: ClassVar[str] = (
        "The leader anchored an application; carries the full snapshot. Trust-internal broker only."
    )

    soknad_id: str = Field(description="Id of the application in `soknad`.")
    lopenummer: str = Field(description="National case number, e.g. HBE-2026-000042.")
    hf: str = Field(description="Trust code.")
    type: SoknadType = Field(description="Single patient or patient group.")
    kategori: Kategori = Field(description="Scheme the application falls under.")
    enhet: str = Field(description="Code of the unit the application was sent to.")
    soker_id: str = Field(description="User id of the applicant.")
    soker_navn: str = Field(description="Name of the applicant (health personnel).")
    pasient: Pasient | None = Field(default=None, description="The patient (enkeltpasient only).")
    gruppe_beskrivelse: str | None = Field(default=None, description="Patient group (gruppe only).")
    gruppe_storrelse: int | None = Field(default=None, description="Expected group size (gruppe only).")
    legemiddel: Legemiddel = Field(description="The drug applied for.")
    indikasjon: Indikasjon = Field(description="The indication.")
    begrunnelse: str = Field(description="The applicant's clinical justification.")
    estimert_kostnad_nok: int | None = Field(default=None, description="Estimated yearly cost in NOK.")
    sendt_at: datetime = Field(description="When the application was sent.")
    forankret_at: datetime = Field(description="When it was anchored.")
    forankring: Forankring = Field(description="The anchoring.")


@register
class SoknadSendt(EventContract):
    TYPE: ClassVar[str] = event_type("soknad", "soknad_sendt", 1)
    PRODUCER: ClassVar[str] = "soknad"
    DESCRIPTION: ClassVar[str] = (
        "The applicant sent an application (or sent it again after a return) to a unit for anchoring."
    )

    soknad_id: str = Field(description="Id of the application.")
    lopenummer: str = Field(description="National case number.")
    enhet: str = Field(description="Code of the unit whose leader must anchor it.")
    soker_id: str = Field(description="User id of the applicant who sent it.")
    soker_navn: str = Field(description="Name of the applicant (health personnel).")
    sendt_at: datetime = Field(description="When it was sent.")


@register
class SoknadReturnert(EventContract):
    TYPE: ClassVar[str] = event_type("soknad", "soknad_returnert", 1)
    PRODUCER: ClassVar[str] = "soknad"
    DESCRIPTION: ClassVar[str] = (
        "The leader returned an application to the applicant with a comment. Trust-internal broker only."
    )

    soknad_id: str = Field(description="Id of the application.")
    lopenummer: str = Field(description="National case number.")
    enhet: str = Field(description="Code of the unit that returned it.")
    kommentar: str = Field(description="What the applicant must fix (free text; may mention the patient).")
    returnert_av: str = Field(description="User id of the leader.")
    returnert_av_navn: str = Field(description="Name of the leader.")
    returnert_at: datetime = Field(description="When it was returned.")


@register
class ForankringDelegert(EventContract):
    TYPE: ClassVar[str] = event_type("soknad", "forankring_delegert", 1)
    PRODUCER: ClassVar[str] = "soknad"
    DESCRIPTION: ClassVar[str] = (
        "A leader passed the anchoring of an application to another unit of the trust. "
        "Trust-internal broker only."
    )

    soknad_id: str = Field(description="Id of the application.")
    lopenummer: str = Field(description="National case number.")
    fra_enhet: str = Field(description="Code of the unit that delegated.")
    til_enhet: str = Field(description="Code of the unit that must now anchor it.")
    kommentar: str = Field(description="The delegating leader's comment to the new leader (free text).")
    delegert_av: str = Field(description="User id of the delegating leader.")
    delegert_av_navn: str = Field(description="Name of the delegating leader.")
    delegert_at: datetime = Field(description="When it was delegated.")


@register
class SoknadTrukket(EventContract):
    TYPE: ClassVar[str] = event_type("soknad", "soknad_trukket", 1)
    PRODUCER: ClassVar[str] = "soknad"
    DESCRIPTION: ClassVar[str] = "The applicant withdrew an application before the decision."

    soknad_id: str = Field(description="Id of the application.")
    lopenummer: str = Field(description="National case number.")
    trukket_at: datetime = Field(description="When it was withdrawn.")


@register
class TilleggsinformasjonEtterspurt(EventContract):
    TYPE: ClassVar[str] = event_type("vurdering", "tilleggsinformasjon_etterspurt", 1)
    PRODUCER: ClassVar[str] = "vurdering"
    DESCRIPTION: ClassVar[str] = "The assessment asks the applicant for more information."

    sporsmal_id: str = Field(description="Id of the question.")
    soknad_id: str = Field(description="Id of the application.")
    lopenummer: str = Field(description="National case number.")
    sporsmal: str = Field(description="The question.")
    spurt_at: datetime = Field(description="When it was asked.")


@register
class TilleggsinformasjonBesvart(EventContract):
    TYPE: ClassVar[str] = event_type("soknad", "tilleggsinformasjon_besvart", 1)
    PRODUCER: ClassVar[str] = "soknad"
    DESCRIPTION: ClassVar[str] = "The applicant answered a request for more information."

    sporsmal_id: str = Field(description="Id of the question answered.")
    soknad_id: str = Field(description="Id of the application.")
    lopenummer: str = Field(description="National case number.")
    svar: str = Field(description="The answer.")
    besvart_at: datetime = Field(description="When it was answered.")


@register
class AnbefalingAvgitt(EventContract):
    TYPE: ClassVar[str] = event_type("vurdering", "anbefaling_avgitt", 1)
    PRODUCER: ClassVar[str] = "vurdering"
    DESCRIPTION: ClassVar[str] = "The committee recommended a decision, with its structured assessment."

    sak_id: str = Field(description="Id of the assessment case.")
    soknad_id: str = Field(description="Id of the application.")
    lopenummer: str = Field(description="National case number.")
    anbefaling: Anbefaling = Field(description="The recommendation.")
    begrunnelse: str = Field(description="Reasons for the recommendation.")
    kriterier: Kriterievurdering = Field(description="Assessment against the priority criteria.")
    avgitt_av: str = Field(description="User id of the committee member.")
    avgitt_at: datetime = Field(description="When it was given.")


@register
class VedtakFattet(EventContract):
    TYPE: ClassVar[str] = event_type("beslutning", "vedtak_fattet", 1)
    PRODUCER: ClassVar[str] = "beslutning"
    DESCRIPTION: ClassVar[str] = "The medical director decided the case."

    vedtak_id: str = Field(description="Id of the decision.")
    soknad_id: str = Field(description="Id of the application.")
    lopenummer: str = Field(description="National case number.")
    utfall: Utfall = Field(description="The outcome.")
    begrunnelse: str = Field(description="Reasons for the decision.")
    vilkar: str | None = Field(default=None, description="Conditions, when granted with conditions.")
    gyldig_til: date | None = Field(default=None, description="End of the validity period.")
    evalueringsdato: date | None = Field(default=None, description="When the effect must be evaluated.")
    vurderingsflyt: Vurderingsflyt = Field(description="Simplified (director only) or complete flow.")
    fattet_av: str = Field(description="User id of the medical director.")
    fattet_at: datetime = Field(description="When it was decided.")


@register
class OppfolgingRegistrert(EventContract):
    TYPE: ClassVar[str] = event_type("soknad", "oppfolging_registrert", 1)
    PRODUCER: ClassVar[str] = "soknad"
    DESCRIPTION: ClassVar[str] = "The applicant registered the outcome of an approved treatment."

    soknad_id: str = Field(description="Id of the application.")
    lopenummer: str = Field(description="National case number.")
    effekt: Effekt = Field(description="Effect of the treatment.")
    bivirkninger: bool = Field(description="Whether adverse events occurred.")
    fortsetter: bool = Field(description="Whether the treatment continues.")
    registrert_at: datetime = Field(description="When it was registered.")


@register
class SakSammendrag(EventContract):
    """Built only by the allow-list mapper in `integrasjon`; never carries personal data."""

    TYPE: ClassVar[str] = event_type("integrasjon", "sak_sammendrag", 1)
    PRODUCER: ClassVar[str] = "integrasjon"
    DESCRIPTION: ClassVar[str] = (
        "Anonymised national summary of one case, sent to the national overview on every change."
    )

    lopenummer: str = Field(description="National case number; ask the trust for details.")
    hf: str = Field(description="Trust code.")
    rhf: str = Field(description="Regional health authority.")
    sekvens: int = Field(description="Increases with every summary of the same case; older ones lose.")
    type: SoknadType = Field(description="Single patient or group.")
    kategori: Kategori = Field(description="Scheme.")
    legemiddel_navn: str = Field(description="Drug name.")
    virkestoff: str = Field(description="Active substance.")
    atc: str | None = Field(default=None, description="ATC code.")
    # Renamed from `indikasjon_kode`/`indikasjon_tekst` to the one name the case's data has everywhere;
    # summaries still queued under the old names are read as well (a rename is breaking, this keeps v1).
    icd10_kode: str = Field(
        validation_alias=AliasChoices("icd10_kode", "indikasjon_kode"),
        description="ICD-10 code with dot, e.g. G35 or G36.0 (until December 2026 `indikasjon_kode`, "
        "which is still accepted).",
    )
    icd10_tekst: str = Field(
        validation_alias=AliasChoices("icd10_tekst", "indikasjon_tekst"),
        description="ICD-10 text (until December 2026 `indikasjon_tekst`, which is still accepted).",
    )
    status: NasjonalStatus = Field(description="Case status.")
    utfall: Utfall | None = Field(default=None, description="Outcome, when decided.")
    vurderingsflyt: Vurderingsflyt | None = Field(default=None, description="Decision level.")
    med_vilkar: bool = Field(default=False, description="Whether conditions were set.")
    sendt_maned: str = Field(description="Month sent, YYYY-MM (never an exact date).")
    vedtak_maned: str | None = Field(default=None, description="Month decided, YYYY-MM.")
    behandlingstid_dager: int | None = Field(default=None, description="Days from sent to decided.")
    aldersgruppe: str | None = Field(default=None, description="Patient age band (single patient).")
    kjonn: Kjonn | None = Field(default=None, description="Patient sex (single patient).")
    gruppe_storrelse: int | None = Field(default=None, description="Group size (group).")
    kostnadsband: str | None = Field(default=None, description="Cost band, e.g. '100-500k'.")
