"""The webhook worker on PostgreSQL: two workers (two instances of the service) claim due deliveries
with `FOR UPDATE SKIP LOCKED` and a lease, so each delivery is attempted once per turn, not twice; and a
FHIR endpoint's revocation is rebuilt from the decision PostgreSQL kept."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from integrasjon.app import create_app
from integrasjon.settings import IntegrasjonSettings
from shared.fhir.systemer import FHIR_JSON
from shared.platform.bus.base import RetryPolicy
from shared.platform.bus.memory import MemoryBus
from tests.support.apps import running
from tests.support.fhir_validering import errors
from tests.support.vedtak_events import envelope, opphevet
from tests.support.webhook_receiver import (
    FakeClock,
    Receiver,
    decide,
    deliveries,
    register,
    verified,
    worker,
)


def app_on_postgres(tmp_path: Path, pg_url: str, bus: MemoryBus, clock: FakeClock) -> FastAPI:
    """integrasjon on PostgreSQL without its own webhook worker: the test runs the workers."""
    settings = IntegrasjonSettings(
        database_url=pg_url,
        data_dir=tmp_path,
        log_json=False,
        bus_retry_delays_s=(0.05, 0.1, 0.2),
        webhook_worker=False,
    )
    return create_app(settings, bus=bus, national_bus=bus, clock=clock)


@pytest.mark.integration
async def test_two_workers_share_the_deliveries_on_postgres(
    tmp_path: Path, pg_url: str, receiver: Receiver
) -> None:
    clock = FakeClock()
    bus = MemoryBus(retry=RetryPolicy((0.05, 0.1, 0.2)))
    async with running(app_on_postgres(tmp_path, pg_url, bus, clock)) as app:
        created = await register(app, receiver.url)
        for n in range(6):
            await decide(app, f"HBE-2026-96{n:03d}")
        await deliveries(app, created["id"], 6)
        async with httpx.AsyncClient() as http:
            first, second = worker(app, http, clock), worker(app, http, clock)
            first.batch_size = second.batch_size = 3
            attempted = await asyncio.gather(first.run_once(), second.run_once())
            assert sorted(attempted) == [3, 3]
            assert await first.run_once() == 0
        rows = await deliveries(app, created["id"], 6)
        assert {r["status"] for r in rows} == {"levert"}
        ids = [headers["webhook-id"] for headers, _, _ in receiver.requests]
        assert len(ids) == len(set(ids)) == 6
        for headers, body, _ in receiver.requests:
            verified(created["hemmelighet"], headers, body)


@pytest.mark.integration
async def test_fhir_revocation_rebuilt_from_what_postgres_kept(
    tmp_path: Path, pg_url: str, receiver: Receiver
) -> None:
    """The revoked decision's ClaimResponse is rebuilt from the case's decisions as PostgreSQL stored them."""
    clock = FakeClock()
    bus = MemoryBus(retry=RetryPolicy((0.05, 0.1, 0.2)))
    async with running(app_on_postgres(tmp_path, pg_url, bus, clock)) as app:
        created = await register(app, receiver.url, identitet=True, format="fhir")
        lopenummer = "HBE-2026-96900"
        vedtak_id = await decide(app, lopenummer)
        await bus.publish(envelope(opphevet(lopenummer, vedtak_id)), exchange="beslutning.events")
        await deliveries(app, created["id"], 2)
        async with httpx.AsyncClient() as http:
            assert await worker(app, http, clock).run_once() == 2
        rows = await deliveries(app, created["id"], 2)
        assert {(r["status"], r["format"]) for r in rows} == {("levert", "fhir")}
    bodies = []
    for headers, body, _ in receiver.requests:
        verified(created["hemmelighet"], headers, body)
        assert headers["content-type"] == FHIR_JSON
        bodies.append(json.loads(body))
    assert errors(bodies) == []
    assert sorted((b["id"], b["status"]) for b in bodies) == [(vedtak_id, "active"), (vedtak_id, "cancelled")]
    for b in bodies:
        assert b["preAuthRef"] == lopenummer
        assert "Behandlingen er avsluttet" not in json.dumps(b, ensure_ascii=False)
