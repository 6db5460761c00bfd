"""The search parser accepts exactly what the CapabilityStatement lists, and turns each parameter into the
right condition on the cases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.fhir.systemer import D_NUMMER, FODSELSNUMMER, LOPENUMMER, SOKNAD_ID, VEDTAK_ID
from soknad.fhir.handlers import Kriterier
from soknad.fhir.kapabilitet import capability_statement
from soknad.fhir.sok import CLAIM_STATUS, INCLUDES, REVINCLUDES, SEARCH_PARAMS, UgyldigSok, parse
from tests.unit.fhir_saker import FNR
from tests.unit.fhir_saker import LOPENUMMER as LNR
from tests.unit.fhir_saker import SOKNAD_ID as ID

SAMPLE = {
    "identifier": LNR,
    "status": "active",
    "request": f"Claim/{ID}",
    "patient": f"Patient/{ID}",
    "subject": f"Patient/{ID}",
    "beneficiary": f"Patient/{ID}",
    "_id": ID,
    "_count": "10",
}


def _sample(resource_type: str, name: str) -> str:
    if name.startswith("_"):
        return SAMPLE[name]
    if name.endswith("identifier") and (name != "identifier" or resource_type == "Patient"):
        return FNR
    if name == "status" and resource_type == "QuestionnaireResponse":
        return "completed"
    return SAMPLE[name]


def test_every_listed_parameter_and_include_is_accepted_and_nothing_else() -> None:
    cs = capability_statement(base="http://x/fhir", now=datetime(2026, 1, 1, tzinfo=UTC), versjon="1")
    listed = {r["type"]: r for r in cs["rest"][0]["resource"]}
    for resource_type, params in SEARCH_PARAMS.items():
        entry = listed[resource_type]
        names = {p["name"] for p in entry["searchParam"]} - {"supporting-info"}
        # The chains are documented on their reference parameter; the rest are listed one by one.
        assert names == {"_id", "_count", *(n for n in params if "." not in n and ":" not in n)}
        for name in [*names, *params]:
            parse(resource_type, [(name, _sample(resource_type, name))])
        for include in entry.get("searchInclude", []):
            parse(resource_type, [("_include", include)])
        for revinclude in entry.get("searchRevInclude", []):
            parse(resource_type, [("_revinclude", revinclude)])
        assert entry.get("searchInclude", []) == list(INCLUDES.get(resource_type, {}))
        assert entry.get("searchRevInclude", []) == list(REVINCLUDES.get(resource_type, {}))
        with pytest.raises(UgyldigSok):
            parse(resource_type, [("_sort", "-created")])
    for read_only in ("Practitioner", "Organization", "Medication"):
        assert [i["code"] for i in listed[read_only]["interaction"]] == ["read"]
        with pytest.raises(UgyldigSok):
            parse(read_only, [("_id", "x")])


def test_identifiers_become_conditions_on_the_cases() -> None:
    assert parse("Claim", [("identifier", f"{LOPENUMMER}|{LNR.lower()}")]).kriterier == Kriterier(
        lopenumre=[LNR]
    )
    assert parse("Claim", [("identifier", f"{SOKNAD_ID}|{ID}")]).kriterier == Kriterier(soknad_ids=[ID])
    assert parse("Claim", [("patient.identifier", f"{FODSELSNUMMER}|{FNR}")]).kriterier == Kriterier(
        fodselsnummer=FNR
    )
    assert parse("Claim", [("patient:identifier", FNR)]).kriterier == Kriterier(fodselsnummer=FNR)
    # A system that does not fit the number, or an unknown identifier system, finds nothing.
    assert parse("Claim", [("patient.identifier", f"{D_NUMMER}|{FNR}")]).kriterier == Kriterier(soknad_ids=[])
    assert parse("Claim", [("identifier", f"urn:ukjent|{LNR}")]).kriterier == Kriterier(soknad_ids=[])
    vedtak = parse("ClaimResponse", [("identifier", f"{VEDTAK_ID}|abc-1")])
    assert vedtak.kriterier == Kriterier(vedtak_id="abc-1")
    assert [f({"id": "abc-1"}) for f in vedtak.filters] == [True]
    assert [f({"id": "abc-2"}) for f in vedtak.filters] == [False]


def test_statuses_and_contradictions() -> None:
    assert parse("Claim", [("status", "active,cancelled")]).kriterier == Kriterier(
        statuser=[*CLAIM_STATUS["active"], *CLAIM_STATUS["cancelled"]]
    )
    both = parse("Claim", [("_id", ID), ("_id", "annen")])
    assert both.kriterier == Kriterier(soknad_ids=[])
    same = parse("Claim", [("_id", ID), ("identifier", f"{SOKNAD_ID}|{ID}")])
    assert same.kriterier == Kriterier(soknad_ids=[ID])
    two_patients = parse("Claim", [("patient.identifier", FNR), ("patient:identifier", "0" * 11)])
    assert two_patients.kriterier.soknad_ids == []


@pytest.mark.parametrize(
    ("resource_type", "name", "value"),
    [
        ("Claim", "status", "vedtatt"),
        ("Claim", "status", ""),
        ("Claim", "_count", "201"),
        ("Claim", "_count", "-1"),
        ("Claim", "patient.identifier", "123"),
        ("Claim", "patient.identifier", f"{FODSELSNUMMER}|"),
        ("Claim", "patient", "Practitioner/x"),
        ("Claim", "_id", "a b"),
        ("Claim", "_include", "ClaimResponse:request"),
        ("ClaimResponse", "request", "Claim/" + "x" * 65),
        ("ClaimResponse", "status", "draft,nei"),
        ("Patient", "identifier", LNR),
        ("QuestionnaireResponse", "status", "stopped"),
        ("Observation", "_id", "x"),
    ],
)
def test_bad_values_are_refused_with_a_norwegian_reason(resource_type: str, name: str, value: str) -> None:
    with pytest.raises(UgyldigSok) as refused:
        parse(resource_type, [(name, value)])
    assert refused.value.status == 400 and refused.value.message
