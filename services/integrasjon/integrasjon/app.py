"""Composition root of the integrasjon service."""

from __future__ import annotations

import asyncio
from functools import partial
from pathlib import Path

import structlog
from fastapi import FastAPI

from integrasjon import api, views
from integrasjon.asyncapi import api as asyncapi_api
from integrasjon.consumers import consumers
from integrasjon.handlers import NationalTarget
from integrasjon.integratorer.handlers import IntegratorHandlers, publishing_user
from integrasjon.integratorer.topology import Utgaende
from integrasjon.register.import_jobb import Registre
from integrasjon.settings import IntegrasjonSettings
from integrasjon.store import SPINE
from integrasjon.webhooks import api as webhooks_api
from integrasjon.webhooks import views as webhooks_views
from shared.platform.bus.base import Bus, RetryPolicy
from shared.platform.bus.memory import MemoryBus
from shared.platform.clock import Clock, SystemClock
from shared.platform.katalog import Katalog as Personkatalog
from shared.platform.runtime import ServiceRuntime
from shared.platform.web.app import create_service_app, standalone
from shared.platform.web.revisjonslogg import revisjonslogg_router

HERE = Path(__file__).parent

log = structlog.get_logger(__name__)


def create_app(
    settings: IntegrasjonSettings | None = None,
    *,
    bus: Bus | None = None,
    national_bus: Bus | None = None,
    clock: Clock | None = None,
    personkatalog: Personkatalog | None = None,
) -> FastAPI:
    settings = settings or IntegrasjonSettings()
    if national_bus is None and not settings.national_bus_url:
        if settings.bus_url.lower().startswith("memory://"):
            # In-process transport: the whole "broker" lives in this process, so national summaries
            # go on the same bus (as in the embedded default).
            bus = bus or MemoryBus(retry=RetryPolicy(tuple(settings.bus_retry_delays_s)))
            national_bus = bus
        else:
            raise ValueError(
                "integrasjon: set SP_INTEGRASJON_NATIONAL_BUS_URL to the national overview's broker"
            )
    target = NationalTarget(
        exchange=settings.national_exchange,
        user_template=settings.national_user_template,
        hf=frozenset(settings.hf),
    )
    utgaende = Utgaende(settings)
    runtime = ServiceRuntime(
        name="integrasjon",
        settings=settings,
        tables=SPINE,
        migrations_dir=HERE / "migrations",
        consumers=consumers(target, IntegratorHandlers(user_id=publishing_user(settings.bus_url))),
        bus=bus,
        national_bus=national_bus,
        shared_katalog=personkatalog,
        national_bus_url=settings.national_bus_url,
        clock=clock or SystemClock(),
        extra_start=[partial(_declare_national_exchange, tasks=[]), utgaende.start],
        extra_stop=[utgaende.stop],
    )
    app = create_service_app(
        runtime,
        title="Søknadsportalen – integrasjon",
        description=(
            "Drug and diagnosis look-ups for the forms, and the trust's outbound integrations: "
            "anonymised case summaries to the national overview."
        ),
        routers=[
            api.router,
            views.router,
            webhooks_api.router,
            webhooks_views.router,
            asyncapi_api.router,
            revisjonslogg_router("integrasjon"),
        ],
        templates_dir=HERE / "templates",
    )
    # Built here, not at import, so every app (and test) has its own catalogue in its own database.
    registre = Registre(
        runtime.db.sessions,
        runtime.clock,
        fest_kilde=settings.fest_source,
        icd10_kilde=settings.icd10_source,
        icd10_versjon=settings.icd10_version,
        min_andel=settings.fest_min_share,
        sjekk_intervall_s=settings.register_check_interval_s,
        indeks_intervall_s=settings.register_reload_interval_s,
        eksempeldata=settings.seed_sample(),
    )
    runtime.extra_start.append(lambda _runtime: registre.start())
    runtime.extra_stop.append(registre.stop)
    app.state.registre = registre
    return app


def _declare_national_exchange(runtime: ServiceRuntime, *, tasks: list[asyncio.Task[None]]) -> None:
    """Declare the national exchange once the buses are connected, without holding up the start.

    The national overview declares it too (its subscription does), so a refusal here (a broker user
    without configure permission) is logged, not fatal."""
    settings = runtime.settings
    assert isinstance(settings, IntegrasjonSettings)

    async def declare() -> None:
        while True:
            try:
                await runtime.wait_until_ready(timeout_s=60.0)
                break
            except TimeoutError:
                continue
        assert runtime.national_bus is not None
        try:
            await runtime.national_bus.declare_exchange(settings.national_exchange)
        except Exception as exc:
            # Expected in the distributed mode, where this trust's user may only write to the exchange.
            log.info("national_exchange_not_declared", exchange=settings.national_exchange, error=str(exc))

    # The task ends with the bus-connect task it waits for (also when `stop` cancels that one); the
    # reference in `tasks` keeps it from being garbage-collected before.
    tasks.append(asyncio.create_task(declare(), name="integrasjon-declare-national-exchange"))


def create_standalone_app() -> FastAPI:
    """`uvicorn --factory integrasjon.app:create_standalone_app` (distributed mode)."""
    return standalone(create_app(), "integrasjon")
