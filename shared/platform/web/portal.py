"""The start page with the demo login (embedded default, and standalone services in demo mode)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from shared.domain.trusts import hf_navn
from shared.platform.auth.demo import DEMO_USERS
from shared.platform.auth.principal import ROLE_LABELS, Role
from shared.platform.auth.session import CSRF_FIELD, SESSION_COOKIE, SESSION_MAX_AGE_S, CookieSigner
from shared.platform.web.templating import Templates

FAVICON = Path(__file__).parent / "static" / "favicon.ico"


def home_for(user_id: str, links: dict[str, str]) -> str:
    p = DEMO_USERS[user_id]

    def link(service: str) -> str:
        return links.get(service, f"/{service}")

    if p.has(Role.SOKER):
        return link("soknad") + "/"
    if p.has(Role.LEDER):
        return link("soknad") + "/forankring"
    if p.has(Role.KOMITE):
        return link("vurdering") + "/"
    if p.has(Role.FAGDIREKTOR, Role.CONTROLLER):
        return link("beslutning") + "/"
    if p.has(Role.PERSONVERN):
        return link("soknad") + "/personvern"
    if p.has(Role.ADMIN):
        return link("soknad") + "/admin/hjelpetekster"
    return link("oversikt") + "/"


def portal_router(*, signer: CookieSigner, templates: Templates, secure_cookies: bool = False) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    # HEAD too: uptime checks and `curl -I` ask the start page with HEAD (the server sends no body).
    @router.api_route("/", methods=["GET", "HEAD"])
    async def start(request: Request) -> Response:
        user = DEMO_USERS.get(signer.read_session(request.cookies.get(SESSION_COOKIE)) or "")
        request.state.principal = user
        trusts: dict[str, list[tuple[str, str, str]]] = {}
        for user_id, p in DEMO_USERS.items():
            trusts.setdefault(p.hf, []).append((user_id, p.name, ROLE_LABELS[next(iter(p.roles))]))
        return templates.render(request, "start.html", {"trusts": trusts, "hf_navn": hf_navn, "bruker": user})

    # Browsers ask every site for /favicon.ico; without it each page logged a 404.
    @router.api_route("/favicon.ico", methods=["GET", "HEAD"])
    async def favicon() -> Response:
        return FileResponse(FAVICON, media_type="image/x-icon", headers={"Cache-Control": "max-age=86400"})

    @router.post("/logg-inn")
    async def login(request: Request) -> Response:
        form = await request.form()
        user_id = form.get("bruker")
        if (
            form.get(CSRF_FIELD) != getattr(request.state, "csrf_token", None)
            or not isinstance(user_id, str)
            or user_id not in DEMO_USERS
        ):
            return RedirectResponse("/", status_code=303)
        response = RedirectResponse(home_for(user_id, templates.links), status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            signer.sign_session(user_id),
            max_age=SESSION_MAX_AGE_S,
            httponly=True,
            samesite="lax",
            secure=secure_cookies,
            path="/",
        )
        return response

    @router.post("/logg-ut")
    async def logout() -> Response:
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    return router
