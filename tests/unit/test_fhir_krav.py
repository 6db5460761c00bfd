"""The request and its decisions as prior authorisation: Coverage, Claim and one ClaimResponse per
decision, with an amended or revoked decision cancelled traceably rather than rewritten."""

from __future__ import annotations

from typing import Any

from shared.fhir.krav import Kravfakta, claim, claim_response, claim_responses, coverage, kravfakta
from shared.fhir.ressurser import GRUPPE_PASIENT
from shared.fhir.systemer import ATC, FEST_MERKEVARE, KATEGORI, LOPENUMMER, SOKNAD_ID, UTFALL, VEDTAK_ID
from soknad.vedtak import vedtak_dict
from tests.support.builders import complete_innhold
from tests.support.fhir_validering import errors
from tests.support.soknad_flyt import vedtak
from tests.unit.fhir_saker import FEST_ID, endret_og_opphevet, sak
from tests.unit.fhir_saker import LOPENUMMER as LNR
from tests.unit.fhir_saker import SOKNAD_ID as ID

FAKTA = Kravfakta(soknad_id=ID, lopenummer=LNR, hf="HBE", soknad_type="enkeltpasient")


def _utfall(resource: dict[str, Any]) -> str:
    return str(resource["item"][0]["adjudication"][0]["category"]["coding"][0]["code"])


def test_the_claim_is_a_preauthorization_of_the_drug_for_the_diagnosis() -> None:
    found = claim(sak())
    assert found["use"] == "preauthorization" and found["status"] == "active"
    assert found["type"]["coding"][0]["code"] == "pharmacy"
    assert found["identifier"][0] == {"use": "official", "system": LOPENUMMER, "value": LNR}
    assert found["identifier"][1] == {"system": SOKNAD_ID, "value": ID}
    assert found["subType"]["coding"] == [{"system": KATEGORI, "code": "off_label"}]
    assert found["patient"] == {"reference": f"Patient/{ID}"}
    assert found["provider"]["reference"] == "Organization/HBE-NEVRO"
    assert found["insurer"]["reference"] == "Organization/HBE"
    assert found["insurance"] == [{"sequence": 1, "focal": True, "coverage": {"reference": f"Coverage/{ID}"}}]
    assert found["diagnosis"] == [{"sequence": 1, "diagnosisReference": {"reference": f"Condition/{ID}"}}]
    assert found["supportingInfo"][0]["valueReference"] == {"reference": f"QuestionnaireResponse/{ID}"}
    item = found["item"][0]
    assert item["productOrService"]["coding"] == [
        {"system": FEST_MERKEVARE, "code": FEST_ID, "display": "MabThera inf kons 10 mg/ml"},
        {"system": ATC, "code": "L01FA01", "display": "rituksimab"},
    ]
    assert item["diagnosisSequence"] == [1] and item["quantity"]["value"] == 3
    assert errors([found, coverage(sak())]) == []


def test_the_claim_status_follows_the_case() -> None:
    assert claim(sak(status="utkast", lopenummer=None, sendt_at=None))["status"] == "draft"
    assert claim(sak(status="trukket"))["status"] == "cancelled"
    assert coverage(sak(status="trukket"))["status"] == "cancelled"
    draft = claim(sak(status="utkast", lopenummer=None, sendt_at=None))
    assert [i["system"] for i in draft["identifier"]] == [SOKNAD_ID]
    assert errors([draft]) == []


def test_a_group_claim_names_no_patient() -> None:
    group = sak(type="gruppe", innhold=complete_innhold("gruppe"))
    found = claim(group)
    assert found["type"]["coding"][0]["code"] == "institutional"
    assert found["patient"] == {"display": GRUPPE_PASIENT}
    assert coverage(group)["beneficiary"] == {"display": GRUPPE_PASIENT}
    fakta = kravfakta(group)
    assert fakta is not None
    responses = claim_responses(group.vedtak, fakta)
    assert responses[0]["patient"] == {"display": GRUPPE_PASIENT}
    assert errors([found, coverage(group), *responses]) == []


def test_a_grant_with_conditions() -> None:
    decision = vedtak_dict(vedtak(ID, LNR))
    found = claim_response(decision, FAKTA)
    assert found["id"] == decision["vedtak_id"] and found["status"] == "active"
    assert found["identifier"] == [
        {"system": VEDTAK_ID, "value": decision["vedtak_id"]},
        {"use": "official", "system": LOPENUMMER, "value": LNR},
    ]
    assert found["outcome"] == "partial"
    assert found["preAuthRef"] == LNR
    assert found["preAuthPeriod"] == {"start": "2026-02-01", "end": "2027-01-31"}
    assert found["request"] == {"reference": f"Claim/{ID}"}
    assert found["item"][0]["adjudication"][0]["category"]["coding"] == [
        {"system": UTFALL, "code": "innvilget_med_vilkar", "display": "Innvilget med vilkår"}
    ]
    assert found["disposition"] == (
        "Innvilget med vilkår. Begrunnelse: Alvorlig sykdom uten effekt av førstelinjebehandling. "
        "Fattet av Lars Haugen 30. januar 2026."
    )
    assert "requestor" not in found  # the claimant, not who decided
    notes = [n["text"] for n in found["processNote"]]
    assert notes[:2] == [
        "Vilkår – Evaluering: Evaluer attakkfrekvens og MR. (innen 1. august 2026)",
        "Vilkår – Registrering: Registrer behandlingen i Norsk MS-register.",
    ]
    assert found["item"][0]["noteNumber"] == [n["number"] for n in found["processNote"]]
    assert found["meta"] == {"versionId": "1", "lastUpdated": "2026-01-30T10:00:00+00:00"}
    assert errors([found]) == []


def test_a_grant_and_a_refusal() -> None:
    granted = claim_response(vedtak_dict(vedtak(ID, LNR, utfall="innvilget")), FAKTA)
    refused = claim_response(vedtak_dict(vedtak(ID, LNR, utfall="avslatt")), FAKTA)
    assert (_utfall(granted), granted["outcome"]) == ("innvilget", "complete")
    assert (_utfall(refused), refused["outcome"]) == ("avslatt", "complete")
    assert "preAuthPeriod" not in refused and refused["disposition"].startswith("Avslått.")
    assert errors([granted, refused]) == []


def test_an_amended_decision_cancels_the_first_and_says_by_which() -> None:
    first, endret, _ = endret_og_opphevet()
    old, new = claim_responses(endret, FAKTA)
    assert (old["id"], new["id"]) == (first["vedtak_id"], endret["vedtak_id"])
    assert (old["status"], new["status"]) == ("cancelled", "active")
    assert old["meta"] == {"versionId": "2", "lastUpdated": "2026-03-02T09:00:00+00:00"}
    assert old["processNote"][-1]["text"] == (
        f"Erstattet av vedtak {endret['vedtak_id']} fattet av Lars Haugen 2. mars 2026."
    )
    assert old["disposition"].endswith("Erstattet av et nyere vedtak.")
    assert new["processNote"][-1]["text"] == f"Endrer vedtak {first['vedtak_id']}."
    assert (_utfall(new), new["preAuthPeriod"]["end"]) == ("innvilget", "2027-06-30")
    assert new["meta"]["versionId"] == "1"
    assert errors([old, new]) == []


def test_a_revoked_decision_is_cancelled_with_who_when_and_why() -> None:
    first, _, opphevet = endret_og_opphevet()
    old, revoked = claim_responses(opphevet, FAKTA)
    assert old["status"] == "cancelled" and old["id"] == first["vedtak_id"]
    assert revoked["status"] == "cancelled"
    assert revoked["meta"] == {"versionId": "2", "lastUpdated": "2026-04-28T14:00:00+00:00"}
    assert revoked["processNote"][-1]["text"] == (
        "Vedtaket er opphevet av Lars Haugen 28. april 2026 (vedtak c2a9d4e6-1b7f-4c3a-a5e8-9f0b1c2d3e44), "
        "gjelder fra 1. mai 2026: Alvorlig bivirkning."
    )
    assert revoked["disposition"].endswith("Vedtaket er opphevet.")
    assert errors([old, revoked]) == []


def test_a_case_without_a_decision_has_no_claim_response() -> None:
    assert claim_responses(None, FAKTA) == []
    assert kravfakta(sak(lopenummer=None)) is None


def test_the_reasons_can_be_left_out_for_the_integrator_messages() -> None:
    _, _, opphevet = endret_og_opphevet()
    old, revoked = claim_responses(opphevet, FAKTA, begrunnelse=False)
    for resource in (old, revoked):
        text = str(resource)
        assert "Alvorlig sykdom" not in text and "Alvorlig bivirkning" not in text
        assert "Begrunnelse" not in resource["disposition"]
    assert revoked["processNote"][-1]["text"].endswith("gjelder fra 1. mai 2026")
    assert errors([old, revoked]) == []
