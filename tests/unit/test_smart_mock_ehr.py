"""The mock EHR follows SMART App Launch: the independent `fhirclient` library runs an EHR launch against
it (authorize with PKCE and `aud`, the callback's state check, the token exchange) and reads the launched
Patient; and the mock refuses what a real record refuses."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fhirclient import client as fhirclient

from shared.fhir.systemer import FODSELSNUMMER
from tests.support.mock_ehr import MockEhr, patient_resource, practitioner_resource

REDIRECT = "http://127.0.0.1:9/callback"
FNR = "15838500002"  # Tenor's synthetic example (DOMAIN.md)


@pytest.fixture
def ehr() -> Iterator[MockEhr]:
    with MockEhr(client_id="soknad-test", redirect_uris={REDIRECT}) as mock:
        mock.add(
            patient_resource(
                "pas-1", fnr=FNR, given="Test", family="Pasient", birth="1985-03-15", gender="male"
            )
        )
        mock.add(practitioner_resource("lege-1", hpr="9144889", given="Kari", family="Nordmann"))
        yield mock


def test_fhirclient_runs_an_ehr_launch_against_the_mock(ehr: MockEhr) -> None:
    launch = ehr.new_launch(patient="pas-1", practitioner="lege-1")
    smart = fhirclient.FHIRClient(
        settings={
            "app_id": "soknad-test",
            "api_base": ehr.fhir_base,
            "redirect_uri": REDIRECT,
            "launch_token": launch,
            "scope": "launch openid fhirUser patient/*.rs",
        }
    )
    authorize_url = smart.authorize_url
    params = parse_qs(urlsplit(authorize_url).query)
    assert params["aud"] == [ehr.fhir_base] and params["code_challenge_method"] == ["S256"]

    answer = httpx.get(authorize_url)
    assert answer.status_code == 302
    callback = answer.headers["location"]
    assert callback.startswith(REDIRECT + "?")
    smart.handle_callback(callback)  # checks state, posts the code with fhirclient's own verifier

    assert smart.ready and smart.patient_id == "pas-1"
    patient = smart.patient
    assert patient is not None
    assert [(i.system, i.value) for i in patient.identifier] == [(FODSELSNUMMER, FNR)]
    assert patient.birthDate.isostring == "1985-03-15"
    assert smart.human_name(patient.name[0]) == "Test Pasient"


def _authorize(ehr: MockEhr, launch: str, *, verifier: str = "v" * 43, **overrides: str) -> httpx.Response:
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    params = {
        "response_type": "code",
        "client_id": "soknad-test",
        "redirect_uri": REDIRECT,
        "launch": launch,
        "scope": "launch openid fhirUser patient/*.rs",
        "state": "s-1",
        "aud": ehr.fhir_base,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **overrides,
    }
    return httpx.get(f"{ehr.origin}/auth/authorize", params=params)


def _query(response: httpx.Response) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()}


def test_authorize_refuses_a_wrong_aud_and_a_missing_challenge(ehr: MockEhr) -> None:
    launch = ehr.new_launch(patient="pas-1", practitioner="lege-1")
    wrong_aud = _query(_authorize(ehr, launch, aud="http://elsewhere.example/fhir"))
    assert wrong_aud["error"] == "invalid_request" and wrong_aud["state"] == "s-1"
    no_pkce = _query(_authorize(ehr, launch, code_challenge_method="plain"))
    assert no_pkce["error"] == "invalid_request"
    unregistered = _authorize(ehr, launch, redirect_uri="http://evil.example/cb")
    assert unregistered.status_code == 400 and "location" not in unregistered.headers


def test_token_checks_the_code_verifier_and_uses_a_code_once(ehr: MockEhr) -> None:
    launch = ehr.new_launch(patient="pas-1", practitioner="lege-1")
    code = _query(_authorize(ehr, launch, verifier="a" * 43))["code"]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": "soknad-test",
        "redirect_uri": REDIRECT,
    }
    wrong = httpx.post(f"{ehr.origin}/auth/token", data={**form, "code_verifier": "b" * 43})
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    # The failed attempt used the code up, as a careful server does: a guessed verifier gets one try.
    again = httpx.post(f"{ehr.origin}/auth/token", data={**form, "code_verifier": "a" * 43})
    assert again.status_code == 400

    code = _query(_authorize(ehr, launch, verifier="a" * 43))["code"]
    ok = httpx.post(f"{ehr.origin}/auth/token", data={**form, "code": code, "code_verifier": "a" * 43})
    assert ok.status_code == 200
    body = ok.json()
    assert body["patient"] == "pas-1" and body["token_type"] == "Bearer" and body["id_token"]
    other = httpx.get(
        f"{ehr.fhir_base}/Patient/pas-2", headers={"authorization": f"Bearer {body['access_token']}"}
    )
    assert other.status_code == 403  # the token is bound to the launch's patient
