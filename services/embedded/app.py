"""The embedded default: all five services in one process on one in-process bus, with a demo login."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import structlog
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from beslutning.app import create_app as create_beslutning
from beslutning.settings import BeslutningSettings
from embedded.settings import EmbeddedSettings
from integrasjon.app import create_app as create_integrasjon
from integrasjon.settings import IntegrasjonSettings
from oversikt.app import create_app as create_oversikt
from oversikt.settings import OversiktSettings
from shared.platform.auth.session import CookieSigner
from shared.platform.bus.base import RetryPolicy
from shared.platform.bus.memory import MemoryBus
from shared.platform.katalog.factory import create_katalog
from shared.platform.observability.metrics import ServiceMetrics
from shared.platform.web.app import Gateway
from shared.platform.web.middleware import SpineMiddleware
from shared.platform.web.portal import portal_router
from shared.platform.web.problems import install_error_handlers
from shared.platform.web.templating import Templates
from soknad.app import create_app as create_soknad
from soknad.settings import SoknadSettings
from vurdering.app import create_app as create_vurdering
from vurdering.settings import VurderingSettings

STATIC = Path(__file__).resolve().parents[2] / "shared" / "platform" / "web" / "static"
SERVICES = ("soknad", "vurdering", "beslutning", "oversikt", "integrasjon")


def in_process(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://in-process", timeout=5)


def create_app(settings: EmbeddedSettings | None = None) -> FastAPI:
    settings = settings or EmbeddedSettings()
    bus = MemoryBus(retry=RetryPolicy(tuple(settings.bus_retry_delays_s)))
    common: dict[str, Any] = {
        "data_dir": settings.data_dir,
        "bus_url": "memory://",
        "session_secret": settings.session_secret,
        "log_json": settings.log_json,
        "log_level": settings.log_level,
        "bus_retry_delays_s": settings.bus_retry_delays_s,
    }
    # One directory of people and units for all five services, as one bus: `data_dir/katalog.sqlite`.
    katalog = create_katalog(SoknadSettings(**common))
    integrasjon = create_integrasjon(
        IntegrasjonSettings(**common), bus=bus, national_bus=bus, personkatalog=katalog
    )
    oversikt = create_oversikt(OversiktSettings(**common), bus=bus, personkatalog=katalog)
    vurdering = create_vurdering(
        VurderingSettings(**common), bus=bus, personkatalog=katalog, oversikt=in_process(oversikt)
    )
    beslutning = create_beslutning(
        BeslutningSettings(**common), bus=bus, personkatalog=katalog, oversikt=in_process(oversikt)
    )
    apps: dict[str, FastAPI] = {
        # Look-ups are real HTTP requests, served in-process instead of over a socket to ourselves.
        "soknad": create_soknad(
            SoknadSettings(**common),
            bus=bus,
            integrasjon=in_process(integrasjon),
            oversikt=in_process(oversikt),
            vurdering=in_process(vurdering),
            beslutning=in_process(beslutning),
            personkatalog=katalog,
        ),
        "vurdering": vurdering,
        "beslutning": beslutning,
        "integrasjon": integrasjon,
        "oversikt": oversikt,
    }

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await bus.connect()
        await katalog.start()
        async with AsyncExitStack() as stack:
            for sub in apps.values():
                await stack.enter_async_context(sub.router.lifespan_context(sub))
            for sub in apps.values():
                await sub.state.runtime.wait_until_ready()
            if settings.seed_demo_data:
                from embedded.seed import seed_demo_data

                try:
                    await seed_demo_data(apps, secret=settings.session_secret.get_secret_value())
                except Exception:
                    # Demo data is a convenience; the system must start without it.
                    structlog.get_logger(__name__).exception("demo_data_failed")
            yield
        await bus.close()
        # The shared bus outlives the services' lifespans, so a handler still in flight when a service
        # stopped (its engine disposed) opened a connection of a fresh pool, and closing the bus just
        # cancelled it. Disposed again here, inside the event loop: otherwise the garbage collector
        # finds those connections after the loop is gone and logs a traceback on Ctrl-C.
        for sub in apps.values():
            await sub.state.runtime.engine.dispose()
        await katalog.close()

    root = Gateway(
        title="Søknadsportalen", lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None
    )
    root.state.services = apps
    root.state.bus = bus
    root.state.katalog = katalog
    signer = CookieSigner(settings.session_secret.get_secret_value())
    root.state.templates = Templates(None, service="portal", links={})
    root.add_middleware(
        SpineMiddleware,
        signer=signer,
        metrics=ServiceMetrics("portal"),
        max_body_bytes=100_000,
        skip_prefixes=tuple(f"/{name}/" for name in SERVICES),
    )
    install_error_handlers(root)

    root.include_router(portal_router(signer=signer, templates=root.state.templates, katalog=katalog))
    root.mount("/static", StaticFiles(directory=STATIC), name="static")
    for name in SERVICES:
        root.mount_service(f"/{name}", apps[name])
    return root
