"""A service's running parts, built from its settings: engine, unit of work, bus, relay, consumers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import structlog
from sqlalchemy import text

from shared.platform.auth.authenticator import Authenticator
from shared.platform.auth.oidc import OidcConfig, OidcValidator
from shared.platform.auth.session import CookieSigner
from shared.platform.bus.base import Bus, RetryPolicy, Subscription, exchange_for
from shared.platform.bus.factory import create_bus
from shared.platform.clock import Clock, SystemClock
from shared.platform.db.engine import create_engine
from shared.platform.db.migrate import is_current, upgrade
from shared.platform.db.tables import SpineTables
from shared.platform.db.uow import LOCAL, NATIONAL, Database
from shared.platform.katalog import Katalog
from shared.platform.katalog.factory import create_katalog
from shared.platform.observability.metrics import ServiceMetrics
from shared.platform.outbox.inbox import Consumes, subscriptions
from shared.platform.outbox.relay import OutboxRelay
from shared.platform.settings import ServiceSettings

log = structlog.get_logger(__name__)


@dataclass
class ServiceRuntime:
    name: str
    settings: ServiceSettings
    tables: SpineTables
    migrations_dir: Path
    consumers: list[Consumes] | Callable[[Katalog], list[Consumes]] = field(default_factory=list)
    """What the service subscribes to; a function when a consumer needs the directory."""
    bus: Bus | None = None
    """Given: shared with other services (embedded default); None: built from settings.bus_url."""
    national_bus: Bus | None = None
    national_bus_url: str = ""
    national: bool = False
    """The national overview: users of every trust may log in (what they see is still role-checked)."""
    clock: Clock = field(default_factory=SystemClock)
    shared_katalog: Katalog | None = None
    """The directory shared with the other services of this process (embedded default); None: this
    runtime builds its own from settings.katalog_* (`runtime.katalog` either way)."""
    extra_start: list[Callable[[ServiceRuntime], object]] = field(default_factory=list)
    extra_stop: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    """Closes what `create_app` built beside the runtime (HTTP clients to other services)."""

    def __post_init__(self) -> None:
        s = self.settings
        self.metrics = ServiceMetrics(self.name)
        self.engine = create_engine(s.effective_database_url())
        self.relay: OutboxRelay
        self.db = Database(self.engine, self.tables, self.name, self.clock, on_outbox_commit=self._wake)
        retry = RetryPolicy(tuple(s.bus_retry_delays_s))
        self._own_bus = self.bus is None
        if self.bus is None:
            self.bus = create_bus(
                s.bus_url, retry=retry, metrics=self.metrics, connection_name=f"{self.name}@{','.join(s.hf)}"
            )
        self._own_national = self.national_bus is None and bool(self.national_bus_url)
        if self.national_bus is None and self.national_bus_url:
            self.national_bus = create_bus(
                self.national_bus_url,
                retry=retry,
                metrics=self.metrics,
                connection_name=f"{self.name}-nasjonal@{','.join(s.hf)}",
            )
        buses: dict[str, Bus] = {LOCAL: self.bus}
        if self.national_bus is not None:
            buses[NATIONAL] = self.national_bus
        # One relay per broker: a national outage leaves the summaries waiting in the outbox, and must not
        # hold back the trust's own events (or the integrators') queued behind them.
        self.relays = [
            OutboxRelay(
                self.db,
                buses,
                batch_size=s.outbox_batch_size,
                poll_interval_s=s.outbox_poll_interval_s,
                metrics=self.metrics,
                destination=destination,
            )
            for destination in buses
        ]
        self.relay = self.relays[0]  # the local one
        self._own_katalog = self.shared_katalog is None
        self.katalog: Katalog = self.shared_katalog or create_katalog(s, clock=self.clock)
        consumers = self.consumers(self.katalog) if callable(self.consumers) else self.consumers
        self.subscriptions: list[Subscription] = subscriptions(
            self.db, self.name, consumers, metrics=self.metrics
        )
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=2.0))
        oidc = None
        if s.oidc_issuer:
            oidc = OidcValidator(
                OidcConfig(
                    issuer=s.oidc_issuer,
                    audience=s.oidc_audience,
                    jwks_url=s.oidc_jwks_url,
                    jwks_cache_s=s.oidc_jwks_cache_s,
                ),
                self.http,
                refetch_min_interval_s=s.oidc_jwks_refetch_interval_s,
            )
        self.auth = Authenticator(
            signer=CookieSigner(s.session_secret.get_secret_value()),
            katalog=self.katalog,
            sessions=s.auth_mode == "demo",
            oidc=oidc,
            hf=s.hf,
            national=self.national,
        )
        self._bus_task: asyncio.Task[None] | None = None
        self._gauge_task: asyncio.Task[None] | None = None
        self.bus_ready = False

    async def backlog(self) -> int:
        """Unsent outbox rows, for every destination."""
        return sum([await relay.backlog() for relay in self.relays])

    def _wake(self) -> None:
        for relay in self.relays:
            relay.wake()

    @property
    def hf(self) -> list[str]:
        return self.settings.hf

    async def start(self) -> None:
        self.settings.check_production_safety()
        if self.settings.migrate_on_start:
            await upgrade(self.engine, self.migrations_dir)
        await self.katalog.start()
        for relay in self.relays:
            relay.start()
        # The broker may be down when we start; keep serving (ready=503) and connect in the background.
        self._bus_task = asyncio.create_task(self._connect_bus(), name=f"{self.name}-bus-connect")
        self._gauge_task = asyncio.create_task(self._refresh_gauges(), name=f"{self.name}-gauges")
        for hook in self.extra_start:
            result = hook(self)
            if asyncio.iscoroutine(result):
                await result

    async def _connect_bus(self) -> None:
        delay = 0.2
        assert self.bus is not None
        while True:
            try:
                await self.bus.connect()
                await self.bus.declare_exchange(exchange_for(self.name))
                if self.national_bus is not None:
                    await self.national_bus.connect()
                for sub in self.subscriptions:
                    await self.bus.subscribe(sub)
                self.bus_ready = True
                log.info("bus_ready", service=self.name, consumers=len(self.subscriptions))
                self._wake()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("bus_connect_failed", service=self.name, error=str(exc), retry_in_s=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def wait_until_ready(self, timeout_s: float = 30.0) -> None:
        if self._bus_task is not None:
            await asyncio.wait_for(asyncio.shield(self._bus_task), timeout_s)

    async def _refresh_gauges(self) -> None:
        while True:
            with contextlib.suppress(Exception):
                self.metrics.outbox_backlog.labels(self.name).set(await self.backlog())
                assert self.bus is not None
                for sub in self.subscriptions:
                    depth = await self.bus.dead_letter_count(sub.queue)
                    self.metrics.dead_letter_depth.labels(self.name, sub.queue).set(depth)
            await asyncio.sleep(15)

    async def stop(self) -> None:
        for task in (self._bus_task, self._gauge_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        for relay in self.relays:
            await relay.stop()
        for close in self.extra_stop:
            with contextlib.suppress(Exception):
                await close()
        if self._own_bus and self.bus is not None:
            await self.bus.close()
        if self._own_national and self.national_bus is not None:
            await self.national_bus.close()
        await self.http.aclose()
        await self.engine.dispose()
        if self._own_katalog:
            await self.katalog.close()

    async def readiness(self) -> Mapping[str, str]:
        """Empty when ready; otherwise the reasons, in Norwegian, by check name."""
        problems: dict[str, str] = {}
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            if not await is_current(self.engine, self.migrations_dir):
                problems["migrations"] = "Databasen er ikke migrert til siste versjon."
            if not await self.katalog.is_current():
                problems["katalog"] = "Katalogen (personer og enheter) er ikke migrert til siste versjon."
        except Exception as exc:
            problems["database"] = f"Databasen svarer ikke: {type(exc).__name__}"
        assert self.bus is not None
        health = self.bus.health()
        if not health.connected:
            problems["bus"] = f"Ikke tilkoblet meldingsbussen. {health.detail}".strip()
        elif not self.bus_ready:
            problems["consumers"] = "Mottakerne er ikke startet ennå."
        if not all(relay.running for relay in self.relays):
            problems["outbox"] = "Utboks-reléet kjører ikke."
        return problems
