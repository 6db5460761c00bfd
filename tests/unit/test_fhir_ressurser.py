"""The application's people and things as FHIR: each resource validates in all three validators, carries the
Norwegian identifier systems, and chooses fødselsnummer or D-nummer by the number itself."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from shared.domain.identifiers import validate_organisasjonsnummer
from shared.domain.trusts import HELSEFORETAK, ORGANISASJONSNUMMER_HF
from shared.fhir.ressurser import (
    GRUPPE_PASIENT,
    condition,
    medication,
    organization_enhet,
    organization_hf,
    patient,
    personnummer_system,
    practitioner,
)
from shared.fhir.systemer import (
    ATC,
    D_NUMMER,
    FEST_MERKEVARE,
    FH_NUMMER,
    FODSELSNUMMER,
    HPR_NUMMER,
    ICD10_NO,
    LMDI_ATC_EXTENSION,
    LMDI_MEDICATION,
    NO_BASIS_PATIENT,
    ORGANISASJONSNUMMER,
    RESH,
)
from tests.support.builders import complete_innhold
from tests.support.fhir_validering import errors
from tests.unit.fhir_saker import FEST_ID, FNR, NEVRO, SOKNAD_ID, sak, synthetic_d_nummer


def test_every_resource_of_a_case_validates() -> None:
    case = sak()
    resources = [
        patient(case),
        practitioner(case),
        organization_hf("HBE"),
        organization_enhet("HBE", NEVRO),
        condition(case),
        medication(case),
    ]
    assert all(r is not None for r in resources)
    assert errors([r for r in resources if r is not None]) == []


def test_the_patient_carries_the_fodselsnummer_and_what_it_tells() -> None:
    resource = patient(sak())
    assert resource is not None
    assert resource["id"] == SOKNAD_ID and FNR not in resource["id"]
    assert resource["meta"]["profile"] == [NO_BASIS_PATIENT]
    assert resource["identifier"] == [{"use": "official", "system": FODSELSNUMMER, "value": FNR}]
    assert resource["gender"] == "female" and resource["birthDate"] == "1979-04-12"
    assert resource["name"][0] == {
        "use": "official",
        "text": "Syntetisk Testpasient",
        "family": "Testpasient",
        "given": ["Syntetisk"],
    }


def test_a_d_nummer_is_told_by_its_first_digit() -> None:
    d_nummer = synthetic_d_nummer(date(1990, 2, 3))
    assert d_nummer[0] in "4567"
    case = sak(innhold={**sak().innhold, "pasient_fodselsnummer": d_nummer})
    resource = patient(case)
    assert resource is not None
    assert resource["identifier"][0]["system"] == D_NUMMER
    assert resource["identifier"][0]["value"] == d_nummer
    assert resource["birthDate"] == "1990-02-03"
    assert errors([resource]) == []
    # Every first digit: 0–3 a fødselsnummer, 4–7 a D-nummer (day + 40), 8–9 an FH-nummer.
    assert [personnummer_system(f"{d}0000000000") for d in range(10)] == (
        [FODSELSNUMMER] * 4 + [D_NUMMER] * 4 + [FH_NUMMER] * 2
    )


def test_a_group_application_has_no_patient() -> None:
    case = sak(type="gruppe", innhold=complete_innhold("gruppe"))
    assert patient(case) is None
    found = condition(case)
    assert found is not None and found["subject"] == {"display": GRUPPE_PASIENT}
    assert errors([found]) == []


def test_the_practitioner_has_the_hpr_number_or_none() -> None:
    assert practitioner(sak())["identifier"] == [
        {"use": "official", "system": HPR_NUMMER, "value": "9144889"}
    ]
    without = practitioner(sak(soker_hpr=None))
    assert "identifier" not in without
    assert errors([without]) == []


def test_the_trust_has_its_organisation_number_and_the_unit_its_resh() -> None:
    trust = organization_hf("HBE")
    assert trust["identifier"][0] == {"use": "official", "system": ORGANISASJONSNUMMER, "value": "983974724"}
    unit = organization_enhet("HBE", NEVRO)
    assert unit["identifier"] == [{"use": "official", "system": RESH, "value": "900101"}]
    assert unit["partOf"]["reference"] == "Organization/HBE"
    # Every trust's number has a valid check digit, and every trust has one.
    assert set(ORGANISASJONSNUMMER_HF) == set(HELSEFORETAK)
    for orgnr in ORGANISASJONSNUMMER_HF.values():
        assert validate_organisasjonsnummer(orgnr) == orgnr


def test_the_condition_is_coded_in_icd10_as_volven_publishes_it() -> None:
    found = condition(sak())
    assert found is not None
    assert found["code"]["coding"] == [
        {"system": ICD10_NO, "code": "G36.0", "display": "Neuromyelitis optica"}
    ]
    assert found["subject"] == {"reference": f"Patient/{SOKNAD_ID}"}


def test_the_medication_follows_lmdi() -> None:
    found = medication(sak())
    assert found is not None
    assert found["meta"]["profile"] == [LMDI_MEDICATION]
    # The FEST id verbatim, the ATC code in LMDI's classification extension, no code.text (LMDI forbids it).
    assert found["code"] == {
        "coding": [{"system": FEST_MERKEVARE, "code": FEST_ID, "display": "MabThera inf kons 10 mg/ml"}]
    }
    assert found["extension"] == [
        {
            "url": LMDI_ATC_EXTENSION,
            "valueCodeableConcept": {"coding": [{"system": ATC, "code": "L01FA01", "display": "rituksimab"}]},
        }
    ]
    assert found["form"] == {"text": "Konsentrat til infusjonsvæske"}


def test_a_drug_typed_without_a_fest_id_is_exported_by_its_substance() -> None:
    case = sak()
    typed = {k: v for k, v in case.legemiddel.items() if k != "fest_id"}
    found = medication(replace(case, innhold={**case.innhold, "legemiddel": typed}))
    assert found is not None
    assert "code" not in found
    # LMDI's invariant: a coding or an ingredient.
    assert found["ingredient"] == [{"itemCodeableConcept": {"text": "rituksimab"}, "isActive": True}]
    assert errors([found]) == []
