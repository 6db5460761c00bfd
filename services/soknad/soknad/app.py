"""Composition root of the soknad service."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI

from shared.bus.base import Bus
from shared.clock import Clock, SystemClock
from shared.runtime import ServiceRuntime
from shared.web.app import create_service_app, standalone
from soknad import api, views
from soknad.consumers import CONSUMERS
from soknad.oppslag import OppslagKlient
from soknad.settings import SoknadSettings
from soknad.store import SPINE

HERE = Path(__file__).parent


LOOKUP_TIMEOUT = httpx.Timeout(2.0, connect=1.0)


def create_app(
    settings: SoknadSettings | None = None,
    *,
    bus: Bus | None = None,
    clock: Clock | None = None,
    integrasjon: httpx.AsyncClient | None = None,
) -> FastAPI:
    """`integrasjon`: a client for the trust's integrasjon service (the embedded default passes one that
    calls it in-process); otherwise one is built from `settings.integrasjon_url`."""
    settings = settings or SoknadSettings()
    if integrasjon is None:
        # Without a URL every look-up fails fast and the form falls back to typing by hand.
        integrasjon = httpx.AsyncClient(
            base_url=settings.integrasjon_url or "http://integrasjon.invalid", timeout=LOOKUP_TIMEOUT
        )
    oppslag = OppslagKlient(integrasjon=integrasjon)
    runtime = ServiceRuntime(
        name="soknad",
        settings=settings,
        tables=SPINE,
        migrations_dir=HERE / "migrations",
        consumers=CONSUMERS,
        bus=bus,
        clock=clock or SystemClock(),
    )
    runtime.extra_stop.append(oppslag.aclose)
    app = create_service_app(
        runtime,
        title="Søknadsportalen – søknad",
        description="Applications, drafts, co-authors and anchoring (forankring).",
        routers=[api.router, views.router],
        templates_dir=HERE / "templates",
    )
    app.state.oppslag = oppslag
    return app


def create_standalone_app() -> FastAPI:
    """`uvicorn --factory soknad.app:create_standalone_app` (distributed mode)."""
    return standalone(create_app(), "soknad")
