"""Webhooks against a real local HTTP receiver that fails, times out and recovers: every decision is
delivered at least once, signed so that the independent `standardwebhooks` library verifies it, retried
on the schedule the backoff promises (read from the injected clock, never from wall time), given up and
visible after a day, replayable, and an endpoint that keeps failing is disabled and the admin told."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from cloudevents.v1.http import from_json
from fastapi import FastAPI
from sqlalchemy import select

from integrasjon.app import create_app
from integrasjon.settings import IntegrasjonSettings
from integrasjon.webhooks.domain import Backoff
from shared.platform.bus.base import RetryPolicy
from shared.platform.bus.memory import MemoryBus
from tests.support.apps import DemoClient, running
from tests.support.vedtak_events import PASIENT_NAVN, envelope, opphevet, pasient
from tests.support.visible_text import visible_text
from tests.support.waiting import wait_until
from tests.support.webhook_receiver import (
    FIRST_RETRY_S,
    FakeClock,
    Receiver,
    decide,
    deliveries,
    log_of,
    register,
    runtime_of,
    verified,
    when,
    worker,
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest_asyncio.fixture
async def app(tmp_path: Path, clock: FakeClock) -> AsyncIterator[FastAPI]:
    bus = MemoryBus(retry=RetryPolicy((0.05, 0.1, 0.2)))
    settings = IntegrasjonSettings(
        data_dir=tmp_path, log_json=False, bus_retry_delays_s=(0.05, 0.1, 0.2), webhook_worker=False
    )
    async with running(create_app(settings, bus=bus, national_bus=bus, clock=clock)) as app:
        yield app


@pytest_asyncio.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


async def test_failing_and_hanging_receiver_recovers_and_every_decision_arrives_signed(
    app: FastAPI, http: httpx.AsyncClient, clock: FakeClock, receiver: Receiver
) -> None:
    created = await register(app, receiver.url)
    secret = created["hemmelighet"]
    assert secret.startswith("whsec_")
    vedtak_ids = {await decide(app, f"HBE-2026-9000{n}") for n in range(2)}
    rows = await deliveries(app, created["id"], 2)
    assert {r["status"] for r in rows} == {"venter"}

    w = worker(app, http, clock)
    receiver.plan = ["fail", "hang"]
    first_attempt = clock.now()
    assert await w.run_once() == 2
    receiver.release.set()
    rows = await log_of(app, created["id"])
    for row in rows:
        assert row["status"] == "venter" and len(row["forsok"]) == 1
        # Backoff with jitter: the first retry between half and all of the first interval.
        due = when(row["neste_forsok_at"])
        assert first_attempt + timedelta(seconds=FIRST_RETRY_S / 2) <= due
        assert due <= first_attempt + timedelta(seconds=FIRST_RETRY_S)
    assert {row["forsok"][0]["feil"] for row in rows} == {"HTTP 503", "Tidsavbrudd"}

    # Not due yet: nothing is sent before its time.
    assert await w.run_once() == 0

    clock.advance_to(max(when(r["neste_forsok_at"]) for r in rows))
    assert await w.run_once() == 2
    rows = await log_of(app, created["id"])
    assert {r["status"] for r in rows} == {"levert"}

    delivered_ids = set()
    for headers, body, behaviour in receiver.requests:
        verified(secret, headers, body)
        event = from_json(body)
        assert headers["webhook-id"] == event["id"]
        assert headers["content-type"] == "application/cloudevents+json"
        assert "pasient" not in event.data  # this endpoint is not entitled to the identity
        assert pasient().fodselsnummer not in body.decode()
        # Nor to free text that could describe the patient: the dose, the conditions' wording.
        assert "vilkar_tekst" not in event.data and "dosering" not in event.data["omfang"]
        assert event.data["vilkar"] == [{"type": "evaluering", "dato": "2027-05-31"}]
        assert "Effekten evalueres" not in body.decode() and "1000 mg" not in body.decode()
        if behaviour == "ok":
            delivered_ids.add(event.data["vedtak_id"])
    assert delivered_ids == vedtak_ids
    # The same event keeps its webhook-id across attempts, so the receiver can drop duplicates.
    assert len({h["webhook-id"] for h, _, _ in receiver.requests}) == 2


async def test_entitled_endpoint_gets_the_patient_and_revocations(
    app: FastAPI, http: httpx.AsyncClient, clock: FakeClock, receiver: Receiver
) -> None:
    created = await register(app, receiver.url, identitet=True)
    vedtak_id = await decide(app, "HBE-2026-91000")
    bus = runtime_of(app).bus
    assert bus is not None
    await bus.publish(envelope(opphevet("HBE-2026-91000", vedtak_id)), exchange="beslutning.events")
    await deliveries(app, created["id"], 2)
    await worker(app, http, clock).run_once()
    events = [from_json(body) for _, body, _ in receiver.requests]
    assert sorted(e["type"] for e in events) == [
        "no.soknadsportal.integrasjon.integrator_vedtak_fattet_med_pasient.v1",
        "no.soknadsportal.integrasjon.integrator_vedtak_opphevet_med_pasient.v1",
    ]
    assert all(e.data["pasient"]["navn"] == PASIENT_NAVN for e in events)


async def test_given_up_after_a_day_visible_and_replayable(
    app: FastAPI, http: httpx.AsyncClient, clock: FakeClock, receiver: Receiver
) -> None:
    created = await register(app, receiver.url)
    await decide(app, "HBE-2026-92000")
    (row,) = await deliveries(app, created["id"], 1)
    deadline = when(row["frist_at"])
    assert deadline == clock.now() + timedelta(days=1)

    receiver.default = "fail"
    w = worker(app, http, clock)
    while row["status"] == "venter":
        assert await w.run_once() == 1
        (row,) = await log_of(app, created["id"])
        if row["status"] == "venter":
            clock.advance_to(when(row["neste_forsok_at"]))
    assert row["status"] == "feilet"
    attempts = [when(f["at"]) for f in row["forsok"]]
    assert attempts[-1] >= deadline
    backoff = Backoff(first_s=FIRST_RETRY_S)
    for n, (before, after) in enumerate(pairwise(attempts), start=1):
        gap = after - before
        if after < deadline:
            assert backoff.ceiling(n) / 2 <= gap <= backoff.ceiling(n), n
    assert 15 <= len(attempts) <= 60  # exponential up to the hourly cap: dozens, not thousands

    async with DemoClient(app, "hbe-admin") as client:
        page = await client.get(f"/webhooks/{created['id']}")
        assert "Gitt opp" in page.text
        receiver.default = "ok"
        replay = await client.send_json(
            "POST", f"/api/webhooks/{created['id']}/leveringer/{row['id']}/send-igjen"
        )
        assert replay.status_code == 202
    assert await w.run_once() == 1
    (row,) = await log_of(app, created["id"])
    assert row["status"] == "levert"
    assert receiver.requests[-1][2] == "ok"
    assert receiver.requests[-1][0]["webhook-id"] == receiver.requests[0][0]["webhook-id"]


async def test_endpoint_failing_for_hours_is_disabled_the_admin_told_and_nothing_lost(
    app: FastAPI,
    http: httpx.AsyncClient,
    clock: FakeClock,
    receiver: Receiver,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A query string may carry the receiver's credential: it must not reach the log.
    created = await register(app, f"{receiver.url}?token=mottakerens-token")
    await decide(app, "HBE-2026-93000")
    await deliveries(app, created["id"], 1)
    receiver.default = "fail"
    w = worker(app, http, clock, deaktiver_etter=timedelta(hours=2))
    failing_since = clock.now()
    while await w.run_once() == 1:
        (row,) = await log_of(app, created["id"])
        clock.advance_to(when(row["neste_forsok_at"]))
    # Disabled at its first failed attempt two hours after its first failure: no sooner.
    (row,) = await log_of(app, created["id"])
    last_attempt = when(row["forsok"][-1]["at"])
    assert last_attempt >= failing_since + timedelta(hours=2)
    assert when(row["forsok"][-2]["at"]) < failing_since + timedelta(hours=2)
    assert row["status"] == "venter"  # not given up: it waits for the endpoint

    # The admin is told: a warning in the log (no secret, no query string), a row in the audit log, a
    # notice on the front page and on the webhooks page.
    output = "".join(capsys.readouterr())
    assert "webhook_endpoint_disabled" in output
    assert "mottakerens-token" not in output and created["hemmelighet"] not in output
    db = runtime_of(app).db
    async with db.sessions() as session:
        audit = db.tables.audit
        audited = (await session.execute(select(audit.c.what, audit.c.actor_id, audit.c.hf))).all()
    assert [tuple(r) for r in audited].count(("webhook.deaktiver", "integrasjon", "HBE")) == 1
    async with DemoClient(app, "hbe-admin") as client:
        (endpoint,) = (await client.get("/api/webhooks")).json()
        assert endpoint["aktiv"] is False
        assert when(endpoint["feilet_siden"]) == failing_since
        front = " ".join(visible_text((await client.get("/")).text).split())
        assert (
            "En webhook er deaktivert fordi alle leveringer til den feilet over lang tid: Apoteksystem"
            in front
        )
        assert "Gå til webhooks" in front
        page = await client.get("/webhooks")
        assert "Apoteksystem er deaktivert" in page.text
        assert "Alle leveringer har feilet i 2 timer (sist: HTTP 503)" in page.text
    async with DemoClient(app, "hbe-soker") as client:
        assert "er deaktivert" not in (await client.get("/")).text

    # A decision made while it is disabled is kept for it, not lost; nothing is sent meanwhile.
    await decide(app, "HBE-2026-93001")
    rows = await deliveries(app, created["id"], 2)
    assert {r["status"] for r in rows} == {"venter"}
    clock.advance_to(clock.now() + timedelta(days=3))
    assert await w.run_once() == 0

    # Enabled again: both are due now with a fresh day, and the receiver, up again, gets both.
    async with DemoClient(app, "hbe-admin") as client:
        assert (await client.send_json("POST", f"/api/webhooks/{created['id']}/aktiver")).status_code == 204
        assert "er deaktivert" not in (await client.get("/")).text
    for r in await log_of(app, created["id"]):
        assert when(r["neste_forsok_at"]) == clock.now()
        assert when(r["frist_at"]) == clock.now() + timedelta(days=1)
    receiver.default, receiver.plan = "ok", ["fail"]
    assert await w.run_once() == 2
    rows = await log_of(app, created["id"])
    # One more failure after a three-day disable is a retry, not a give-up.
    assert sorted(r["status"] for r in rows) == ["levert", "venter"]
    clock.advance_to(max(when(r["neste_forsok_at"]) for r in rows if r["status"] == "venter"))
    assert await w.run_once() == 1
    assert {r["status"] for r in await log_of(app, created["id"])} == {"levert"}


async def test_a_brief_outage_with_many_deliveries_queued_does_not_disable(
    app: FastAPI, http: httpx.AsyncClient, clock: FakeClock, receiver: Receiver
) -> None:
    """More failed attempts in one round than the old count (50) allowed: an outage of seconds."""
    created = await register(app, receiver.url)
    for n in range(55):
        await decide(app, f"HBE-2026-97{n:03d}")
    rows = await deliveries(app, created["id"], 55)
    w = worker(app, http, clock, deaktiver_etter=timedelta(hours=12))
    w.batch_size = 100
    receiver.default = "fail"
    assert await w.run_once() == 55
    async with DemoClient(app, "hbe-admin") as client:
        (endpoint,) = (await client.get("/api/webhooks")).json()
    assert endpoint["aktiv"] is True and endpoint["feil_pa_rad"] == 55
    receiver.default = "ok"
    rows = await log_of(app, created["id"])
    clock.advance_to(max(when(r["neste_forsok_at"]) for r in rows))
    assert await w.run_once() == 55
    assert {r["status"] for r in await log_of(app, created["id"])} == {"levert"}
    async with DemoClient(app, "hbe-admin") as client:
        (endpoint,) = (await client.get("/api/webhooks")).json()
    assert endpoint["feilet_siden"] is None and endpoint["feil_pa_rad"] == 0


async def test_secret_is_shown_once_and_never_logged(
    app: FastAPI,
    http: httpx.AsyncClient,
    clock: FakeClock,
    receiver: Receiver,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with DemoClient(app, "hbe-admin") as client:
        page = await client.get("/webhooks")
        form = {
            "csrf_token": await client.csrf(),
            "navn": "Statistikk",
            "url": receiver.url,
            "hendelser": ["vedtak_fattet"],
            "identitet": "nei",
        }
        created = await client.post("/webhooks", data=form)
        assert created.status_code == 200, created.text
        assert "vises bare denne ene gangen" in created.text
        assert created.headers["cache-control"] == "no-store"
        secret = created.text.split("<code>whsec_", 1)[1].split("</code>", 1)[0]
        secret = "whsec_" + secret
        await decide(app, "HBE-2026-94000")
        (endpoint,) = (await client.get("/api/webhooks")).json()
        await deliveries(app, endpoint["id"], 1)
        receiver.plan = ["fail"]
        w = worker(app, http, clock)
        await w.run_once()
        (row,) = await log_of(app, endpoint["id"])
        clock.advance_to(when(row["neste_forsok_at"]))
        await w.run_once()
        verified(secret, receiver.requests[-1][0], receiver.requests[-1][1])
        later = [
            (await client.get("/webhooks")).text,
            (await client.get(f"/webhooks/{endpoint['id']}")).text,
            json.dumps((await client.get("/api/webhooks")).json()),
            json.dumps(await log_of(app, endpoint["id"])),
        ]
    assert page.status_code == 200
    for text in later:
        assert secret not in text
    captured = capsys.readouterr()
    assert "webhook_attempt" in captured.err + captured.out  # the worker did log
    assert secret not in captured.err + captured.out


async def test_bad_input_is_refused_by_field(app: FastAPI, receiver: Receiver) -> None:
    async with DemoClient(app, "hbe-admin") as client:
        api = await client.send_json(
            "POST", "/api/webhooks", {"navn": "X", "url": "ftp://example.org", "hendelser": ["vedtak_fattet"]}
        )
        assert api.status_code == 422
        assert api.headers["content-type"].startswith("application/problem+json")
        assert "url" in api.text
        page = await client.post(
            "/webhooks",
            data={
                "csrf_token": await client.csrf(),
                "navn": "",
                "url": "nettside",
                "identitet": "nei",
            },
        )
        assert page.status_code == 422
        assert "Velg minst én hendelse." in page.text
        assert "fullstendig http- eller https-adresse" in page.text
    async with DemoClient(app, "hbe-soker") as client:
        assert (await client.get("/api/webhooks")).status_code == 403
        assert (await client.get("/webhooks")).status_code == 403


async def test_front_page_links_the_admin_to_the_webhooks(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-admin") as client:
        page = await client.get("/")
        assert "/webhooks" in page.text and "/asyncapi.json" in page.text
        catalogue = await client.get("/asyncapi.json")
        assert catalogue.json()["asyncapi"] == "3.0.0"
    async with DemoClient(app, "hbe-soker") as client:
        assert "/webhooks" not in (await client.get("/")).text


async def test_the_worker_runs_in_the_service_lifespan(tmp_path: Path, receiver: Receiver) -> None:
    bus = MemoryBus(retry=RetryPolicy((0.05, 0.1, 0.2)))
    settings = IntegrasjonSettings(
        data_dir=tmp_path, log_json=False, bus_retry_delays_s=(0.05, 0.1, 0.2), webhook_poll_interval_s=0.05
    )
    async with running(create_app(settings, bus=bus, national_bus=bus)) as app:
        created = await register(app, receiver.url)
        await decide(app, "HBE-2026-95000")
        await wait_until(lambda: len(receiver.requests) == 1, timeout=20)
        headers, body, _ = receiver.requests[0]
        verified(created["hemmelighet"], headers, body)
