"""The application's people and things as FHIR R4 resources: the patient, the applicant, the trust and its
unit, the indication and the drug. Pure builders over plain case facts (no database, no request), so the
API, the examples and the webhooks all give the same shapes.

Every resource of one application is named by the application's id (`Patient/<soknad_id>`,
`Condition/<soknad_id>` …): the patient as this case knows them. An id never carries a fødselsnummer,
since ids end up in URLs and access logs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.domain.identifiers import InvalidPersonnummer, validate_fodselsnummer
from shared.domain.trusts import ORGANISASJONSNUMMER_HF, hf_navn
from shared.fhir.systemer import (
    ATC,
    D_NUMMER,
    FEST_MERKEVARE,
    FH_NUMMER,
    FODSELSNUMMER,
    HELSEFORETAK,
    HPR_NUMMER,
    ICD10_NO,
    LMDI_ATC_EXTENSION,
    LMDI_MEDICATION,
    NO_BASIS_ORGANIZATION,
    NO_BASIS_PATIENT,
    NO_BASIS_PRACTITIONER,
    ORGANISASJONSNUMMER,
    RESH,
)

Resource = dict[str, Any]

CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
GRUPPE_PASIENT = "Pasientgruppe (gruppesøknad, ingen enkeltpasient)"
"""What a group application shows where FHIR requires a patient: a reference by display only."""


@dataclass(frozen=True)
class Enhetsfakta:
    kode: str
    navn: str
    resh_id: str | None = None


@dataclass(frozen=True)
class Saksfakta:
    """One application's facts as the resources need them (the row's columns, copied)."""

    soknad_id: str
    hf: str
    lopenummer: str | None
    type: str
    kategori: str
    status: str
    soker_id: str
    soker_navn: str
    soker_hpr: str | None
    enhet: Enhetsfakta
    innhold: Mapping[str, Any]
    skjema_versjon: int
    opprettet_at: datetime
    endret_at: datetime
    sendt_at: datetime | None
    vedtak: Mapping[str, Any] | None

    @property
    def fodselsnummer(self) -> str | None:
        value = self.innhold.get("pasient_fodselsnummer")
        text = "".join(str(value or "").split())
        return text if len(text) == 11 and text.isdigit() else None

    @property
    def har_pasient(self) -> bool:
        return self.type == "enkeltpasient" and self.fodselsnummer is not None

    @property
    def legemiddel(self) -> Mapping[str, Any]:
        value = self.innhold.get("legemiddel")
        return value if isinstance(value, Mapping) else {}

    @property
    def indikasjon(self) -> Mapping[str, Any]:
        value = self.innhold.get("indikasjon")
        return value if isinstance(value, Mapping) else {}


def instant(value: datetime) -> str:
    """FHIR `instant`/`dateTime`: seconds and an explicit offset (stored times are UTC)."""
    return value.isoformat(timespec="seconds")


def personnummer_system(nummer: str) -> str:
    """By the first digit: 4–7 is a D-nummer (day + 40), 8–9 an FH-nummer, else a fødselsnummer."""
    first = int(nummer[0])
    if 4 <= first <= 7:
        return D_NUMMER
    if first >= 8:
        return FH_NUMMER
    return FODSELSNUMMER


def ref(resource_type: str, id_: str, display: str | None = None) -> dict[str, str]:
    reference = {"reference": f"{resource_type}/{id_}"}
    if display:
        reference["display"] = display
    return reference


def pasient_ref(sak: Saksfakta) -> dict[str, Any]:
    """The patient the resources point at; a group application names the group in words only."""
    if not sak.har_pasient:
        return {"display": GRUPPE_PASIENT}
    return ref("Patient", sak.soknad_id)


def hf_ref(hf: str) -> dict[str, str]:
    return ref("Organization", hf, hf_navn(hf))


def enhet_ref(enhet: Enhetsfakta) -> dict[str, str]:
    return ref("Organization", enhet.kode, enhet.navn)


def practitioner_ref(sak: Saksfakta) -> dict[str, str]:
    return ref("Practitioner", sak.soker_id, sak.soker_navn)


def human_name(full: str) -> dict[str, Any]:
    parts = full.split()
    name: dict[str, Any] = {"use": "official", "text": full}
    if len(parts) >= 2:
        name["family"] = parts[-1]
        name["given"] = parts[:-1]
    elif parts:
        name["family"] = parts[0]
    return name


def patient(sak: Saksfakta) -> Resource | None:
    """No-basis Patient with the fødselsnummer or D-nummer the application names; None for a group."""
    nummer = sak.fodselsnummer
    if not sak.har_pasient or nummer is None:
        return None
    resource: Resource = {
        "resourceType": "Patient",
        "id": sak.soknad_id,
        "meta": {"profile": [NO_BASIS_PATIENT]},
        "identifier": [{"use": "official", "system": personnummer_system(nummer), "value": nummer}],
    }
    navn = str(sak.innhold.get("pasient_navn") or "").strip()
    if navn:
        resource["name"] = [human_name(navn)]
    try:
        # Synthetic test numbers are the only ones the test and demo trusts hold; the sex and birth
        # date are derived the same way for them.
        parsed = validate_fodselsnummer(nummer, allow_synthetic=True)
    except InvalidPersonnummer:
        return resource
    if parsed.sex is not None:
        resource["gender"] = "female" if parsed.sex == "kvinne" else "male"
    if parsed.birth_date is not None:
        resource["birthDate"] = parsed.birth_date.isoformat()
    return resource


def practitioner(sak: Saksfakta) -> Resource:
    """The applicant (behandlende lege), with the HPR-number when the directory has one."""
    return practitioner_of(sak.soker_id, sak.soker_navn, sak.soker_hpr)


def practitioner_of(user_id: str, navn: str, hpr_nummer: str | None) -> Resource:
    resource: Resource = {
        "resourceType": "Practitioner",
        "id": user_id,
        "meta": {"profile": [NO_BASIS_PRACTITIONER]},
        "name": [human_name(navn)],
    }
    if hpr_nummer:
        resource["identifier"] = [{"use": "official", "system": HPR_NUMMER, "value": hpr_nummer}]
    return resource


def organization_hf(hf: str) -> Resource:
    """The trust: the payer of the treatment and the decision maker."""
    identifier = [{"use": "usual", "system": HELSEFORETAK, "value": hf}]
    orgnr = ORGANISASJONSNUMMER_HF.get(hf)
    if orgnr:
        identifier.insert(0, {"use": "official", "system": ORGANISASJONSNUMMER, "value": orgnr})
    return {
        "resourceType": "Organization",
        "id": hf,
        "meta": {"profile": [NO_BASIS_ORGANIZATION]},
        "identifier": identifier,
        "active": True,
        "name": hf_navn(hf),
    }


def organization_enhet(hf: str, enhet: Enhetsfakta) -> Resource:
    """The applicant's unit, part of the trust; RESH when the directory has it."""
    resource: Resource = {
        "resourceType": "Organization",
        "id": enhet.kode,
        "meta": {"profile": [NO_BASIS_ORGANIZATION]},
        "active": True,
        "name": enhet.navn,
        "partOf": hf_ref(hf),
    }
    if enhet.resh_id:
        resource["identifier"] = [{"use": "official", "system": RESH, "value": enhet.resh_id}]
    return resource


def icd10_coding(indikasjon: Mapping[str, Any]) -> dict[str, str] | None:
    kode = str(indikasjon.get("kode") or "").strip()
    if not kode:
        return None
    coding = {"system": ICD10_NO, "code": kode}
    tekst = str(indikasjon.get("tekst") or "").strip()
    if tekst:
        coding["display"] = tekst
    return coding


def condition(sak: Saksfakta) -> Resource | None:
    """The indication the drug is applied for (ICD-10 as Volven publishes it for Norway)."""
    coding = icd10_coding(sak.indikasjon)
    if coding is None:
        return None
    return {
        "resourceType": "Condition",
        "id": sak.soknad_id,
        "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": "active"}]},
        "verificationStatus": {"coding": [{"system": CONDITION_VERIFICATION, "code": "confirmed"}]},
        "code": {"coding": [coding], "text": coding.get("display", coding["code"])},
        "subject": pasient_ref(sak),
        "recordedDate": instant(sak.opprettet_at),
        "recorder": practitioner_ref(sak),
    }


def medication(sak: Saksfakta) -> Resource | None:
    """The drug in the LMDI profile: the FEST id verbatim, the ATC code in LMDI's classification extension.

    LMDI forbids `code.text` and wants a coding or an ingredient: a drug typed without a FEST id is
    exported by its active substance as the ingredient."""
    lm = sak.legemiddel
    navn = str(lm.get("navn") or "").strip()
    virkestoff = str(lm.get("virkestoff") or "").strip()
    fest_id = str(lm.get("fest_id") or "").strip()
    atc = str(lm.get("atc") or "").strip()
    if not (navn or virkestoff or fest_id):
        return None
    resource: Resource = {
        "resourceType": "Medication",
        "id": sak.soknad_id,
        "meta": {"profile": [LMDI_MEDICATION]},
    }
    if atc:
        atc_coding = {"system": ATC, "code": atc}
        if virkestoff:
            atc_coding["display"] = virkestoff
        classification = {"coding": [atc_coding]}
        resource["extension"] = [{"url": LMDI_ATC_EXTENSION, "valueCodeableConcept": classification}]
    if fest_id:
        fest = {"system": FEST_MERKEVARE, "code": fest_id}
        if navn:
            fest["display"] = navn
        resource["code"] = {"coding": [fest]}
    form = str(lm.get("legemiddelform") or "").strip()
    if form:
        # The form is typed text in our form, not a code of kodeverk 7448.
        resource["form"] = {"text": form}
    if virkestoff:
        ingredient: dict[str, Any] = {"itemCodeableConcept": {"text": virkestoff}, "isActive": True}
        resource["ingredient"] = [ingredient]
    elif not fest_id:
        resource["ingredient"] = [{"itemCodeableConcept": {"text": navn}}]
    return resource


def product_or_service(lm: Mapping[str, Any]) -> dict[str, Any]:
    """The drug as a Claim item's `productOrService`: FEST and ATC codings, the name as text."""
    codings = []
    fest_id = str(lm.get("fest_id") or "").strip()
    navn = str(lm.get("navn") or "").strip()
    virkestoff = str(lm.get("virkestoff") or "").strip()
    if fest_id:
        codings.append({"system": FEST_MERKEVARE, "code": fest_id, **({"display": navn} if navn else {})})
    atc = str(lm.get("atc") or "").strip()
    if atc:
        codings.append({"system": ATC, "code": atc, **({"display": virkestoff} if virkestoff else {})})
    concept: dict[str, Any] = {}
    if codings:
        concept["coding"] = codings
    text = " – ".join(x for x in (navn, virkestoff) if x)
    concept["text"] = text or "Legemiddel uten navn"
    return concept
