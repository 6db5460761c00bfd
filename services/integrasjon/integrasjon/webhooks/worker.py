"""The delivery worker: POSTs due deliveries, signed, and records each attempt; runs in the service's
lifespan. At least once: a delivery is marked delivered only after a 2xx answer."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
import structlog

from integrasjon.webhooks import handlers
from integrasjon.webhooks.domain import Backoff
from integrasjon.webhooks.handlers import Resultat, Utsending
from integrasjon.webhooks.signing import signed_headers
from shared.platform.clock import Clock
from shared.platform.db.uow import Database

log = structlog.get_logger(__name__)


@dataclass
class WebhookWorker:
    db: Database
    http: httpx.AsyncClient
    clock: Clock
    backoff: Backoff = field(default_factory=Backoff)
    deaktiver_etter: timedelta = timedelta(hours=12)
    timeout_s: float = 10.0
    poll_interval_s: float = 1.0
    batch_size: int = 20
    rnd: random.Random = field(default_factory=random.Random)
    _task: asyncio.Task[None] | None = field(default=None, init=False)

    @property
    def lease(self) -> timedelta:
        # Longer than one attempt can take, so a delivery in flight is not claimed twice.
        return timedelta(seconds=self.timeout_s * 3 + 30)

    async def run_once(self) -> int:
        """Attempt every delivery due now (one batch); return how many were attempted."""
        due = await handlers.claim_due(self.db, now=self.clock.now(), limit=self.batch_size, lease=self.lease)
        await asyncio.gather(*(self._deliver(u) for u in due))
        return len(due)

    async def _deliver(self, u: Utsending) -> None:
        body = u.body.encode()
        # Wall time, not the injected clock: the receiver checks it against its own clock (replay window).
        headers = signed_headers(
            u.hemmelighet, webhook_id=u.webhook_id, timestamp=int(time.time()), body=body
        )
        headers["content-type"] = u.content_type
        started = time.monotonic()
        statuskode: int | None = None
        feil: str | None = None
        try:
            response = await self.http.post(u.url, content=body, headers=headers, timeout=self.timeout_s)
            statuskode = response.status_code
            if not 200 <= statuskode < 300:
                feil = f"HTTP {statuskode}"
        except httpx.TimeoutException:
            feil = "Tidsavbrudd"
        except httpx.HTTPError as exc:
            # The exception's type only: its text can carry the request, and with it the URL's query.
            feil = f"Nettverksfeil ({type(exc).__name__})"
        resultat = Resultat(
            at=self.clock.now(),
            statuskode=statuskode,
            feil=feil,
            varighet_ms=round((time.monotonic() - started) * 1000),
        )
        log.info(
            "webhook_attempt",
            endepunkt_id=u.endepunkt_id,
            event_id=u.webhook_id,
            forsok=u.forsok,
            statuskode=statuskode,
            ok=resultat.ok,
        )
        deaktivert = await handlers.record(
            self.db,
            u,
            resultat,
            neste=self.backoff.delay(u.forsok, self.rnd),
            deaktiver_etter=self.deaktiver_etter,
        )
        if deaktivert is not None:
            # After the commit: the admin is told only of what happened.
            log.warning(
                "webhook_endpoint_disabled",
                endepunkt_id=deaktivert.endepunkt_id,
                hf=deaktivert.hf,
                navn=deaktivert.navn,
                url=deaktivert.url,
                grunn=deaktivert.grunn,
            )

    async def run(self) -> None:
        while True:
            try:
                attempted = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("webhook_worker_error")
                attempted = 0
            if attempted < self.batch_size:
                await asyncio.sleep(self.poll_interval_s)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name="integrasjon-webhooks")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
