"""Webhooks in FHIR: an endpoint entitled to the patient's identity may choose to receive the decision as
the FHIR `ClaimResponse` (`application/fhir+json`), signed like the JSON deliveries, delivered to a real
local receiver; the body validates in all three validators, carries the løpenummer, the outcome, the
validity and the conditions and never the reasons; an amendment and a revocation cancel what they
replace; an endpoint without the identity cannot choose FHIR, on the page nor in the API."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio
from cloudevents.v1.http import from_json
from fastapi import FastAPI

from integrasjon.app import create_app
from integrasjon.settings import IntegrasjonSettings
from integrasjon.webhooks.domain import FHIR_KREVER_IDENTITET
from shared.fhir.systemer import FHIR_JSON, FODSELSNUMMER
from shared.platform.bus.base import RetryPolicy
from shared.platform.bus.memory import MemoryBus
from tests.support.apps import DemoClient, running
from tests.support.fhir_validering import errors
from tests.support.vedtak_events import PASIENT_NAVN, envelope, opphevet, pasient, vedtak
from tests.support.webhook_receiver import (
    FakeClock,
    Receiver,
    decide,
    deliveries,
    log_of,
    register,
    runtime_of,
    verified,
    worker,
)

HENDELSER = ["vedtak_fattet", "vedtak_endret", "vedtak_opphevet"]
REASONS = ("Oppfyller kriteriene", "alvorlig sykdom", "Behandlingen er avsluttet", "Begrunnelse")


@pytest_asyncio.fixture
async def app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    bus = MemoryBus(retry=RetryPolicy((0.05, 0.1, 0.2)))
    settings = IntegrasjonSettings(
        data_dir=tmp_path, log_json=False, bus_retry_delays_s=(0.05, 0.1, 0.2), webhook_worker=False
    )
    async with running(create_app(settings, bus=bus, national_bus=bus, clock=FakeClock())) as app:
        yield app


async def deliver_all(app: FastAPI, endepunkt_id: str, count: int) -> list[dict[str, Any]]:
    await deliveries(app, endepunkt_id, count)
    async with httpx.AsyncClient() as http:
        assert await worker(app, http, FakeClock()).run_once() == count
    rows = await log_of(app, endepunkt_id)
    assert {r["status"] for r in rows} == {"levert"}
    return rows


def received(receiver: Receiver, secret: str) -> list[dict[str, Any]]:
    """Every body the receiver got, after checking it is FHIR and signed."""
    bodies = []
    for headers, body, _ in receiver.requests:
        verified(secret, headers, body)
        assert headers["content-type"] == FHIR_JSON
        text = body.decode()
        for reason in REASONS:
            assert reason not in text, reason
        bodies.append(json.loads(text))
    return bodies


async def test_fhir_endpoint_gets_the_claim_response_signed_and_without_reasons(
    app: FastAPI, receiver: Receiver
) -> None:
    fhir_endpoint = await register(app, receiver.url, identitet=True, format="fhir")
    assert fhir_endpoint["format"] == "fhir"
    vedtak_id = await decide(app, "HBE-2026-97000")
    (row,) = await deliver_all(app, fhir_endpoint["id"], 1)
    assert row["format"] == "fhir"

    (response,) = received(receiver, fhir_endpoint["hemmelighet"])
    assert errors([response]) == []
    assert response["resourceType"] == "ClaimResponse"
    assert (response["id"], response["status"]) == (vedtak_id, "active")
    assert response["preAuthRef"] == "HBE-2026-97000"
    assert response["outcome"] == "partial"
    assert response["item"][0]["adjudication"][0]["category"]["coding"][0]["code"] == "innvilget_med_vilkar"
    assert response["preAuthPeriod"] == {"start": "2026-12-01", "end": "2027-11-30"}
    notes = [n["text"] for n in response["processNote"]]
    assert "Vilkår – Evaluering: Evaluer effekten. (innen 31. mai 2027)" in notes
    assert response["patient"]["identifier"] == {"system": FODSELSNUMMER, "value": pasient().fodselsnummer}
    assert response["patient"]["display"] == PASIENT_NAVN
    # One delivery per event: the webhook-id stays the event's, whatever the format.
    assert receiver.requests[0][0]["webhook-id"] == row["webhook_id"]

    async with DemoClient(app, "hbe-admin") as client:
        log_page = (await client.get(f"/webhooks/{fhir_endpoint['id']}")).text
        list_page = (await client.get("/webhooks")).text
    assert "FHIR (ClaimResponse)" in log_page
    assert "FHIR (ClaimResponse)" in list_page


async def test_json_endpoints_beside_it_get_the_cloudevent_as_before(
    app: FastAPI, receiver: Receiver
) -> None:
    json_endpoint = await register(app, receiver.url, identitet=True)
    assert json_endpoint["format"] == "json"
    await decide(app, "HBE-2026-97100")
    (row,) = await deliver_all(app, json_endpoint["id"], 1)
    assert row["format"] == "json"
    ((headers, body, _),) = receiver.requests
    verified(json_endpoint["hemmelighet"], headers, body)
    assert headers["content-type"] == "application/cloudevents+json"
    assert from_json(body).data["pasient"]["navn"] == PASIENT_NAVN


async def test_an_amendment_and_a_revocation_cancel_what_they_replace(
    app: FastAPI, receiver: Receiver
) -> None:
    created = await register(app, receiver.url, identitet=True, format="fhir", hendelser=HENDELSER)
    lopenummer = "HBE-2026-97200"
    forste = await decide(app, lopenummer)
    bus = runtime_of(app).bus
    assert bus is not None
    endring = vedtak(lopenummer, art="endring", erstatter_vedtak_id=forste, utfall="innvilget")
    await bus.publish(envelope(endring), exchange="beslutning.events")
    await deliveries(app, created["id"], 2)
    await bus.publish(envelope(opphevet(lopenummer, endring.vedtak_id)), exchange="beslutning.events")
    rows = await deliver_all(app, created["id"], 3)
    assert sorted(r["hendelse"] for r in rows) == sorted(HENDELSER)

    # The decision (active), the amendment (a transaction Bundle), the revocation (cancelled).
    bodies = {
        b["resourceType"] + "/" + b.get("status", b.get("type", "")): b
        for b in received(receiver, created["hemmelighet"])
    }
    assert set(bodies) == {"ClaimResponse/active", "Bundle/transaction", "ClaimResponse/cancelled"}
    assert bodies["ClaimResponse/active"]["id"] == forste
    assert errors(list(bodies.values())) == []
    bundle = bodies["Bundle/transaction"]
    ny, erstattet = (e["resource"] for e in bundle["entry"])
    assert (ny["id"], ny["status"], ny["outcome"]) == (endring.vedtak_id, "active", "complete")
    assert (erstattet["id"], erstattet["status"]) == (forste, "cancelled")
    assert [e["request"]["method"] for e in bundle["entry"]] == ["PUT", "PUT"]

    revoked = bodies["ClaimResponse/cancelled"]
    assert revoked["id"] == endring.vedtak_id
    assert "Vedtaket er opphevet." in revoked["disposition"]
    assert any(n["text"].startswith("Vedtaket er opphevet av") for n in revoked["processNote"])
    assert revoked["preAuthRef"] == lopenummer


async def test_fhir_only_with_the_patients_identity(app: FastAPI, receiver: Receiver) -> None:
    async with DemoClient(app, "hbe-admin") as client:
        api = await client.send_json(
            "POST",
            "/api/webhooks",
            {"navn": "Journal", "url": receiver.url, "hendelser": ["vedtak_fattet"], "format": "fhir"},
        )
        assert api.status_code == 422
        assert api.headers["content-type"].startswith("application/problem+json")
        assert FHIR_KREVER_IDENTITET in api.text
        page = await client.post(
            "/webhooks",
            data={
                "csrf_token": await client.csrf(),
                "navn": "Journal",
                "url": receiver.url,
                "hendelser": ["vedtak_fattet"],
                "identitet": "nei",
                "format": "fhir",
            },
        )
        assert page.status_code == 422
        assert FHIR_KREVER_IDENTITET in page.text
        assert 'href="#felt-format"' in page.text
        assert (await client.get("/api/webhooks")).json() == []
        ok = await client.post(
            "/webhooks",
            data={
                "csrf_token": await client.csrf(),
                "navn": "Journal",
                "url": receiver.url,
                "hendelser": ["vedtak_fattet"],
                "identitet": "ja",
                "format": "fhir",
            },
        )
        assert ok.status_code == 200, ok.text
        (endpoint,) = (await client.get("/api/webhooks")).json()
    assert (endpoint["identitet"], endpoint["format"]) == (True, "fhir")
