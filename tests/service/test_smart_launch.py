"""Launched from the patient record (SMART App Launch 2, EHR launch) against the mock EHR over real HTTP:
the draft opens with the patient, the applicant and the unit from the record and marked so; each launch
keeps its own patient; every refusal is a Norwegian page that fills in nothing; and the sent application
is written back to the record when the scope allows it."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from pydantic import SecretStr

from shared.domain.identifiers import synthetic_fodselsnummer
from shared.platform.auth.session import SESSION_COOKIE
from shared.platform.bus.memory import MemoryBus
from soknad.app import create_app
from soknad.settings import SoknadSettings
from soknad.smart.konfig import SmartIssuer
from tests.support.apps import SIGNER, katalog_of, running
from tests.support.builders import complete_innhold
from tests.support.fhir_validering import errors
from tests.support.mock_ehr import MockEhr, follow_launch, patient_resource, practitioner_resource
from tests.support.oidc_issuer import TestIssuer
from tests.support.visible_text import visible_text

BASE = "http://test"
HTML = {"accept": "text/html"}
FNR_A = synthetic_fodselsnummer(date(1961, 5, 17), sex="kvinne")
FNR_B = synthetic_fodselsnummer(date(2001, 11, 2), sex="mann")
KARI_HPR = "9144889"  # hbe-soker in the demo directory, unit HBE-NEVRO


@pytest.fixture
def ehr() -> Iterator[MockEhr]:
    with MockEhr(client_id="soknad-hbe", redirect_uris={f"{BASE}/smart/callback"}) as mock:
        mock.add(
            patient_resource(
                "pas-a", fnr=FNR_A, given="Astrid", family="Aasen", birth="1961-05-17", gender="female"
            )
        )
        mock.add(
            patient_resource(
                "pas-b", fnr=FNR_B, given="Bjørn", family="Berg", birth="2001-11-02", gender="male"
            )
        )
        mock.add(practitioner_resource("lege-kari", hpr=KARI_HPR, given="Kari", family="Nordmann"))
        mock.add(practitioner_resource("lege-ukjent", hpr="1234567", given="Ukjent", family="Lege"))
        mock.add_unit_encounter("enc-revma", resh="900102", patient="pas-a")  # HBE-REVMA
        yield mock


@pytest_asyncio.fixture
async def app(tmp_path: Path, ehr: MockEhr) -> AsyncIterator[FastAPI]:
    bus = MemoryBus()
    await bus.connect()
    issuer = SmartIssuer(
        **ehr.issuer_config, scope="launch openid fhirUser patient/*.rs patient/QuestionnaireResponse.c"
    )
    settings = SoknadSettings(data_dir=tmp_path, log_json=False, smart_issuers=[issuer])
    async with running(create_app(settings, bus=bus)) as started:
        yield started
    await bus.close()


def browser(app: FastAPI) -> httpx.AsyncClient:
    """A client with no session: the launch itself logs the physician in."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE, headers=HTML)


def launch_url(ehr: MockEhr, **launch: Any) -> str:
    return ehr.launch_url(f"{BASE}/smart/launch", ehr.new_launch(**launch))


async def launch_to_draft(client: httpx.AsyncClient, ehr: MockEhr, **launch: Any) -> tuple[str, str]:
    """(draft id, the draft page's HTML)."""
    answer = await follow_launch(client, launch_url(ehr, **launch))
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert "/s/" in location, location
    page = await client.get(location)
    assert page.status_code == 200
    return location.rsplit("/s/", 1)[1], page.text


def marked(html: str) -> set[str]:
    return {part.split('"', 1)[0] for part in html.split('data-fra-journalen="')[1:]}


def field_value(html: str, name: str) -> str:
    tail = html.split(f'name="{name}"', 1)[1]
    return tail.split('value="', 1)[1].split('"', 1)[0]


async def test_the_draft_opens_with_patient_applicant_and_unit_from_the_record(
    app: FastAPI, ehr: MockEhr
) -> None:
    async with browser(app) as client:
        soknad_id, html = await launch_to_draft(
            client, ehr, patient="pas-a", practitioner="lege-kari", encounter="enc-revma"
        )
        assert client.cookies.get(SESSION_COOKIE)
        session_user = await katalog_of(app).session_user(
            SIGNER.read_session(client.cookies[SESSION_COOKIE]) or ""
        )
        assert session_user == "hbe-soker"
        assert field_value(html, "innhold.pasient_fodselsnummer") == FNR_A
        assert field_value(html, "innhold.pasient_navn") == "Astrid Aasen"
        assert 'value="HBE-REVMA" selected' in html  # the encounter's unit, by its RESH-id
        text = visible_text(html)
        assert "Kari Nordmann" in text and KARI_HPR in text
        assert "Åpnet fra journalen (Testjournal)" in text and "1961" in text and "kvinne" in text
        assert marked(html) == {"pasient_fodselsnummer", "pasient_navn", "enhet", "soker"}
        assert text.count("Hentet fra journalen") == 4

        # The physician corrects the name: that field loses its marking, the others keep theirs.
        form = {
            "csrf_token": SIGNER.read_csrf(client.cookies.get("sp_csrf")) or "",
            "versjon": "1",
            "innhold.pasient_navn": "Astrid M. Aasen",
            "kategori": "off_label",
            "enhet": "HBE-REVMA",
            "handling": "lagre",
        }
        saved = await client.post(f"/s/{soknad_id}", data=form)
        assert saved.status_code == 303, saved.text
        html = (await client.get(f"/s/{soknad_id}")).text
        assert marked(html) == {"pasient_fodselsnummer", "enhet", "soker"}


async def test_without_an_encounter_the_unit_is_the_physicians_own_and_not_marked(
    app: FastAPI, ehr: MockEhr
) -> None:
    async with browser(app) as client:
        _id, html = await launch_to_draft(client, ehr, patient="pas-a", practitioner="lege-kari")
    assert 'value="HBE-NEVRO" selected' in html
    assert marked(html) == {"pasient_fodselsnummer", "pasient_navn", "soker"}


async def test_two_launches_for_two_patients_stay_apart(app: FastAPI, ehr: MockEhr) -> None:
    async with browser(app) as client:
        id_a, _html_a = await launch_to_draft(client, ehr, patient="pas-a", practitioner="lege-kari")
        id_b, html_b = await launch_to_draft(client, ehr, patient="pas-b", practitioner="lege-kari")
        assert id_a != id_b
        again_a = (await client.get(f"/s/{id_a}")).text
        assert field_value(again_a, "innhold.pasient_fodselsnummer") == FNR_A
        assert "Bjørn" not in visible_text(again_a) and FNR_B not in again_a
        assert field_value(html_b, "innhold.pasient_fodselsnummer") == FNR_B
        assert "Astrid" not in visible_text(html_b) and FNR_A not in html_b


async def test_a_patient_with_applications_gets_the_list_and_a_new_one(app: FastAPI, ehr: MockEhr) -> None:
    async with browser(app) as client:
        first, _html = await launch_to_draft(client, ehr, patient="pas-a", practitioner="lege-kari")
        await launch_to_draft(client, ehr, patient="pas-b", practitioner="lege-kari")
        answer = await follow_launch(client, launch_url(ehr, patient="pas-a", practitioner="lege-kari"))
        assert answer.status_code == 303 and "/smart/k/" in answer.headers["location"]
        listing = await client.get(answer.headers["location"])
        assert listing.status_code == 200
        text = visible_text(listing.text)
        assert "Pasienten har allerede disse søknadene" in text and "Astrid Aasen" in text
        assert f"/s/{first}" in listing.text and listing.text.count('class="soknadskort"') == 1  # not B's
        csrf = SIGNER.read_csrf(client.cookies.get("sp_csrf")) or ""
        new = await client.post(
            answer.headers["location"] + "/ny", data={"csrf_token": csrf, "kategori": "godkjenningsfritak"}
        )
        assert new.status_code == 303
        html = (await client.get(new.headers["location"])).text
        assert field_value(html, "innhold.pasient_fodselsnummer") == FNR_A
        assert 'value="godkjenningsfritak" selected' in html


async def refused(client: httpx.AsyncClient, answer: httpx.Response, status: int, words: str) -> str:
    assert answer.status_code == status, answer.text
    text = visible_text(answer.text)
    assert "Søknadsportalen kunne ikke åpnes fra journalen" in text and words in text
    assert "Astrid" not in text and FNR_A not in answer.text
    assert SESSION_COOKIE not in client.cookies  # nobody was logged in
    return text


async def test_an_unknown_issuer_and_a_link_without_launch_are_refused(app: FastAPI, ehr: MockEhr) -> None:
    async with browser(app) as client:
        launch = ehr.new_launch(patient="pas-a", practitioner="lege-kari")
        foreign = await client.get(
            "/smart/launch", params={"iss": "http://127.0.0.1:1/fhir", "launch": launch}
        )
        await refused(client, foreign, 403, "ikke godkjent i dette helseforetaket")
        incomplete = await client.get("/smart/launch", params={"iss": ehr.fhir_base})
        await refused(client, incomplete, 400, "mangler «iss» eller «launch»")


async def test_a_bad_state_is_refused(app: FastAPI, ehr: MockEhr) -> None:
    async with browser(app) as client:
        first = await client.get(launch_url(ehr, patient="pas-a", practitioner="lege-kari"))
        async with httpx.AsyncClient() as other:
            back = await other.get(first.headers["location"])
        callback = urlsplit(back.headers["location"])
        code = parse_qs(callback.query)["code"][0]
        forged = await client.get("/smart/callback", params={"code": code, "state": "not-the-state"})
        await refused(client, forged, 400, "ukjent eller utløpt «state»")
        assert ehr.token_requests == 0  # the code was never even tried


async def test_a_code_of_another_launch_fails_pkce(app: FastAPI, ehr: MockEhr) -> None:
    """An injected code (from launch 1) with a genuine state (of launch 2): our verifier of launch 2 does
    not match the challenge the code was issued for, and the mock record refuses the exchange."""
    async with browser(app) as client, httpx.AsyncClient() as at_ehr:
        one = await client.get(launch_url(ehr, patient="pas-b", practitioner="lege-kari"))
        code_one = parse_qs(urlsplit((await at_ehr.get(one.headers["location"])).headers["location"]).query)[
            "code"
        ][0]
        two = await client.get(launch_url(ehr, patient="pas-a", practitioner="lege-kari"))
        back_two = parse_qs(urlsplit((await at_ehr.get(two.headers["location"])).headers["location"]).query)
        mixed = await client.get("/smart/callback", params={"code": code_one, "state": back_two["state"][0]})
        await refused(client, mixed, 401, "Journalen godtok ikke innloggingen")
        assert "Bjørn" not in mixed.text and ehr.token_requests == 1


async def test_the_record_refuses_a_wrong_aud(app: FastAPI, ehr: MockEhr) -> None:
    ehr.knobs.expected_aud = "http://another-record.example/fhir"
    async with browser(app) as client:
        answer = await follow_launch(client, launch_url(ehr, patient="pas-a", practitioner="lege-kari"))
        await refused(client, answer, 403, "Journalen avviste innloggingen")


@pytest.mark.parametrize(
    ("knob", "value", "words"),
    [
        ("id_token_claims", {"exp": 1_700_000_000, "iat": 1_699_999_000}, "utløpt"),
        ("id_token_claims", {"iss": "http://127.0.0.1:1/fhir"}, "en annen utsteder"),
        ("id_token_claims", {"aud": "another-app"}, "utstedt til et annet program"),
        ("foreign_signing_key", True, "ikke signert av journalen"),
    ],
)
async def test_a_bad_id_token_is_refused(
    app: FastAPI, ehr: MockEhr, knob: str, value: Any, words: str
) -> None:
    setattr(ehr.knobs, knob, value)
    async with browser(app) as client:
        answer = await follow_launch(client, launch_url(ehr, patient="pas-a", practitioner="lege-kari"))
        await refused(client, answer, 401, words)


async def test_a_launch_without_a_patient_is_refused(app: FastAPI, ehr: MockEhr) -> None:
    ehr.knobs.omit_patient = True
    async with browser(app) as client:
        answer = await follow_launch(client, launch_url(ehr, patient="pas-a", practitioner="lege-kari"))
        await refused(client, answer, 400, "Journalen sendte ingen pasient")


async def test_physicians_outside_the_directory_or_without_the_soker_role_are_refused(
    app: FastAPI, ehr: MockEhr
) -> None:
    async with browser(app) as client:
        answer = await follow_launch(client, launch_url(ehr, patient="pas-a", practitioner="lege-ukjent"))
        await refused(client, answer, 403, "HPR-nummer 1234567) er ikke registrert")
    await katalog_of(app).register_from_token(
        hf="HBE", user_id="helseid-ny", navn="Ny Lege", hpr_nummer="1234567"
    )
    async with browser(app) as client:
        answer = await follow_launch(client, launch_url(ehr, patient="pas-a", practitioner="lege-ukjent"))
        await refused(client, answer, 403, "ikke søkerrolle")


async def test_the_physician_is_found_by_fhir_user_without_an_hpr_claim(app: FastAPI, ehr: MockEhr) -> None:
    ehr.knobs.hpr_claim = None
    async with browser(app) as client:
        _id, html = await launch_to_draft(client, ehr, patient="pas-a", practitioner="lege-kari")
    assert "Kari Nordmann" in visible_text(html)


async def send_launched(app: FastAPI, client: httpx.AsyncClient, soknad_id: str, **overrides: Any) -> str:
    csrf = SIGNER.read_csrf(client.cookies.get("sp_csrf")) or ""
    innhold = complete_innhold(
        **{"pasient_fodselsnummer": FNR_A, "pasient_navn": "Astrid Aasen", **overrides}
    )
    saved = await client.put(
        f"/api/soknader/{soknad_id}", json={"versjon": 1, "innhold": innhold}, headers={"x-csrf-token": csrf}
    )
    assert saved.status_code == 200, saved.text
    sent = await client.post(f"/s/{soknad_id}/send", data={"csrf_token": csrf})
    assert sent.status_code == 303, sent.text
    await app.state.smart_tilbakeskriver.wait()
    return (await client.get(f"/s/{soknad_id}")).text


async def test_the_sent_application_is_written_back_to_the_record(app: FastAPI, ehr: MockEhr) -> None:
    async with browser(app) as client:
        soknad_id, _html = await launch_to_draft(client, ehr, patient="pas-a", practitioner="lege-kari")
        html = await send_launched(app, client, soknad_id)
    assert "Kopi lagret i journalen." in visible_text(html)
    assert len(ehr.written) == 1
    written = ehr.written[0]
    assert written["subject"] == {"reference": "Patient/pas-a"} and written["status"] == "completed"
    assert written["identifier"]["value"] == soknad_id
    answers = {i["linkId"] for i in _items(written["item"])}
    assert {"pasient_fodselsnummer", "legemiddel"} <= answers
    assert errors([written]) == []


def _items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for item in items:
        found.append(item)
        found.extend(_items(item.get("item") or []))
    return found


async def test_a_failing_record_never_fails_the_send(app: FastAPI, ehr: MockEhr) -> None:
    ehr.knobs.write_status = 503
    async with browser(app) as client:
        soknad_id, _html = await launch_to_draft(client, ehr, patient="pas-a", practitioner="lege-kari")
        html = await send_launched(app, client, soknad_id)
    text = visible_text(html)
    assert "Til forankring" in text  # the send went through
    assert "Kopi ble ikke lagret i journalen: journalen avviste den (svar 503)." in text
    assert ehr.written == []


async def test_no_write_back_after_a_patient_switch_mid_draft(app: FastAPI, ehr: MockEhr) -> None:
    async with browser(app) as client:
        soknad_id, _html = await launch_to_draft(client, ehr, patient="pas-a", practitioner="lege-kari")
        # Mid-draft the physician types another patient: the copy must not land in A's chart.
        html = await send_launched(
            app, client, soknad_id, pasient_fodselsnummer=FNR_B, pasient_navn="Bjørn Berg"
        )
    assert "søknaden gjelder ikke lenger pasienten den ble åpnet for" in visible_text(html)
    assert ehr.written == []


async def test_no_write_back_when_the_record_granted_no_write_scope(app: FastAPI, ehr: MockEhr) -> None:
    ehr.knobs.granted_scope = "launch openid fhirUser patient/*.rs"
    async with browser(app) as client:
        soknad_id, _html = await launch_to_draft(client, ehr, patient="pas-a", practitioner="lege-kari")
        html = await send_launched(app, client, soknad_id)
    assert "tilgangen fra journalen gir ikke lov til å lagre skjemasvar" in visible_text(html)
    assert ehr.written == []


async def test_with_helseid_bearer_tokens_a_launch_still_opens_a_browser_session(
    tmp_path: Path, ehr: MockEhr, oidc_issuer: TestIssuer
) -> None:
    """In an OIDC deployment the directory's sessions are off for everything but a launch; the session the
    launch opens is accepted, and without it the pages still ask for a login."""
    settings = SoknadSettings(
        data_dir=tmp_path,
        log_json=False,
        hf=["HBE"],
        auth_mode="oidc",
        oidc_issuer=oidc_issuer.issuer,
        oidc_audience=oidc_issuer.audience,
        session_secret=SecretStr(secrets.token_urlsafe(32)),
        katalog_seed_demo=True,
        smart_issuers=[SmartIssuer(**ehr.issuer_config)],
    )
    bus = MemoryBus()
    await bus.connect()
    async with running(create_app(settings, bus=bus)) as oidc_app, browser(oidc_app) as client:
        assert (await client.get("/")).status_code != 200  # no session: the pages ask for a login
        answer = await follow_launch(client, launch_url(ehr, patient="pas-a", practitioner="lege-kari"))
        assert answer.status_code == 303 and "/s/" in answer.headers["location"]
        page = await client.get(answer.headers["location"])
        assert page.status_code == 200 and field_value(page.text, "innhold.pasient_fodselsnummer") == FNR_A
        assert (await client.get("/")).status_code == 200  # «Mine søknader» with the launch's session
    await bus.close()


async def test_an_expiring_access_token_is_refreshed_before_the_write_back(
    app: FastAPI, ehr: MockEhr
) -> None:
    ehr.knobs.granted_scope = (
        "launch openid fhirUser patient/*.rs patient/QuestionnaireResponse.c offline_access"
    )
    ehr.knobs.expires_in = 10  # inside the refresh margin: the launch's token counts as expiring
    async with browser(app) as client:
        soknad_id, _html = await launch_to_draft(client, ehr, patient="pas-a", practitioner="lege-kari")
        assert ehr.token_requests == 1
        html = await send_launched(app, client, soknad_id)
    assert "Kopi lagret i journalen." in visible_text(html)
    assert ehr.token_requests == 2 and len(ehr.written) == 1
