"""Run a service app's lifespan in a test and talk to it as a demo user."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from shared.platform.auth.session import CSRF_COOKIE, SESSION_COOKIE, CookieSigner

DEMO_SECRET = "demo-only-session-secret-not-for-production"
SIGNER = CookieSigner(DEMO_SECRET)


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[FastAPI]:
    async with app.router.lifespan_context(app):
        runtime = getattr(app.state, "runtime", None)
        if runtime is not None:
            await runtime.wait_until_ready()
        yield app


class DemoClient(httpx.AsyncClient):
    """An httpx client logged in as a demo user, sending the CSRF header on unsafe requests."""

    def __init__(self, app: FastAPI, user_id: str, *, base_url: str = "http://test"):
        super().__init__(transport=httpx.ASGITransport(app=app), base_url=base_url)
        self.login(user_id)

    def login(self, user_id: str) -> None:
        self.cookies.set(SESSION_COOKIE, SIGNER.sign_session(user_id))

    async def csrf(self) -> str:
        if CSRF_COOKIE not in self.cookies:
            await self.get("/health/live")
        token = SIGNER.read_csrf(self.cookies.get(CSRF_COOKIE))
        assert token
        return token

    async def send_json(self, method: str, url: str, json: object | None = None) -> httpx.Response:
        return await self.request(method, url, json=json, headers={"x-csrf-token": await self.csrf()})
