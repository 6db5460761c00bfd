"""Build a service's FastAPI app around its runtime: middleware, errors, health, metrics, static."""

from __future__ import annotations

import gc
import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import URL, URLPath
from starlette.exceptions import HTTPException
from starlette.routing import Router
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.platform.auth.session import CookieSigner
from shared.platform.errors import InvalidToken, Unauthenticated
from shared.platform.observability.logging import configure_logging
from shared.platform.runtime import ServiceRuntime
from shared.platform.web.middleware import SpineMiddleware
from shared.platform.web.portal import portal_router
from shared.platform.web.problems import install_error_handlers
from shared.platform.web.templating import Templates

STATIC_DIR = Path(__file__).parent / "static"


def create_service_app(
    runtime: ServiceRuntime,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    templates_dir: Path | None,
    upload_paths: tuple[str, ...] = (),
) -> FastAPI:
    """`upload_paths`: path segments whose multipart bodies may be up to `max_upload_bytes`."""
    settings = runtime.settings
    configure_logging(level=settings.log_level, json=settings.log_json)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        # Closable in the distributed mode (SP_<SERVICE>_EXPOSE_DOCS): closed, both answer 404.
        openapi_url="/openapi.json" if settings.docs_open() else None,
        docs_url="/api/docs" if settings.docs_open() else None,
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.auth = runtime.auth
    links = {
        "soknad": "/soknad",
        "vurdering": "/vurdering",
        "beslutning": "/beslutning",
        "oversikt": "/oversikt",
        "integrasjon": "/integrasjon",
        "logout": "/logg-ut",
        **settings.links,
    }
    app.state.templates = Templates(templates_dir, service=runtime.name, links=links)
    app.add_middleware(
        SpineMiddleware,
        signer=CookieSigner(settings.session_secret.get_secret_value()),
        metrics=runtime.metrics,
        max_body_bytes=settings.max_body_bytes,
        secure_cookies=settings.secure_cookies,
        upload_paths=upload_paths,
        max_upload_bytes=settings.max_upload_bytes,
    )
    app.add_middleware(OwnRouter, router=app.router, base_url=settings.base_url)
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/health/live", tags=["drift"], summary="The process is alive")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/health/ready", tags=["drift"], summary="Database, migrations, bus and consumers are ready")
    async def ready() -> Response:
        problems = await runtime.readiness()
        if problems:
            return JSONResponse({"status": "ikke klar", "problemer": problems}, status_code=503)
        return JSONResponse({"status": "klar"})

    metrics_token = settings.metrics_token.get_secret_value()
    metrics_open = settings.metrics_open()

    @app.get("/metrics", tags=["drift"], summary="Prometheus metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        if not metrics_open:
            if not metrics_token:
                raise HTTPException(404)  # closed (SP_<SERVICE>_EXPOSE_METRICS=false, no token)
            check_metrics_token(request.headers.get("authorization", ""), metrics_token)
        return Response(runtime.metrics.render(), media_type="text/plain; version=0.0.4")

    for router in routers:
        app.include_router(router)
    return app


def check_metrics_token(authorization: str, expected: str) -> None:
    """Prometheus sends `Authorization: Bearer <token>`; anything else is a 401."""
    scheme, _, supplied = authorization.partition(" ")
    if not authorization:
        raise Unauthenticated("Måledataene krever et tilgangsbevis.")
    if scheme.lower() != "bearer" or not secrets.compare_digest(supplied.strip().encode(), expected.encode()):
        raise InvalidToken("Tilgangsbeviset gir ikke tilgang til måledataene.")


class _LinkPath(URLPath):
    """A route's path that becomes a link without the request's `Host` header.

    `request.url_for` makes a URL absolute from the request's scheme and `Host` header, which anyone
    can forge. With a configured base URL the link starts with it; without one it stays relative to
    the site's root (`/soknad/s/…`), which every browser resolves against the address it is on."""

    origin: str = ""

    def make_absolute_url(self, base_url: str | URL) -> URL:
        root = URL(str(base_url)).path.rstrip("/")
        return URL(f"{self.origin}{root}{self}")


class _LinkRouter:
    """The router in the scope for `url_for`: the service's own, with `_LinkPath` answers."""

    def __init__(self, router: Router, origin: str):
        self._router = router
        self._origin = origin

    def url_path_for(self, name: str, /, **path_params: object) -> URLPath:
        path = self._router.url_path_for(name, **path_params)
        link = _LinkPath(str(path), protocol=path.protocol, host=path.host)
        link.origin = self._origin
        return link

    def __getattr__(self, name: str) -> object:
        return getattr(self._router, name)


class OwnRouter:
    """Make `request.url_for` resolve names in this service, not in the app it is mounted in.

    Starlette keeps the outermost router in the scope, so in the embedded default two services with a
    route of the same name (`sak_side`) would link into each other. The links it makes come from the
    configured base URL (`SP_<SERVICE>_BASE_URL`) or are root-relative, never from the `Host` header."""

    def __init__(self, app: ASGIApp, *, router: Router, base_url: str = ""):
        self.app = app
        self.router = _LinkRouter(router, base_url.rstrip("/"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["router"] = self.router
        # URLs are built from `app_root_path`; for this router that is the mount point (`/soknad`).
        scope["app_root_path"] = scope.get("root_path", "")
        await self.app(scope, receive, send)


class Gateway(FastAPI):
    """The app a process serves: the portal (demo login, static files) with the services mounted in it.

    A request under a service's prefix goes straight to that service: through the mount it would pass
    the portal's middleware and router first, which do nothing for it and cost about a twentieth of an
    autosave's CPU. Everything else (the portal's pages, `/soknad` without its slash, the lifespan)
    takes the normal way."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.services: list[tuple[str, str, ASGIApp]] = []

    def mount_service(self, prefix: str, app: ASGIApp) -> None:
        self.mount(prefix, app)
        self.services.append((prefix + "/", prefix, app))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            for with_slash, prefix, app in self.services:
                if path.startswith(with_slash):
                    # What the mount would have set (starlette.routing.Mount.matches).
                    root_path = scope.get("root_path", "")
                    scope["app_root_path"] = scope.get("app_root_path", root_path)
                    scope["root_path"] = root_path + prefix
                    await app(scope, receive, send)
                    return
        await super().__call__(scope, receive, send)


def standalone(app: FastAPI, prefix: str) -> FastAPI:
    """Serve one service at `/<prefix>` in its own process, so URLs match the embedded default."""

    @asynccontextmanager
    async def lifespan(_parent: FastAPI) -> AsyncIterator[None]:
        async with app.router.lifespan_context(app):
            yield

    parent = Gateway(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    runtime: ServiceRuntime = app.state.runtime
    settings = runtime.settings
    if settings.auth_mode == "demo":
        # Demo login per process; in production the identity provider (HelseID) does this.
        signer = CookieSigner(settings.session_secret.get_secret_value())
        templates: Templates = app.state.templates
        parent.state.templates = templates
        parent.add_middleware(
            SpineMiddleware,
            signer=signer,
            metrics=runtime.metrics,
            max_body_bytes=100_000,
            secure_cookies=settings.secure_cookies,
            # The service has its own: twice would log twice and set two different CSRF cookies.
            skip_prefixes=(f"/{prefix}/",),
        )
        install_error_handlers(parent)
        parent.include_router(
            portal_router(
                signer=signer,
                templates=templates,
                katalog=runtime.katalog,
                secure_cookies=settings.secure_cookies,
            )
        )
        parent.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    else:

        @parent.get("/", include_in_schema=False)
        async def root(_request: Request) -> Response:
            return RedirectResponse(f"/{prefix}/", status_code=307)

    parent.mount_service(f"/{prefix}", app)
    return freeze_heap_after_startup(parent)


def freeze_heap_after_startup(app: FastAPI) -> FastAPI:
    """For a server process: once started, hide what start-up built from the garbage collector.

    A full collection walks every object the collector tracks, and start-up makes most of them (modules,
    routes, models, mappers, templates) to live as long as the process. In the embedded default each full
    collection stalled the event loop 110-125 ms, several times a minute: every request in flight waited,
    and autosave's p99 with it. Frozen, they are no longer walked (a full collection then takes ~1 ms)."""
    started = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app_: Any) -> AsyncIterator[Any]:
        async with started(app_) as state:
            gc.collect()
            gc.freeze()
            yield state

    app.router.lifespan_context = lifespan
    return app
