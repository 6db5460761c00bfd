"""Composition root of the soknad service."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI

from shared.platform.bus.base import Bus
from shared.platform.clock import Clock, SystemClock
from shared.platform.katalog import Katalog
from shared.platform.runtime import ServiceRuntime
from shared.platform.web.app import create_service_app, standalone
from shared.platform.web.naboer import client_for
from shared.platform.web.revisjonslogg import RevisjonsloggKilde, revisjonslogg_router
from soknad import api, views
from soknad.consumers import consumers
from soknad.etterregistrering import api as etterregistrering_api
from soknad.etterregistrering import jobb as etterregistrering
from soknad.etterregistrering import views as etterregistrering_views
from soknad.fhir import api as fhir_api
from soknad.oppslag import OppslagKlient
from soknad.settings import SoknadSettings
from soknad.skjema.register import SkjemaRegister
from soknad.smart import oppsett as smart
from soknad.smart import views as smart_views
from soknad.store import SPINE

HERE = Path(__file__).parent


LOOKUP_TIMEOUT = httpx.Timeout(2.0, connect=1.0)


def create_app(
    settings: SoknadSettings | None = None,
    *,
    bus: Bus | None = None,
    clock: Clock | None = None,
    integrasjon: httpx.AsyncClient | None = None,
    oversikt: httpx.AsyncClient | None = None,
    vurdering: httpx.AsyncClient | None = None,
    beslutning: httpx.AsyncClient | None = None,
    skjemaer: SkjemaRegister | None = None,
    personkatalog: Katalog | None = None,
) -> FastAPI:
    """`integrasjon`, `oversikt`, `vurdering`, `beslutning`: clients for the trust's other services and
    the national overview (the embedded default passes ones that call them in-process); otherwise built
    from the settings' URLs."""
    settings = settings or SoknadSettings()
    if integrasjon is None:
        integrasjon = client_for(settings.integrasjon_url, timeout=LOOKUP_TIMEOUT)
    if oversikt is None:
        oversikt = client_for(settings.oversikt_url, timeout=LOOKUP_TIMEOUT)
    oppslag = OppslagKlient(integrasjon=integrasjon, oversikt=oversikt)
    if vurdering is None:
        vurdering = client_for(settings.vurdering_url, timeout=LOOKUP_TIMEOUT)
    if beslutning is None:
        beslutning = client_for(settings.beslutning_url, timeout=LOOKUP_TIMEOUT)
    # The privacy officer's access log asks the trust's other services for theirs.
    revisjonslogg_kilder = [
        RevisjonsloggKilde("vurdering", vurdering),
        RevisjonsloggKilde("beslutning", beslutning),
        RevisjonsloggKilde("integrasjon", integrasjon),
    ]
    runtime = ServiceRuntime(
        name="soknad",
        settings=settings,
        tables=SPINE,
        migrations_dir=HERE / "migrations",
        consumers=consumers,
        bus=bus,
        shared_katalog=personkatalog,
        clock=clock or SystemClock(),
    )
    runtime.extra_stop.append(oppslag.aclose)
    runtime.extra_stop.extend([vurdering.aclose, beslutning.aclose])  # integrasjon's closes with oppslag
    app = create_service_app(
        runtime,
        title="Søknadsportalen – søknad",
        description="Applications, drafts, co-authors and anchoring (forankring).",
        routers=[
            api.router,
            etterregistrering_api.router,
            smart_views.router,
            fhir_api.router,
            views.router,
            etterregistrering_views.router,
            revisjonslogg_router("soknad"),
        ],
        templates_dir=HERE / "templates",
        # Post-registration files: up to `max_upload_bytes` (50 MB) where every other body stops at 1 MB.
        upload_paths=("/admin/etterregistrering", "/api/etterregistrering"),
    )
    app.state.oppslag = oppslag
    app.state.beslutning = beslutning  # processing time per step for the statistics page
    etterregistrering.install(app, integrasjon)
    app.state.revisjonslogg_kilder = revisjonslogg_kilder
    app.state.skjemaer = skjemaer or SkjemaRegister.load()
    smart.install(app, runtime, settings)
    return app


def create_standalone_app() -> FastAPI:
    """`uvicorn --factory soknad.app:create_standalone_app` (distributed mode)."""
    return standalone(create_app(), "soknad")
