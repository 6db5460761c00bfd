"""Composition root of the soknad service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from shared.bus.base import Bus
from shared.clock import Clock, SystemClock
from shared.runtime import ServiceRuntime
from shared.web.app import create_service_app, standalone
from soknad import api, views
from soknad.consumers import CONSUMERS
from soknad.settings import SoknadSettings
from soknad.store import SPINE

HERE = Path(__file__).parent


def create_app(
    settings: SoknadSettings | None = None, *, bus: Bus | None = None, clock: Clock | None = None
) -> FastAPI:
    settings = settings or SoknadSettings()
    runtime = ServiceRuntime(
        name="soknad",
        settings=settings,
        tables=SPINE,
        migrations_dir=HERE / "migrations",
        consumers=CONSUMERS,
        bus=bus,
        clock=clock or SystemClock(),
    )
    return create_service_app(
        runtime,
        title="Søknadsportalen – søknad",
        description="Applications, drafts, co-authors and anchoring (forankring).",
        routers=[api.router, views.router],
        templates_dir=HERE / "templates",
    )


def create_standalone_app() -> FastAPI:
    """`uvicorn --factory soknad.app:create_standalone_app` (distributed mode)."""
    return standalone(create_app(), "soknad")
