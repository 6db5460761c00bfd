"""Composition root of the national oversikt service (one instance for the country)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from oversikt import api, views
from oversikt.consumers import national_subscriptions
from oversikt.prefetch import NATIONAL_PREFETCH, PrefetchBus
from oversikt.settings import OversiktSettings
from oversikt.store import SPINE
from shared.platform.bus.base import Bus
from shared.platform.clock import Clock, SystemClock
from shared.platform.katalog import Katalog
from shared.platform.runtime import ServiceRuntime
from shared.platform.web.app import create_service_app, standalone

HERE = Path(__file__).parent


def create_app(
    settings: OversiktSettings | None = None,
    *,
    bus: Bus | None = None,
    clock: Clock | None = None,
    personkatalog: Katalog | None = None,
) -> FastAPI:
    """`bus` is the national bus: in the distributed mode `bus_url` points at the national vhost."""
    settings = settings or OversiktSettings()
    runtime = ServiceRuntime(
        name="oversikt", settings=settings, tables=SPINE, migrations_dir=HERE / "migrations",
        consumers=[], bus=bus, clock=clock or SystemClock(), national=True, shared_katalog=personkatalog,
    )  # fmt: skip
    # Larger groups per transaction at ingest: the runtime has no per-subscription prefetch (`prefetch.py`).
    assert runtime.bus is not None
    runtime.bus = PrefetchBus(runtime.bus, NATIONAL_PREFETCH)
    # Subscribing declares the national exchange as well, on both transports, so no extra hook is needed.
    runtime.subscriptions.extend(national_subscriptions(runtime.db, settings, metrics=runtime.metrics))
    return create_service_app(
        runtime,
        title="Søknadsportalen – nasjonal oversikt",
        description="Anonymised summaries of every trust's cases: national search, variation across trusts.",
        routers=[api.router, views.router],
        templates_dir=HERE / "templates",
    )


def create_standalone_app() -> FastAPI:
    """`uvicorn --factory oversikt.app:create_standalone_app` (distributed mode)."""
    return standalone(create_app(), "oversikt")
