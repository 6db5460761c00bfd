"""Run a service app's lifespan in a test and talk to it as a demo user (a session in its directory)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from shared.platform.auth.session import CSRF_COOKIE, SESSION_COOKIE, CookieSigner
from shared.platform.katalog import Katalog

DEMO_SECRET = "demo-only-session-secret-not-for-production"
SIGNER = CookieSigner(DEMO_SECRET)


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[FastAPI]:
    async with app.router.lifespan_context(app):
        runtime = getattr(app.state, "runtime", None)
        if runtime is not None:
            await runtime.wait_until_ready()
        yield app


def katalog_of(app: FastAPI) -> Katalog:
    """The directory a service app (or the embedded default's root) authenticates against."""
    runtime = getattr(app.state, "runtime", None)
    if runtime is not None:
        katalog: Katalog = runtime.katalog
        return katalog
    if hasattr(app.state, "katalog"):
        katalog = app.state.katalog
        return katalog
    # A standalone service: the demo login's parent app with the service mounted in it.
    for _prefix, _path, service in getattr(app, "services", []):
        return katalog_of(service)
    raise LookupError("no directory in this app")


async def session_cookie(app: FastAPI, user_id: str) -> str:
    """A session cookie as the demo login would set it: a session opened in the app's directory."""
    return SIGNER.sign_session(await katalog_of(app).open_session(user_id))


async def login_over_http(client: httpx.AsyncClient, user_id: str) -> httpx.Response:
    """Log in through the start page's form, as a browser does (for services in other processes). The
    form is at the root of the origin, whatever path the client's base URL has."""
    origin = f"{client.base_url.scheme}://{client.base_url.netloc.decode()}"
    if CSRF_COOKIE not in client.cookies:
        await client.get(f"{origin}/")
    token = SIGNER.read_csrf(client.cookies.get(CSRF_COOKIE)) or ""
    response = await client.post(f"{origin}/logg-inn", data={"bruker": user_id, "csrf_token": token})
    assert response.status_code == 303 and response.headers["location"] != "/", f"login as {user_id} failed"
    return response


class DemoClient(httpx.AsyncClient):
    """An httpx client logged in as a demo user, sending the CSRF header on unsafe requests.

    The session is opened in the app's directory on the first request (the app must be running)."""

    def __init__(self, app: FastAPI, user_id: str, *, base_url: str = "http://test"):
        super().__init__(transport=httpx.ASGITransport(app=app), base_url=base_url)
        self.app = app
        self.login(user_id)

    def login(self, user_id: str) -> None:
        self.cookies.delete(SESSION_COOKIE)
        self._pending_login: str | None = user_id

    async def request(self, method: str, url: httpx.URL | str, **kwargs: Any) -> httpx.Response:
        if self._pending_login is not None:
            user_id, self._pending_login = self._pending_login, None
            self.cookies.set(SESSION_COOKIE, await session_cookie(self.app, user_id))
        return await super().request(method, url, **kwargs)

    async def csrf(self) -> str:
        if CSRF_COOKIE not in self.cookies:
            await self.get("/health/live")
        token = SIGNER.read_csrf(self.cookies.get(CSRF_COOKIE))
        assert token
        return token

    async def send_json(self, method: str, url: str, json: object | None = None) -> httpx.Response:
        return await self.request(method, url, json=json, headers={"x-csrf-token": await self.csrf()})
