"""Composition root of the beslutning service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from beslutning import api, views
from beslutning.consumers import CONSUMERS
from beslutning.settings import BeslutningSettings
from beslutning.store import SPINE
from shared.platform.bus.base import Bus
from shared.platform.clock import Clock, SystemClock
from shared.platform.katalog import Katalog
from shared.platform.runtime import ServiceRuntime
from shared.platform.web.app import create_service_app, standalone
from shared.platform.web.revisjonslogg import revisjonslogg_router

HERE = Path(__file__).parent


def create_app(
    settings: BeslutningSettings | None = None,
    *,
    bus: Bus | None = None,
    clock: Clock | None = None,
    personkatalog: Katalog | None = None,
) -> FastAPI:
    settings = settings or BeslutningSettings()
    runtime = ServiceRuntime(
        name="beslutning",
        settings=settings,
        tables=SPINE,
        migrations_dir=HERE / "migrations",
        consumers=CONSUMERS,
        bus=bus,
        shared_katalog=personkatalog,
        clock=clock or SystemClock(),
    )
    return create_service_app(
        runtime,
        title="Søknadsportalen – beslutning",
        description="The medical director's decisions and the controller's billing view.",
        routers=[api.router, api.billing_router, views.router, revisjonslogg_router("beslutning")],
        templates_dir=HERE / "templates",
    )


def create_standalone_app() -> FastAPI:
    """`uvicorn --factory beslutning.app:create_standalone_app` (distributed mode)."""
    return standalone(create_app(), "beslutning")
