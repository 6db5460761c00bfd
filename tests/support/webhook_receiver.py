"""A real local webhook receiver for tests (an HTTP server on a free port that fails, hangs or answers
by plan), an injectable clock, and the steps the webhook tests share."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from standardwebhooks.webhooks import Webhook

from integrasjon.webhooks.domain import Backoff
from integrasjon.webhooks.worker import WebhookWorker
from shared.platform.runtime import ServiceRuntime
from tests.support.apps import DemoClient
from tests.support.vedtak_events import envelope, forankret, vedtak
from tests.support.waiting import wait_until

FIRST_RETRY_S = 5.0


class FakeClock:
    def __init__(self) -> None:
        self.t = datetime.now(UTC).replace(microsecond=0)

    def now(self) -> datetime:
        return self.t

    def advance_to(self, when: datetime) -> None:
        self.t = max(self.t, when)


@dataclass
class Receiver:
    """A real HTTP server: answers by plan (`fail`: 503, `hang`: no answer until released, `ok`: 204)."""

    plan: list[str] = field(default_factory=list)
    default: str = "ok"
    requests: list[tuple[dict[str, str], bytes, str]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def behaviour(self) -> str:
        return self.plan.pop(0) if self.plan else self.default


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            behaviour = state.behaviour()
            state.requests.append(({k.lower(): v for k, v in self.headers.items()}, body, behaviour))
            if behaviour == "hang":
                state.release.wait(30)
            self.send_response(204 if behaviour == "ok" else 503)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        # A worker's batch arrives at once: the default backlog (5) would refuse connections.
        request_queue_size = 128

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()


def runtime_of(app: FastAPI) -> ServiceRuntime:
    runtime: ServiceRuntime = app.state.runtime
    return runtime


def worker(
    app: FastAPI,
    http: httpx.AsyncClient,
    clock: FakeClock,
    *,
    deaktiver_etter: timedelta = timedelta(days=30),
) -> WebhookWorker:
    return WebhookWorker(
        runtime_of(app).db,
        http,
        clock,
        backoff=Backoff(first_s=FIRST_RETRY_S),
        deaktiver_etter=deaktiver_etter,
        timeout_s=0.3,
        rnd=random.Random(7),
    )


async def register(app: FastAPI, url: str, *, identitet: bool = False, **extra: Any) -> dict[str, Any]:
    async with DemoClient(app, "hbe-admin") as client:
        response = await client.send_json(
            "POST",
            "/api/webhooks",
            {
                "navn": "Apoteksystem",
                "url": url,
                "hendelser": ["vedtak_fattet", "vedtak_opphevet"],
                "identitet": identitet,
                **extra,
            },
        )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def log_of(app: FastAPI, endepunkt_id: str) -> list[dict[str, Any]]:
    async with DemoClient(app, "hbe-admin") as client:
        response = await client.get(f"/api/webhooks/{endepunkt_id}/leveringer")
    assert response.status_code == 200
    rows: list[dict[str, Any]] = response.json()
    return rows


async def decide(app: FastAPI, lopenummer: str) -> str:
    bus = runtime_of(app).bus
    assert bus is not None
    await bus.publish(envelope(forankret(lopenummer)), exchange="soknad.events")
    decision = vedtak(lopenummer)
    await bus.publish(envelope(decision), exchange="beslutning.events")
    return decision.vedtak_id


async def deliveries(app: FastAPI, endepunkt_id: str, count: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    async def staged() -> bool:
        rows[:] = await log_of(app, endepunkt_id)
        return len(rows) >= count

    await wait_until(staged)
    return rows


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def verified(secret: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """Verify with the independent implementation; it raises on a bad signature."""
    payload: dict[str, Any] = Webhook(secret).verify(body, headers)
    return payload
