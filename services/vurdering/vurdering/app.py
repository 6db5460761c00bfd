"""Composition root of the vurdering service."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI

from shared.platform.bus.base import Bus
from shared.platform.clock import Clock, SystemClock
from shared.platform.katalog import Katalog
from shared.platform.runtime import ServiceRuntime
from shared.platform.web.app import create_service_app, standalone
from shared.platform.web.revisjonslogg import revisjonslogg_router
from vurdering import api, views, views_arbeid, views_konsultasjon
from vurdering.consumers import CONSUMERS
from vurdering.presedens_nasjonal import NasjonalPresedens, client_for
from vurdering.settings import VurderingSettings
from vurdering.store import SPINE

HERE = Path(__file__).parent


def create_app(
    settings: VurderingSettings | None = None,
    *,
    bus: Bus | None = None,
    clock: Clock | None = None,
    personkatalog: Katalog | None = None,
    oversikt: httpx.AsyncClient | None = None,
) -> FastAPI:
    """`oversikt`: a client for the national overview's precedent answer (the embedded default may pass
    one that calls it in-process); otherwise built from `oversikt_url`."""
    settings = settings or VurderingSettings()
    nasjonal = NasjonalPresedens(oversikt if oversikt is not None else client_for(settings.oversikt_url))
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
    runtime.extra_stop.append(nasjonal.aclose)
    app = create_service_app(
        runtime,
        title="Søknadsportalen – vurdering",
        description="The assessment committee's cases: structured assessment, recommendations and "
        "requests for more information.",
        routers=[
            api.router,
            views.router,
            views_arbeid.router,
            views_konsultasjon.router,
            revisjonslogg_router("vurdering"),
        ],
        templates_dir=HERE / "templates",
    )
    app.state.nasjonal_presedens = nasjonal
    return app


def create_standalone_app() -> FastAPI:
    """`uvicorn --factory vurdering.app:create_standalone_app` (distributed mode)."""
    return standalone(create_app(), "vurdering")
