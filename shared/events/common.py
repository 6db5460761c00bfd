"""Value types shared by several event contracts."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SoknadType = Literal["enkeltpasient", "gruppe"]
Kategori = Literal["off_label", "godkjenningsfritak", "unntaksordningen", "tilgangsordningen"]
Kjonn = Literal["mann", "kvinne"]
Anbefaling = Literal["innvilge", "innvilge_med_vilkar", "avsla"]
Utfall = Literal["innvilget", "innvilget_med_vilkar", "avslatt"]
# `interregional`: tilgangsordningen's cases, decided by the interregional vurderingskomité after the
# trust's medical director forwarded them; the trust registers that committee's decision.
Vurderingsflyt = Literal["forenklet", "komplett", "interregional"]
Effekt = Literal["ingen", "delvis", "god"]
Avslutningsarsak = Literal[
    "manglende_effekt", "bivirkninger", "pasientens_onske", "behandling_fullfort", "dod", "annet"
]
"""Why a treatment stopped, as a category: the reasons travel nationally, free text never does."""
Bivirkningsgrad = Literal["lett", "moderat", "alvorlig", "livstruende", "dodelig"]
"""The gravest adverse event's category (CTCAE-like grades 1–5)."""
Vilkarstype = Literal["evaluering", "stoppregel", "registrering", "pasientinformasjon", "annet"]
VedtakArt = Literal["vedtak", "endring"]


class NasjonalStatus(StrEnum):
    """A case's coarse status in the national summary (the trust's finer ones stay in the trust)."""

    TIL_VURDERING = "til_vurdering"
    VEDTATT = "vedtatt"
    TRUKKET = "trukket"
    OPPHEVET = "opphevet"


class Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Legemiddel(Value):
    navn: str = Field(
        description="Brand or generic name with form and strength, as chosen; at most 200 characters."
    )
    virkestoff: str = Field(description="Active substance; at most 200 characters.")
    atc: str | None = Field(default=None, description="ATC code in upper case, e.g. L01FA01.")
    fest_id: str | None = Field(default=None, description="FEST `ID_<GUID>` of the brand, if chosen.")
    legemiddelform: str | None = Field(default=None, description="Pharmaceutical form.")
    styrke: str | None = Field(default=None, description="Strength.")
    verifisert: bool = Field(description="True when chosen from the drug catalogue, false when typed.")


class Indikasjon(Value):
    kode: str = Field(
        description="ICD-10 code in upper case with the dot, e.g. G35 or G36.0 (called `icd10_kode` "
        "wherever it is not inside `indikasjon`)."
    )
    tekst: str = Field(description="Diagnosis text; at most 300 characters (elsewhere `icd10_tekst`).")
    system: Literal["icd10"] = Field(default="icd10", description="Code system.")
    verifisert: bool = Field(description="True when chosen from the code list, false when typed.")


class Pasient(Value):
    """Personal data: travels on a trust's internal broker only, never to the national overview."""

    fodselsnummer: str = Field(description="Fødselsnummer or D-nummer (11 digits).")
    navn: str = Field(description="Patient's full name.")
    fodselsdato: date | None = Field(default=None, description="Derived birth date.")
    kjonn: Kjonn | None = Field(default=None, description="Derived sex.")


class Forankring(Value):
    leder_id: str = Field(description="User id of the anchoring leader.")
    leder_navn: str = Field(description="Name of the anchoring leader.")
    begrunnelse: str = Field(description="The leader's justification.")
    kostnadssted: str = Field(description="Cost centre that pays.")


class Kriterievurdering(Value):
    alvorlighet: int = Field(ge=1, le=3, description="Severity: 1 low, 2 moderate, 3 high.")
    nytte: int = Field(ge=1, le=3, description="Expected benefit: 1 low, 2 moderate, 3 high.")
    ressursbruk: int = Field(ge=1, le=3, description="Resource use: 1 low, 2 moderate, 3 high.")
    evidenskvalitet: int = Field(ge=1, le=3, description="Quality of evidence: 1 low, 2 moderate, 3 high.")


class Feltvisning(Value):
    """One answered question as the applicant's form shows it (label and formatted answer)."""

    id: str = Field(description="Question id in the form definition (FHIR `linkId`).")
    etikett: str = Field(description="The question as the form asks it.")
    svar: str = Field(description="The answer formatted for reading (dates, amounts, choices as labels).")


class Seksjonsvisning(Value):
    """One visible section of the form, in the form's order, with its answered questions."""

    id: str = Field(description="Section id in the form definition.")
    tittel: str = Field(description="Section title.")
    felt: list[Feltvisning] = Field(default_factory=list, description="Answered questions in order.")


class Komitemedlem(Value):
    id: str = Field(description="User id of the member.")
    navn: str = Field(description="Name of the member.")


class Inhabilitetserklaering(Value):
    """A member's declared conflict of interest: that member did not assess the case."""

    medlem_id: str = Field(description="User id of the member.")
    medlem_navn: str = Field(description="Name of the member.")
    grunn: str = Field(description="The conflict as the member declared it.")
    erklaert_at: datetime = Field(description="When it was declared.")


class Medlemsvurdering(Value):
    """One committee member's structured assessment, as the recommendation shows it."""

    medlem_id: str = Field(description="User id of the member.")
    medlem_navn: str = Field(description="Name of the member.")
    alvorlighet: int | None = Field(default=None, ge=1, le=3, description="Severity 1–3.")
    alvorlighet_begrunnelse: str | None = Field(default=None, description="Why that severity.")
    nytte: int | None = Field(default=None, ge=1, le=3, description="Expected benefit 1–3.")
    nytte_begrunnelse: str | None = Field(default=None, description="Why that benefit.")
    ressursbruk: int | None = Field(default=None, ge=1, le=3, description="Resource use 1–3.")
    ressursbruk_begrunnelse: str | None = Field(default=None, description="Why that resource use.")
    evidenskvalitet: int | None = Field(default=None, ge=1, le=3, description="Quality of evidence 1–3.")
    sikkerhet: str | None = Field(default=None, description="Safety.")
    alternativer: str | None = Field(default=None, description="On-label options, clinical trials.")
    nye_metoder_status: str | None = Field(default=None, description="Status in Nye Metoder.")
    kostnad_budsjett: str | None = Field(default=None, description="Cost and budget impact.")
    anbefaling: Literal["innvilge", "innvilge_med_vilkar", "avsla"] | None = Field(
        default=None, description="The member's own view."
    )
    levert_at: datetime | None = Field(default=None, description="When the member submitted it.")


class Vilkar(Value):
    """One structured condition of a decision."""

    type: Vilkarstype = Field(description="Kind of condition.")
    tekst: str = Field(description="The condition as the letter states it.")
    dato: date | None = Field(default=None, description="Due date, e.g. of the evaluation.")


class VedtakOmfang(Value):
    """Exactly what was approved: a pharmacy or integrator acts on this without the application."""

    legemiddel: Legemiddel = Field(description="The drug, with FEST id and ATC when known.")
    indikasjon: Indikasjon = Field(description="The indication.")
    dosering: str | None = Field(default=None, description="Dose and interval as approved.")
    antall_kurer: int | None = Field(default=None, ge=1, description="Number of courses, if limited.")
    gyldig_fra: date | None = Field(default=None, description="Start of the approved period.")
    gyldig_til: date | None = Field(default=None, description="End of the approved period.")
    enhet: str = Field(description="Code of the unit that treats.")
    enhet_navn: str | None = Field(default=None, description="Name of that unit.")


class Gruppevedtak(Value):
    """A granted group decision as it is published nationally (it names a group, never a patient)."""

    beskrivelse: str = Field(description="The patient group the decision covers.")
    dosering: str | None = Field(default=None, description="Dose and interval as approved.")
    vilkar: list[Vilkar] = Field(default_factory=list, description="The conditions.")
    begrunnelse: str = Field(description="The reasons for the decision.")
    gyldig_fra: date | None = Field(default=None, description="Start of validity.")
    gyldig_til: date | None = Field(default=None, description="End of validity.")
    enhet_navn: str | None = Field(default=None, description="The unit the decision is for.")
