"""The read-only FHIR API of a trust: every resource of a sent and decided case by id and by the searches
an EHR makes, readable exactly by those who may read the case in the pages, every read in the privacy
officer's access log, and an OperationOutcome (never a 500) for what the API cannot answer."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from embedded.app import create_app as create_embedded
from embedded.settings import EmbeddedSettings
from shared.events.contracts import VedtakOpphevet
from shared.fhir.ressurser import GRUPPE_PASIENT
from shared.fhir.systemer import FHIR_JSON, FODSELSNUMMER, LOPENUMMER, QUESTIONNAIRE_SOKNAD, VEDTAK_ID
from tests.support.apps import DemoClient, running
from tests.support.builders import complete_innhold
from tests.support.fhir_validering import errors
from tests.support.oidc_issuer import TestIssuer
from tests.support.soknad_flyt import SOKER, Soknadsflyt, send_soknad, soknadsflyt, vedtak

NOW = datetime(2026, 1, 20, 10, tzinfo=UTC)
FNR = complete_innhold()["pasient_fodselsnummer"]
PER_SAK = ("QuestionnaireResponse", "Claim", "Patient", "Condition", "Medication", "Coverage")


class Sak:
    def __init__(self, flyt: Soknadsflyt, soknad_id: str, lopenummer: str, vedtak_id: str) -> None:
        self.flyt, self.soknad_id, self.lopenummer, self.vedtak_id = flyt, soknad_id, lopenummer, vedtak_id


@pytest_asyncio.fixture
async def sak(tmp_path: Path) -> AsyncIterator[Sak]:
    async with soknadsflyt(tmp_path, NOW) as flyt:
        soknad_id, lopenummer = await send_soknad(flyt)
        decision = vedtak(soknad_id, lopenummer)
        await flyt.publish(decision, lopenummer=lopenummer)
        yield Sak(flyt, soknad_id, lopenummer, decision.vedtak_id)


async def get(client: httpx.AsyncClient, path: str, expect: int = 200, **params: Any) -> dict[str, Any]:
    r = await client.get(path, params=params)
    assert r.status_code == expect, (path, r.status_code, r.text)
    assert r.headers["content-type"] == FHIR_JSON, r.headers["content-type"]
    body: dict[str, Any] = r.json()
    return body


def ids(bundle: dict[str, Any], mode: str = "match") -> list[str]:
    return [
        f"{e['resource']['resourceType']}/{e['resource']['id']}"
        for e in bundle["entry"]
        if e["search"]["mode"] == mode
    ]


async def test_the_capability_statement_needs_no_login_and_lists_the_searches(sak: Sak) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sak.flyt.app), base_url="http://test"
    ) as anon:
        cs = await get(anon, "/fhir/metadata")
    assert cs["resourceType"] == "CapabilityStatement" and cs["fhirVersion"] == "4.0.1"
    resources = {r["type"]: r for r in cs["rest"][0]["resource"]}
    assert set(resources) == {
        "Questionnaire",
        "QuestionnaireResponse",
        "Claim",
        "ClaimResponse",
        "Patient",
        "Practitioner",
        "Organization",
        "Condition",
        "Medication",
        "Coverage",
    }
    claim_params = {p["name"] for p in resources["Claim"]["searchParam"]}
    assert {"identifier", "status", "patient", "_id"} <= claim_params
    assert resources["Claim"]["searchRevInclude"] == ["ClaimResponse:request"]
    assert [i["code"] for i in resources["Medication"]["interaction"]] == ["read"]
    assert cs["implementation"]["url"] == "http://test/fhir"
    assert errors([cs]) == []


async def test_every_resource_of_the_case_by_id(sak: Sak) -> None:
    async with DemoClient(sak.flyt.app, SOKER) as soker:
        read = [await get(soker, f"/fhir/{t}/{sak.soknad_id}") for t in PER_SAK]
        read.append(await get(soker, f"/fhir/ClaimResponse/{sak.vedtak_id}"))
        read.append(await get(soker, "/fhir/Practitioner/hbe-soker"))
        read += [await get(soker, "/fhir/Organization/HBE"), await get(soker, "/fhir/Organization/HBE-NEVRO")]
        questionnaire = await get(soker, "/fhir/Questionnaire", url=QUESTIONNAIRE_SOKNAD, version="1")
        canonical = await get(soker, "/fhir/Questionnaire", url=f"{QUESTIONNAIRE_SOKNAD}|1")
        by_id = await get(soker, "/fhir/Questionnaire/soknad-v1")
        none = await get(soker, "/fhir/Questionnaire", url=QUESTIONNAIRE_SOKNAD, version="99")
    assert [r["resourceType"] for r in read] == [
        *PER_SAK,
        "ClaimResponse",
        "Practitioner",
        "Organization",
        "Organization",
    ]
    qr, claim, patient = read[0], read[1], read[2]
    assert qr["questionnaire"] == f"{QUESTIONNAIRE_SOKNAD}|1" and qr["status"] == "completed"
    assert claim["identifier"][0] == {"use": "official", "system": LOPENUMMER, "value": sak.lopenummer}
    assert (
        claim["supportingInfo"][0]["valueReference"]["reference"] == f"QuestionnaireResponse/{sak.soknad_id}"
    )
    assert patient["identifier"] == [{"use": "official", "system": FODSELSNUMMER, "value": FNR}]
    assert read[6]["preAuthRef"] == sak.lopenummer and read[6]["status"] == "active"
    assert read[7]["identifier"][0]["value"] == "9144889"
    assert questionnaire["total"] == canonical["total"] == 1 and none["total"] == 0
    assert questionnaire["entry"][0]["resource"] == by_id and by_id["version"] == "1"
    assert errors([*read, questionnaire]) == []


async def test_the_searches_an_ehr_makes(sak: Sak) -> None:
    claim = f"Claim/{sak.soknad_id}"
    async with DemoClient(sak.flyt.app, SOKER) as soker:
        by_patient = await get(soker, "/fhir/Claim", **{"patient.identifier": f"{FODSELSNUMMER}|{FNR}"})
        by_modifier = await get(soker, "/fhir/Claim", **{"patient:identifier": f"{FODSELSNUMMER}|{FNR}"})
        by_lopenummer = await get(soker, "/fhir/Claim", identifier=f"{LOPENUMMER}|{sak.lopenummer}")
        active = await get(soker, "/fhir/Claim", status="active")
        cancelled = await get(soker, "/fhir/Claim", status="cancelled")
        responses = await get(soker, "/fhir/ClaimResponse", request=claim)
        by_vedtak = await get(soker, "/fhir/ClaimResponse", identifier=f"{VEDTAK_ID}|{sak.vedtak_id}")
        response_by_patient = await get(soker, "/fhir/ClaimResponse", **{"patient.identifier": FNR})
        answers = await get(
            soker, "/fhir/QuestionnaireResponse", **{"subject.identifier": f"{FODSELSNUMMER}|{FNR}"}
        )
        patients = await get(soker, "/fhir/Patient", identifier=f"{FODSELSNUMMER}|{FNR}")
        export = await get(
            soker,
            "/fhir/Claim",
            identifier=sak.lopenummer,
            _include="Claim:supporting-info",
            _revinclude="ClaimResponse:request",
        )
        wrong_system = await get(
            soker, "/fhir/Claim", **{"patient.identifier": f"urn:oid:2.16.578.1.12.4.1.4.2|{FNR}"}
        )
    for bundle in (by_patient, by_modifier, by_lopenummer, active):
        assert ids(bundle) == [claim] and bundle["total"] == 1
    assert ids(cancelled) == [] and cancelled["total"] == 0
    assert ids(responses) == ids(by_vedtak) == ids(response_by_patient) == [f"ClaimResponse/{sak.vedtak_id}"]
    assert ids(answers) == [f"QuestionnaireResponse/{sak.soknad_id}"]
    assert ids(patients) == [f"Patient/{sak.soknad_id}"]
    assert ids(export) == [claim]
    assert ids(export, "include") == [
        f"QuestionnaireResponse/{sak.soknad_id}",
        f"ClaimResponse/{sak.vedtak_id}",
    ]
    # A D-nummer system for a fødselsnummer finds nothing.
    assert wrong_system["total"] == 0
    assert errors([by_patient, responses, answers, patients, export]) == []


async def test_an_amendment_and_a_revocation_show_in_the_claim_responses(sak: Sak) -> None:
    amended = vedtak(
        sak.soknad_id,
        sak.lopenummer,
        utfall="innvilget",
        art="endring",
        erstatter_vedtak_id=sak.vedtak_id,
        fattet_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
    )
    await sak.flyt.publish(amended, lopenummer=sak.lopenummer)
    async with DemoClient(sak.flyt.app, SOKER) as soker:
        after_amendment = await get(soker, "/fhir/ClaimResponse", request=sak.soknad_id)
        await sak.flyt.publish(
            VedtakOpphevet(
                vedtak_id="c2a9d4e6-1b7f-4c3a-a5e8-9f0b1c2d3e44",
                opphever_vedtak_id=amended.vedtak_id,
                soknad_id=sak.soknad_id,
                lopenummer=sak.lopenummer,
                begrunnelse="Alvorlig bivirkning.",
                gjelder_fra=datetime(2026, 5, 1).date(),
                opphevet_av="hbe-fagdirektor",
                opphevet_av_navn="Lars Haugen",
                opphevet_at=datetime(2026, 4, 28, 14, tzinfo=UTC),
            ),
            lopenummer=sak.lopenummer,
        )
        after_revocation = await get(soker, "/fhir/ClaimResponse", request=f"Claim/{sak.soknad_id}")
        first = await get(soker, f"/fhir/ClaimResponse/{sak.vedtak_id}")
        still_active = await get(soker, "/fhir/ClaimResponse", request=sak.soknad_id, status="active")
    statuses = [(e["resource"]["id"], e["resource"]["status"]) for e in after_amendment["entry"]]
    assert statuses == [(sak.vedtak_id, "cancelled"), (amended.vedtak_id, "active")]
    statuses = [(e["resource"]["id"], e["resource"]["status"]) for e in after_revocation["entry"]]
    assert statuses == [(sak.vedtak_id, "cancelled"), (amended.vedtak_id, "cancelled")]
    assert first["processNote"][-1]["text"].startswith(f"Erstattet av vedtak {amended.vedtak_id}")
    assert "opphevet" in after_revocation["entry"][1]["resource"]["processNote"][-1]["text"]
    assert still_active["total"] == 0
    assert errors([after_amendment, after_revocation]) == []


@pytest.mark.parametrize(
    "user",
    [
        "ous-soker",  # another trust
        "ous-fagdirektor",  # another trust's director
        "hbe-soker2",  # an applicant of the trust with no part in the case
        "hbe-leder2",  # a leader of another unit
        "hbe-controller",  # no role that reads applications
        "hbe-admin",
        "hbe-personvern",
    ],
)
async def test_who_may_not_read_the_case_gets_nothing(sak: Sak, user: str) -> None:
    async with DemoClient(sak.flyt.app, user) as client:
        for resource_type in PER_SAK:
            outcome = await get(client, f"/fhir/{resource_type}/{sak.soknad_id}", 404)
            assert outcome["resourceType"] == "OperationOutcome"
            assert outcome["issue"][0]["code"] == "not-found"
        await get(client, f"/fhir/ClaimResponse/{sak.vedtak_id}", 404)
        for url, params in (
            ("/fhir/Claim", {"patient.identifier": FNR}),
            ("/fhir/Claim", {"identifier": sak.lopenummer}),
            ("/fhir/ClaimResponse", {"request": sak.soknad_id}),
            ("/fhir/QuestionnaireResponse", {"subject.identifier": FNR}),
            ("/fhir/Patient", {"identifier": FNR}),
        ):
            bundle = await get(client, url, **params)
            assert bundle["total"] == 0 and bundle["entry"] == [], (user, url)
        if user.startswith("ous"):
            await get(client, "/fhir/Organization/HBE-NEVRO", 404)
            await get(client, "/fhir/Practitioner/hbe-soker", 404)


async def test_the_leader_committee_and_director_read_it_like_the_pages(sak: Sak) -> None:
    for user in ("hbe-leder", "hbe-komite", "hbe-fagdirektor"):
        async with DemoClient(sak.flyt.app, user) as client:
            claim = await get(client, f"/fhir/Claim/{sak.soknad_id}")
            assert claim["id"] == sak.soknad_id
            found = await get(client, "/fhir/Claim", **{"patient.identifier": FNR})
            assert ids(found) == [f"Claim/{sak.soknad_id}"]


async def test_every_read_is_in_the_privacy_officers_access_log(sak: Sak) -> None:
    async with DemoClient(sak.flyt.app, SOKER) as soker:
        await get(soker, f"/fhir/Patient/{sak.soknad_id}")
        await get(soker, f"/fhir/ClaimResponse/{sak.vedtak_id}")
        await get(soker, "/fhir/Claim", **{"patient.identifier": FNR})
        # A search that shows nothing of the case (its only decision is in force) is no read of it.
        none = await get(soker, "/fhir/ClaimResponse", request=sak.soknad_id, status="cancelled")
        assert none["total"] == 0
    async with DemoClient(sak.flyt.app, "hbe-personvern") as personvern:
        r = await personvern.get("/api/revisjonslogg", params={"case_ref": sak.lopenummer})
    assert r.status_code == 200, r.text
    fhir_reads = [
        (row["actor_id"], row["what"], row["purpose"])
        for row in r.json()["rader"]
        if "FHIR" in row["purpose"]
    ]
    assert fhir_reads == [
        (SOKER, "soknad.vis", "Lest som FHIR Patient (FHIR-API)"),
        (SOKER, "soknad.vis", "Lest som FHIR ClaimResponse (FHIR-API)"),
        (SOKER, "soknad.vis", "Søk etter Claim (FHIR-API)"),
    ]


@pytest.mark.parametrize(
    ("url", "params", "status"),
    [
        ("/fhir/Claim", {"foo": "bar"}, 400),
        ("/fhir/Claim", {"_count": "0"}, 400),
        ("/fhir/Claim", {"_count": "mange"}, 400),
        ("/fhir/Claim", {"status": "vedtatt"}, 400),
        ("/fhir/Claim", {"patient.identifier": "12345"}, 400),
        ("/fhir/Claim", {"_include": "Claim:foo"}, 400),
        ("/fhir/Claim", {"_format": "xml"}, 400),
        ("/fhir/ClaimResponse", {"request": "Patient/x"}, 400),
        ("/fhir/ClaimResponse", {"status": ""}, 400),
        ("/fhir/Medication", {"_id": "x"}, 400),
        ("/fhir/Claim/ikke gyldig!", {}, 400),
        ("/fhir/Claim/" + "x" * 65, {}, 400),
        ("/fhir/Questionnaire", {"navn": "x"}, 400),
        ("/fhir/Observation/1", {}, 404),
        ("/fhir/Observation", {}, 404),
        ("/fhir/Claim/finnes-ikke", {}, 404),
        ("/fhir/Questionnaire/finnes-ikke", {}, 404),
        ("/fhir/Claim/1/2/3", {}, 404),
    ],
)
async def test_bad_input_gets_an_operation_outcome(
    sak: Sak, url: str, params: dict[str, str], status: int
) -> None:
    async with DemoClient(sak.flyt.app, SOKER) as soker:
        outcome = await get(soker, url, status, **params)
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["severity"] == "error" and outcome["issue"][0]["diagnostics"]
    assert errors([outcome]) == []


async def test_without_login_401_and_writing_405(sak: Sak) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sak.flyt.app), base_url="http://test"
    ) as anon:
        r = await anon.get(f"/fhir/Claim/{sak.soknad_id}")
        assert r.status_code == 401 and r.headers["content-type"] == FHIR_JSON
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert r.json()["issue"][0]["code"] == "login"
        r = await anon.get("/fhir/Claim", params={"patient.identifier": FNR})
        assert r.status_code == 401
    async with DemoClient(sak.flyt.app, SOKER) as soker:
        r = await soker.send_json("PUT", f"/fhir/Claim/{sak.soknad_id}", {"resourceType": "Claim"})
    assert r.status_code == 405 and r.json()["resourceType"] == "OperationOutcome"


async def test_a_bearer_token_reads_like_the_session(tmp_path: Path, oidc_issuer: TestIssuer) -> None:
    oidc = {
        "hf": ["HBE"],
        "auth_mode": "oidc",
        "oidc_issuer": oidc_issuer.issuer,
        "oidc_audience": oidc_issuer.audience,
        "session_secret": secrets.token_urlsafe(32),
        "katalog_seed_demo": True,
    }
    async with soknadsflyt(tmp_path, NOW, **oidc) as flyt:

        def bearer(token: str) -> httpx.AsyncClient:
            return httpx.AsyncClient(
                transport=httpx.ASGITransport(app=flyt.app),
                base_url="http://test",
                headers={"authorization": f"Bearer {token}"},
            )

        async with bearer(oidc_issuer.issue(SOKER, roles=[], hf="HBE", name="Kari Nordmann")) as soker:
            r = await soker.post(
                "/api/soknader",
                json={
                    "type": "enkeltpasient",
                    "kategori": "off_label",
                    "enhet": "HBE-NEVRO",
                    "innhold": complete_innhold(),
                },
            )
            assert r.status_code == 201, r.text
            soknad_id = r.json()["id"]
            claim = await get(soker, f"/fhir/Claim/{soknad_id}")
            found = await get(soker, "/fhir/Claim", **{"patient.identifier": FNR})
        assert claim["id"] == soknad_id and ids(found) == [f"Claim/{soknad_id}"]
        async with bearer(oidc_issuer.issue("hbe-soker2", roles=[], hf="HBE", name="Mona Ruud")) as other:
            await get(other, f"/fhir/Claim/{soknad_id}", 404)
        async with bearer("not-a-token") as forged:
            r = await forged.get(f"/fhir/Claim/{soknad_id}")
        assert r.status_code == 401 and r.headers["content-type"] == FHIR_JSON
        assert 'error="invalid_token"' in r.headers["www-authenticate"]


async def test_a_group_application_never_matches_a_patient(sak: Sak) -> None:
    group_id, _ = await send_soknad(sak.flyt, type_="gruppe")
    async with DemoClient(sak.flyt.app, SOKER) as soker:
        claim = await get(soker, f"/fhir/Claim/{group_id}")
        await get(soker, f"/fhir/Patient/{group_id}", 404)
        by_reference = await get(soker, "/fhir/Claim", patient=f"Patient/{group_id}")
        by_own_reference = await get(soker, "/fhir/Claim", patient=f"Patient/{sak.soknad_id}")
    assert claim["patient"] == {"display": GRUPPE_PASIENT}
    assert by_reference["total"] == 0
    assert ids(by_own_reference) == [f"Claim/{sak.soknad_id}"]


async def test_in_the_portal_the_api_is_under_soknad(tmp_path: Path) -> None:
    portal = create_embedded(EmbeddedSettings(data_dir=tmp_path, seed_demo_data=False))
    async with running(portal), DemoClient(portal, SOKER) as soker:
        cs = await get(soker, "/soknad/fhir/metadata")
        bundle = await get(soker, "/soknad/fhir/Claim", status="draft")
        outcome = await get(soker, "/soknad/fhir/Claim/finnes-ikke", 404)
    assert cs["implementation"]["url"] == "http://test/soknad/fhir"
    assert bundle["link"][0]["url"].startswith("http://test/soknad/fhir/Claim?")
    assert outcome["resourceType"] == "OperationOutcome"
