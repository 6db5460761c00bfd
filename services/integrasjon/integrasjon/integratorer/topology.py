"""Declares the integrator exchanges on the trust's broker once the bus is up, and starts the webhook
worker: the parts of the outbound integrations that run in the service's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

import aio_pika
import httpx
import structlog

from integrasjon.integratorer import routing
from integrasjon.settings import IntegrasjonSettings
from integrasjon.webhooks.domain import Backoff
from integrasjon.webhooks.worker import WebhookWorker
from shared.platform.bus.base import Message, Subscription
from shared.platform.bus.memory import MemoryBus
from shared.platform.runtime import ServiceRuntime

log = structlog.get_logger(__name__)


async def declare_rabbit(url: str) -> None:
    """Both integrator exchanges, with an alternate exchange whose queue drops what reaches it at once
    (TTL 0): a decision nobody has bound yet is neither returned nor kept."""
    connection = await aio_pika.connect(url, client_properties={"connection_name": "integrasjon-topologi"})
    try:
        channel = await connection.channel()
        unrouted = await channel.declare_exchange(
            routing.UNROUTED_EXCHANGE, aio_pika.ExchangeType.FANOUT, durable=True, internal=True
        )
        queue = await channel.declare_queue(
            routing.UNROUTED_QUEUE, durable=True, arguments={"x-message-ttl": 0}
        )
        await queue.bind(unrouted)
        for name in (routing.EXCHANGE, routing.EXCHANGE_PASIENT):
            await channel.declare_exchange(
                name,
                aio_pika.ExchangeType.TOPIC,
                durable=True,
                arguments={"alternate-exchange": routing.UNROUTED_EXCHANGE},
            )
    finally:
        await connection.close()


async def _drop(message: Message) -> None:
    """The in-process bus has no alternate exchanges: this catch-all queue stands in for one."""


async def declare_memory(bus: MemoryBus) -> None:
    for name in (routing.EXCHANGE, routing.EXCHANGE_PASIENT):
        await bus.declare_exchange(name)
        await bus.subscribe(
            Subscription(
                consumer="integrasjon",
                handler_name="urutet",
                exchange=name,
                event_type="alle",
                handler=_drop,
                binding_key="#",
            )
        )


@dataclass
class Utgaende:
    """Start and stop hooks for `ServiceRuntime` (`extra_start`, `extra_stop`)."""

    settings: IntegrasjonSettings
    worker: WebhookWorker | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _http: httpx.AsyncClient | None = None

    async def start(self, runtime: ServiceRuntime) -> None:
        if isinstance(runtime.bus, MemoryBus):
            # In-process, at once: a decision the relay meets before its exchange exists fails the whole
            # batch, and the relay's backoff would hold up every other event of this service too.
            await runtime.bus.connect()
            await declare_memory(runtime.bus)
        else:
            self._tasks.append(
                asyncio.create_task(self._declare(runtime), name="integrasjon-integrator-topologi")
            )
        s = self.settings
        if s.webhook_worker:
            self._http = httpx.AsyncClient(follow_redirects=False)
            self.worker = WebhookWorker(
                runtime.db,
                self._http,
                runtime.clock,
                backoff=Backoff(first_s=s.webhook_first_retry_s),
                deaktiver_etter=s.webhook_disable_after(),
                timeout_s=s.webhook_timeout_s,
                poll_interval_s=s.webhook_poll_interval_s,
            )
            self.worker.start()

    async def _declare(self, runtime: ServiceRuntime) -> None:
        delay = 0.5
        while True:
            try:
                await runtime.wait_until_ready(timeout_s=60.0)
                await declare_rabbit(self.settings.bus_url)
                log.info("integrator_exchanges_declared")
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # Until they exist the relay cannot publish decisions to them; it retries, so do we.
                log.warning("integrator_exchanges_not_declared", error=type(exc).__name__, retry_in_s=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if self.worker is not None:
            await self.worker.stop()
        if self._http is not None:
            await self._http.aclose()
