"""Composition root of the vurdering service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from shared.platform.bus.base import Bus
from shared.platform.clock import Clock, SystemClock
from shared.platform.katalog import Katalog
from shared.platform.runtime import ServiceRuntime
from shared.platform.web.app import create_service_app, standalone
from shared.platform.web.revisjonslogg import revisjonslogg_router
from vurdering import api, views
from vurdering.consumers import CONSUMERS
from vurdering.settings import VurderingSettings
from vurdering.store import SPINE

HERE = Path(__file__).parent


def create_app(
    settings: VurderingSettings | None = None,
    *,
    bus: Bus | None = None,
    clock: Clock | None = None,
    personkatalog: Katalog | None = None,
) -> FastAPI:
    settings = settings or VurderingSettings()
    runtime = ServiceRuntime(
        name="vurdering",
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
        title="Søknadsportalen – vurdering",
        description="The assessment committee's cases: structured assessment, recommendations and "
        "requests for more information.",
        routers=[api.router, views.router, revisjonslogg_router("vurdering")],
        templates_dir=HERE / "templates",
    )


def create_standalone_app() -> FastAPI:
    """`uvicorn --factory vurdering.app:create_standalone_app` (distributed mode)."""
    return standalone(create_app(), "vurdering")
