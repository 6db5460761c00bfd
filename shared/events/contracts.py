"""Integration event contracts of the core flow (DESIGN.md, Events). The AsyncAPI catalogue is
generated from these models (`python -m integrasjon.asyncapi`, served at `/integrasjon/asyncapi.json`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from pydantic import AliasChoices, Field, model_validator

from shared.events.base import EventContract, event_type, register
from shared.events.common import (
    Anbefaling,
    Avslutningsarsak,
    Bivirkningsgrad,
    Effekt,
    Forankring,
    Gruppevedtak,
    Indikasjon,
    Inhabilitetserklaering,
    Kategori,
    Kjonn,
    Komitemedlem,
    Kriterievurdering,
    Legemiddel,
    Medlemsvurdering,
    NasjonalStatus,
    Pasient,
    Seksjonsvisning,
    SoknadType,
    Utfall,
    VedtakArt,
    VedtakOmfang,
    Vilkar,
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
    medforfattere: list[str] = Field(
        default_factory=list,
        description="User ids of the co-authors when it was anchored (they may read its letter too).",
    )
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
    # The whole application (added December 2026; older events lack it and render the fields above):
    # the raw answers for whoever computes with them, the formatted sections for whoever reads them.
    skjema_versjon: int | None = Field(default=None, description="Version of the form it was filled in.")
    svar: dict[str, Any] = Field(
        default_factory=dict, description="Every answer by question id, as the form stored it."
    )
    visning: list[Seksjonsvisning] = Field(
        default_factory=list,
        description="The visible sections with their answered questions, as the applicant's form shows them.",
    )


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


class _Etterspurt(EventContract):
    sporsmal_id: str = Field(description="Id of the question.")
    soknad_id: str = Field(description="Id of the application.")
    lopenummer: str = Field(description="National case number.")
    sporsmal: str = Field(description="The question.")
    spurt_at: datetime = Field(description="When it was asked.")
    spurt_av_navn: str | None = Field(default=None, description="Name of who asked.")
    svarfrist: date | None = Field(default=None, description="When an answer is wanted.")


@register
class TilleggsinformasjonEtterspurt(_Etterspurt):
    TYPE: ClassVar[str] = event_type("vurdering", "tilleggsinformasjon_etterspurt", 1)
    PRODUCER: ClassVar[str] = "vurdering"
    DESCRIPTION: ClassVar[str] = "The committee asks the applicant for more information; the case waits."


@register
class TilleggsinformasjonEtterspurtAvFagdirektor(_Etterspurt):
    TYPE: ClassVar[str] = event_type("beslutning", "tilleggsinformasjon_etterspurt", 1)
    PRODUCER: ClassVar[str] = "beslutning"
    DESCRIPTION: ClassVar[str] = (
        "The medical director asks the applicant for more information; the case waits."
    )


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
    besvart_av_navn: str | None = Field(default=None, description="Name of who answered.")
    endrede_felt: list[str] = Field(
        default_factory=list, description="Ids of the questions whose answers changed with the answer."
    )
    visning: list[Seksjonsvisning] = Field(
        default_factory=list,
        description="The application's sections after the answer (empty when no answer changed).",
    )
    endrede_svar: dict[str, Any] = Field(
        default_factory=dict,
        description="The changed answers by question id, as the form stored them (null: the answer was "
        "removed); what `SoknadForankret.svar` holds after the answer.",
    )


@register
class SakSendtTilKomite(EventContract):
    TYPE: ClassVar[str] = event_type("beslutning", "sak_sendt_til_komite", 1)
    PRODUCER: ClassVar[str] = "beslutning"
    DESCRIPTION: ClassVar[str] = (
        "The medical director chose the complete flow: the committee (the named members) must assess "
        "the case by the deadline. Without this event a case never enters the committee's queue."
    )

    soknad_id: str = Field(description="Id of the application.")
    lopenummer: str = Field(description="National case number.")
    medlemmer: list[Komitemedlem] = Field(description="The members who must assess.")
    frist: date = Field(description="When the recommendation is due.")
    merknad: str | None = Field(default=None, description="The director's note to the committee.")
    sendt_av: str = Field(description="User id of the medical director.")
    sendt_av_navn: str = Field(description="Name of the medical director.")
    sendt_at: datetime = Field(description="When it was sent.")


@register
class SakTilForenkletBehandling(EventContract):
    TYPE: ClassVar[str] = event_type("beslutning", "sak_til_forenklet_behandling", 1)
    PRODUCER: ClassVar[str] = "beslutning"
    DESCRIPTION: ClassVar[str] = (
        "The medical director chose the simplified flow: she decides the case herself, without the committee."
    )

    soknad_id: str = Field(description="Id of the application.")
    lopenummer: str = Field(description="National case number.")
    frist: date = Field(description="When the decision is due.")
    valgt_av: str = Field(description="User id of the medical director.")
    valgt_av_navn: str = Field(description="Name of the medical director.")
    valgt_at: datetime = Field(description="When the flow was chosen.")


@register
class SakVideresendtInterregionalt(EventContract):
    TYPE: ClassVar[str] = event_type("beslutning", "sak_videresendt_interregionalt", 1)
    PRODUCER: ClassVar[str] = "beslutning"
    DESCRIPTION: ClassVar[str] = (
        "Tilgangsordningen: the medical director found the case clinically exceptional and forwarded it to "
        "the interregional vurderingskomité, whose decision the trust registers later (`VedtakFattet`)."
    )

    soknad_id: str = Field(description="Id of the application.")
    lopenummer: str = Field(description="National case number.")
    frist: date = Field(description="When the interregional decision is expected.")
    videresendt_av: str = Field(description="User id of the medical director.")
    videresendt_av_navn: str = Field(description="Name of the medical director.")
    videresendt_at: datetime = Field(description="When it was forwarded.")


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
    avgitt_av_navn: str | None = Field(default=None, description="Name of who gave it.")
    vilkar: str | None = Field(default=None, description="Proposed conditions (innvilge med vilkår).")
    medlemsvurderinger: list[Medlemsvurdering] = Field(
        default_factory=list, description="Every member's structured assessment, with name and time."
    )
    inhabiliteter: list[Inhabilitetserklaering] = Field(
        default_factory=list, description="Members who declared a conflict of interest and did not assess."
    )


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
    vurderingsflyt: Vurderingsflyt = Field(
        description="Simplified (director only), complete (committee) or interregional (tilgangsordningen)."
    )
    fattet_av: str = Field(description="User id of the medical director.")
    fattet_at: datetime = Field(description="When it was decided.")
    # Added December 2026, all optional so decisions already in outboxes still parse.
    art: VedtakArt = Field(default="vedtak", description="A first decision, or an amendment of one.")
    erstatter_vedtak_id: str | None = Field(
        default=None, description="The decision this one amends (art `endring`)."
    )
    fattet_av_navn: str | None = Field(default=None, description="Name of who decided.")
    kategori: Kategori | None = Field(default=None, description="Scheme (lets integrators route).")
    soknad_type: SoknadType | None = Field(default=None, description="Single patient or group.")
    enhet: str | None = Field(default=None, description="Code of the unit the case belongs to.")
    omfang: VedtakOmfang | None = Field(default=None, description="The approved scope (granted decisions).")
    vilkar_liste: list[Vilkar] = Field(default_factory=list, description="Structured conditions.")
    gyldig_fra: date | None = Field(default=None, description="Start of the validity period.")
    kostnadssted: str | None = Field(default=None, description="Cost centre that pays (from the anchoring).")
    interregional_referanse: str | None = Field(
        default=None, description="The interregional committee's reference (tilgangsordningen)."
    )
    interregional_vedtaksdato: date | None = Field(
        default=None,
        description="The day the interregional committee decided (tilgangsordningen); `fattet_at` is when "
        "the trust registered it.",
    )
    resept_merknad: str | None = Field(
        default=None, description="The remark to put on the prescription (granted decisions)."
    )
    faktureringsrutine: str | None = Field(default=None, description="How the treatment is invoiced.")


@register
class VedtakOpphevet(EventContract):
    TYPE: ClassVar[str] = event_type("beslutning", "vedtak_opphevet", 1)
    PRODUCER: ClassVar[str] = "beslutning"
    DESCRIPTION: ClassVar[str] = (
        "The medical director revoked a decision: a new, traceable decision referring to the old one."
    )

    vedtak_id: str = Field(description="Id of the revoking decision.")
    opphever_vedtak_id: str = Field(description="The decision it revokes.")
    soknad_id: str = Field(description="Id of the application.")
    lopenummer: str = Field(description="National case number.")
    begrunnelse: str = Field(description="Why it was revoked.")
    gjelder_fra: date = Field(description="From when the treatment is no longer approved.")
    opphevet_av: str = Field(description="User id of the medical director.")
    opphevet_av_navn: str = Field(description="Name of the medical director.")
    opphevet_at: datetime = Field(description="When it was revoked.")
    kategori: Kategori | None = Field(default=None, description="Scheme (lets integrators route).")
    enhet: str | None = Field(default=None, description="Code of the unit the case belongs to.")


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
    avslutningsarsak: Avslutningsarsak | None = Field(
        default=None, description="Why it stopped, when it does not continue."
    )
    bivirkningsgrad: Bivirkningsgrad | None = Field(
        default=None, description="The gravest adverse event's category, when there were any."
    )


@register
class SakEtterregistrert(EventContract):
    TYPE: ClassVar[str] = event_type("soknad", "sak_etterregistrert", 1)
    PRODUCER: ClassVar[str] = "soknad"
    DESCRIPTION: ClassVar[str] = (
        "A decision made before the system existed was imported (etterregistrering) as a decided case. "
        "Trust-internal broker only."
    )

    soknad_id: str = Field(description="Id of the imported case in `soknad`.")
    lopenummer: str = Field(description="National case number given on import.")
    type: SoknadType = Field(description="Single patient or patient group.")
    kategori: Kategori = Field(description="Scheme.")
    enhet: str = Field(description="Code of the unit.")
    pasient: Pasient | None = Field(default=None, description="The patient (enkeltpasient only).")
    gruppe_storrelse: int | None = Field(default=None, description="Group size (gruppe only).")
    legemiddel: Legemiddel = Field(description="The drug.")
    indikasjon: Indikasjon = Field(description="The indication.")
    utfall: Utfall = Field(description="The outcome that was decided.")
    sendt_dato: date = Field(description="When the application was made.")
    vedtak_dato: date = Field(description="When it was decided.")
    gyldig_til: date | None = Field(default=None, description="End of validity, if granted.")
    estimert_kostnad_nok: int | None = Field(default=None, description="Estimated yearly cost in NOK.")
    registrert_av: str = Field(description="User id of who imported it.")
    registrert_at: datetime = Field(description="When it was imported.")


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


@register
class SakSammendragV2(SakSammendrag):
    """v1 plus the follow-up outcome, amendments, post-registration and published group decisions.
    `oversikt` accepts both versions."""

    TYPE: ClassVar[str] = event_type("integrasjon", "sak_sammendrag", 2)
    DESCRIPTION: ClassVar[str] = (
        "Anonymised national summary of one case (v2: with follow-up outcome, amendments, "
        "post-registration and the published group decision), sent on every change."
    )

    endret: bool = Field(default=False, description="The decision was amended at least once.")
    etterregistrert: bool = Field(default=False, description="Imported from before the system existed.")
    effekt: Effekt | None = Field(default=None, description="Follow-up: effect of the treatment.")
    fortsetter: bool | None = Field(default=None, description="Follow-up: whether it continues.")
    avslutningsarsak: Avslutningsarsak | None = Field(default=None, description="Follow-up: why it stopped.")
    bivirkningsgrad: Bivirkningsgrad | None = Field(
        default=None, description="Follow-up: the gravest adverse event's category."
    )
    gruppevedtak: Gruppevedtak | None = Field(
        default=None, description="The granted group decision as published (type gruppe only)."
    )

    @model_validator(mode="after")
    def _group_decisions_only(self) -> SakSammendragV2:
        # A published decision text must never be about one patient.
        if self.gruppevedtak is not None and self.type != "gruppe":
            raise ValueError("gruppevedtak is only published for type gruppe")
        return self
