"""The embedded default: all five services in one process on one in-process bus, with a demo login."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from beslutning.app import create_app as create_beslutning
from beslutning.settings import BeslutningSettings
from embedded.settings import EmbeddedSettings
from integrasjon.app import create_app as create_integrasjon
from integrasjon.settings import IntegrasjonSettings
from oversikt.app import create_app as create_oversikt
from oversikt.settings import OversiktSettings
from shared.auth.demo import DEMO_USERS
from shared.auth.principal import ROLE_LABELS, Role
from shared.auth.session import CSRF_FIELD, SESSION_COOKIE, SESSION_MAX_AGE_S, CookieSigner
from shared.bus.base import RetryPolicy
from shared.bus.memory import MemoryBus
from shared.observability.metrics import ServiceMetrics
from shared.trusts import hf_navn
from shared.web.middleware import SpineMiddleware
from shared.web.problems import install_error_handlers
from shared.web.templating import Templates
from soknad.app import create_app as create_soknad
from soknad.settings import SoknadSettings
from vurdering.app import create_app as create_vurdering
from vurdering.settings import VurderingSettings

HERE = Path(__file__).parent
STATIC = Path(__file__).resolve().parents[2] / "shared" / "web" / "static"
SERVICES = ("soknad", "vurdering", "beslutning", "oversikt", "integrasjon")


def create_app(settings: EmbeddedSettings | None = None) -> FastAPI:
    settings = settings or EmbeddedSettings()
    bus = MemoryBus(retry=RetryPolicy(tuple(settings.bus_retry_delays_s)))
    common = {
        "data_dir": settings.data_dir,
        "bus_url": "memory://",
        "session_secret": settings.session_secret,
        "log_json": settings.log_json,
        "log_level": settings.log_level,
        "bus_retry_delays_s": settings.bus_retry_delays_s,
    }
    apps: dict[str, FastAPI] = {
        "soknad": create_soknad(SoknadSettings(**common), bus=bus),
        "vurdering": create_vurdering(VurderingSettings(**common), bus=bus),
        "beslutning": create_beslutning(BeslutningSettings(**common), bus=bus),
        "integrasjon": create_integrasjon(IntegrasjonSettings(**common), bus=bus, national_bus=bus),
        "oversikt": create_oversikt(OversiktSettings(**common), bus=bus),
    }

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await bus.connect()
        async with AsyncExitStack() as stack:
            for sub in apps.values():
                await stack.enter_async_context(sub.router.lifespan_context(sub))
            for sub in apps.values():
                await sub.state.runtime.wait_until_ready()
            if settings.seed_demo_data:
                from embedded.seed import seed_demo_data

                await seed_demo_data(apps)
            yield
        await bus.close()

    root = FastAPI(title="Søknadsportalen", lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    root.state.services = apps
    root.state.bus = bus
    signer = CookieSigner(settings.session_secret.get_secret_value())
    root.state.templates = Templates(HERE / "templates", service="portal", links={})
    root.add_middleware(SpineMiddleware, signer=signer, metrics=ServiceMetrics("portal"),
                        max_body_bytes=100_000)
    install_error_handlers(root)

    @root.get("/", include_in_schema=False)
    async def start(request: Request) -> Response:
        user = DEMO_USERS.get(signer.read_session(request.cookies.get(SESSION_COOKIE)) or "")
        request.state.principal = user
        trusts: dict[str, list[tuple[str, str, str]]] = {}
        for user_id, p in DEMO_USERS.items():
            role = next(iter(p.roles))
            trusts.setdefault(p.hf, []).append((user_id, p.name, ROLE_LABELS[role]))
        return root.state.templates.render(request, "start.html", {
            "trusts": trusts, "hf_navn": hf_navn, "bruker": user,
        })

    @root.post("/logg-inn", include_in_schema=False)
    async def login(request: Request) -> Response:
        form = await request.form()
        token = getattr(request.state, "csrf_token", None)
        user_id = form.get("bruker")
        if form.get(CSRF_FIELD) != token or not isinstance(user_id, str) or user_id not in DEMO_USERS:
            return RedirectResponse("/", status_code=303)
        response = RedirectResponse(_home_for(user_id), status_code=303)
        response.set_cookie(SESSION_COOKIE, signer.sign_session(user_id), max_age=SESSION_MAX_AGE_S,
                            httponly=True, samesite="lax", path="/")
        return response

    @root.post("/logg-ut", include_in_schema=False)
    async def logout() -> Response:
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    root.mount("/static", StaticFiles(directory=STATIC), name="static")
    for name in SERVICES:
        root.mount(f"/{name}", apps[name])
    return root


def _home_for(user_id: str) -> str:
    p = DEMO_USERS[user_id]
    if p.has(Role.SOKER):
        return "/soknad/"
    if p.has(Role.LEDER):
        return "/soknad/forankring"
    if p.has(Role.KOMITE):
        return "/vurdering/"
    if p.has(Role.FAGDIREKTOR, Role.CONTROLLER):
        return "/beslutning/"
    return "/oversikt/"
