"""The start page with the demo login (embedded default, and standalone services in demo mode)."""

from __future__ import annotations

import secrets
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from shared.domain.trusts import hf_navn
from shared.platform.auth.principal import ROLE_LABELS, Principal, Role
from shared.platform.auth.session import (
    CSRF_COOKIE,
    CSRF_FIELD,
    SESSION_COOKIE,
    SESSION_MAX_AGE_S,
    CookieSigner,
)
from shared.platform.errors import Forbidden
from shared.platform.katalog import Katalog
from shared.platform.web.templating import Templates

FAVICON = Path(__file__).parent / "static" / "favicon.ico"


def local_path(value: object) -> str | None:
    """`value` if it is a path on this site (`/…`), else None: `//host`, `/\\host` and schemes would send
    the browser elsewhere after the login (an open redirect)."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith(("//", "/\\")):
        return None
    if len(value) > 2000 or any(c in value for c in "\r\n\\"):
        return None
    return value


def home_for(p: Principal, links: dict[str, str]) -> str:

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


def portal_router(
    *, signer: CookieSigner, templates: Templates, katalog: Katalog, secure_cookies: bool = False
) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    async def current(request: Request) -> Principal | None:
        session_id = signer.read_session(request.cookies.get(SESSION_COOKIE))
        person = await katalog.session_person(session_id) if session_id else None
        return person.principal() if person is not None else None

    def csrf_matches(request: Request, supplied: object) -> bool:
        expected = getattr(request.state, "csrf_token", None)
        if not isinstance(supplied, str) or not isinstance(expected, str) or not expected:
            return False
        return secrets.compare_digest(supplied.encode(), expected.encode())

    def rotate_csrf(response: Response) -> None:
        # A token an attacker planted or read before the login is worth nothing after it.
        _token, cookie = signer.new_csrf()
        response.set_cookie(
            CSRF_COOKIE, cookie, httponly=True, samesite="strict", secure=secure_cookies, path="/"
        )

    # HEAD too: uptime checks and `curl -I` ask the start page with HEAD (the server sends no body).
    @router.api_route("/", methods=["GET", "HEAD"])
    async def start(request: Request) -> Response:
        user = await current(request)
        request.state.principal = user
        trusts: dict[str, list[tuple[str, str, str]]] = {}
        for p in await katalog.innloggbare():
            role = next(r for r in Role if r in p.roller)
            trusts.setdefault(p.hf, []).append((p.user_id, p.navn, ROLE_LABELS[role]))
        neste = local_path(request.query_params.get("neste"))
        return templates.render(
            request, "start.html", {"trusts": trusts, "hf_navn": hf_navn, "bruker": user, "neste": neste}
        )

    # Browsers ask every site for /favicon.ico; without it each page logged a 404.
    @router.api_route("/favicon.ico", methods=["GET", "HEAD"])
    async def favicon() -> Response:
        return FileResponse(FAVICON, media_type="image/x-icon", headers={"Cache-Control": "max-age=86400"})

    @router.post("/logg-inn")
    async def login(request: Request) -> Response:
        form = await request.form()
        user_id = form.get("bruker")
        if not csrf_matches(request, form.get(CSRF_FIELD)) or not isinstance(user_id, str):
            return RedirectResponse("/", status_code=303)
        person = await katalog.person(user_id)
        if person is None or not person.aktiv or not person.roller:
            return RedirectResponse("/", status_code=303)
        old = signer.read_session(request.cookies.get(SESSION_COOKIE))
        if old:
            await katalog.revoke_session(old)
        session_id = await katalog.open_session(user_id)
        # Back to the page that sent the person to log in (e.g. a consultant's invitation link), never
        # to another site.
        target = local_path(form.get("neste")) or home_for(person.principal(), templates.links)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            signer.sign_session(session_id),
            max_age=SESSION_MAX_AGE_S,
            httponly=True,
            samesite="lax",
            secure=secure_cookies,
            path="/",
        )
        rotate_csrf(response)
        return response

    @router.post("/logg-ut")
    async def logout(request: Request) -> Response:
        form = await request.form()
        if not csrf_matches(request, form.get(CSRF_FIELD)):
            # A cross-site form must not be able to log anyone out.
            raise Forbidden(
                "Skjemaet er utløpt eller kom fra et annet nettsted. Last siden på nytt og prøv igjen."
            )
        session_id = signer.read_session(request.cookies.get(SESSION_COOKIE))
        if session_id:
            await katalog.revoke_session(session_id)
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        rotate_csrf(response)
        return response

    return router
