"""Composition root of the beslutning service."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI

from beslutning import api, views
from beslutning.consumers import consumers
from beslutning.forfalt import ForfaltSjekk
from beslutning.presedens_nasjonal import client_for
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
    oversikt: httpx.AsyncClient | None = None,
) -> FastAPI:
    """`oversikt`: a client for the national overview's API (the precedent panel); the embedded default
    passes one that calls it in-process, otherwise it is built from `oversikt_url` (none when empty)."""
    settings = settings or BeslutningSettings()
    if oversikt is None:
        oversikt = client_for(settings)
    runtime = ServiceRuntime(
        name="beslutning",
        settings=settings,
        tables=SPINE,
        migrations_dir=HERE / "migrations",
        consumers=consumers(settings.behandlingstider),
        bus=bus,
        shared_katalog=personkatalog,
        clock=clock or SystemClock(),
    )
    if oversikt is not None:
        runtime.extra_stop.append(oversikt.aclose)
    forfalt = ForfaltSjekk(settings.forfalt_sjekk_intervall_s)
    runtime.extra_start.append(forfalt.start)
    runtime.extra_stop.append(forfalt.stop)
    app = create_service_app(
        runtime,
        title="Søknadsportalen – beslutning",
        description="The medical director's decisions and the controller's billing view.",
        routers=[*api.routers, views.router, revisjonslogg_router("beslutning")],
        templates_dir=HERE / "templates",
    )
    app.state.oversikt = oversikt
    return app


def create_standalone_app() -> FastAPI:
    """`uvicorn --factory beslutning.app:create_standalone_app` (distributed mode)."""
    return standalone(create_app(), "beslutning")
