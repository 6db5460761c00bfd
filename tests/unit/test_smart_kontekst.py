"""What the record gives is read carefully (patient, physician, unit), a launch context belongs to one
user and one patient, and the write-back asks for a scope that allows creating a QuestionnaireResponse."""

from __future__ import annotations

from shared.fhir.systemer import D_NUMMER, FODSELSNUMMER, HPR_NUMMER, RESH
from soknad.smart.journal import Journalpasient, fhir_user_reference, hpr_of, parse_patient, service_provider
from soknad.smart.klient import TokenResponse
from soknad.smart.konfig import SmartIssuer, find_issuer
from soknad.smart.kontekst import KontekstLager, Launchkontekst
from soknad.smart.tilbakeskriving import allows_write


def test_the_fodselsnummer_is_preferred_to_the_d_nummer_and_the_official_name_to_others() -> None:
    patient = parse_patient(
        {
            "resourceType": "Patient",
            "id": "p1",
            "identifier": [
                {"system": D_NUMMER, "value": "55838500001"},
                {"system": "urn:other", "value": "x"},
                {"system": FODSELSNUMMER, "value": " 15838500002 "},
            ],
            "name": [
                {"use": "nickname", "text": "Tussa"},
                {"use": "official", "given": ["Anne", "Marie"], "family": "Li"},
            ],
            "birthDate": "1985-03-15",
            "gender": "female",
        }
    )
    assert patient.fodselsnummer == "15838500002" and patient.navn == "Anne Marie Li"
    assert patient.kjonn == "kvinne" and str(patient.fodselsdato) == "1985-03-15"
    only_d = parse_patient({"id": "p2", "identifier": [{"system": D_NUMMER, "value": "55838500001"}]})
    assert only_d.fodselsnummer == "55838500001" and only_d.navn is None and only_d.fodselsdato is None


def test_a_partial_birth_date_and_odd_values_do_not_crash() -> None:
    patient = parse_patient(
        {"id": "p", "birthDate": "1985", "gender": 3, "name": "not a list", "identifier": None}
    )
    assert patient == Journalpasient("p", None, None, None, None)


def test_physician_and_unit_references() -> None:
    assert hpr_of({"identifier": [{"system": HPR_NUMMER, "value": "9144889"}]}) == "9144889"
    assert (
        fhir_user_reference({"fhirUser": "https://ehr/fhir/Practitioner/7"})
        == "https://ehr/fhir/Practitioner/7"
    )
    assert fhir_user_reference({"fhirUser": "https://ehr/fhir/Patient/7"}) is None
    assert service_provider({"serviceProvider": {"identifier": {"system": RESH, "value": "900101"}}}) == (
        "900101",
        None,
    )
    assert service_provider({"serviceProvider": {"reference": "Organization/o1"}}) == (
        None,
        "Organization/o1",
    )


def test_issuers_match_with_or_without_a_trailing_slash() -> None:
    issuers = [SmartIssuer(iss="https://ehr.example/fhir/", client_id="c")]
    assert find_issuer(issuers, "https://ehr.example/fhir") is issuers[0]
    assert find_issuer(issuers, "https://ehr.example/fhir2") is None


def test_write_needs_a_create_scope_on_questionnaire_response() -> None:
    for scope in (
        "patient/QuestionnaireResponse.c",
        "patient/QuestionnaireResponse.cruds",
        "user/*.write",
        "launch patient/*.cu",
        "patient/QuestionnaireResponse.write",
        "patient/QuestionnaireResponse.c?x=y",
    ):
        assert allows_write(scope), scope
    for scope in (
        "patient/*.rs",
        "patient/*.read",
        "patient/Observation.c",
        "launch openid fhirUser",
        "patient/QuestionnaireResponse.rs",
        "",
    ):
        assert not allows_write(scope), scope


def _kontekst(lager: KontekstLager, user_id: str, fnr: str) -> Launchkontekst:
    return lager.add(
        issuer=SmartIssuer(iss="https://ehr/fhir", client_id="c"),
        user_id=user_id,
        hpr_number=None,
        pasient=Journalpasient("p", fnr, "Navn", None, None),
        enhet="E",
        enhet_fra_journalen=True,
        token=TokenResponse("t", "", "p", None, None, None, None, {}),
    )


def test_a_launch_is_its_users_and_a_draft_stays_with_its_first_launch() -> None:
    lager = KontekstLager()
    a = _kontekst(lager, "u1", "15838500002")
    b = _kontekst(lager, "u1", "01010112345")
    assert lager.get(a.key, user_id="u1") is a and lager.get(a.key, user_id="u2") is None
    lager.bind(a, "s1")
    lager.bind(b, "s1")  # a later launch never takes over a draft
    assert lager.for_soknad("s1") is a
    marked = a.fra_journalen(
        innhold={"pasient_fodselsnummer": "15838500002", "pasient_navn": "Annet"}, enhet="E", soker_id="u1"
    )
    assert marked == {"pasient_fodselsnummer", "enhet", "soker"}


def test_contexts_expire_and_the_store_is_bounded() -> None:
    lager = KontekstLager(ttl_s=-1)
    old = _kontekst(lager, "u1", "1")
    lager.bind(old, "s1")
    assert lager.get(old.key, user_id="u1") is None and lager.for_soknad("s1") is None
    small = KontekstLager(max_size=2)
    first = _kontekst(small, "u", "1")
    _kontekst(small, "u", "2")
    _kontekst(small, "u", "3")
    assert small.get(first.key, user_id="u") is None
