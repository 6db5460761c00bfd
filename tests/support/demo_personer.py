"""People of the embedded default's demo in a browser test: each in a browser context of their own, logged
in with the demo login on the start page, or as a JSON API client logged in the same way."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.async_api import Browser, BrowserContext, Locator, Page, expect

from shared.platform.auth.session import CSRF_COOKIE
from tests.support.apps import SIGNER, login_over_http
from tests.support.embedded_server import EmbeddedServer
from tests.support.waiting import wait_until


class Api(httpx.AsyncClient):
    """A person acting through the JSON API, logged in through the start page on the first request."""

    def __init__(self, server: EmbeddedServer, user_id: str):
        super().__init__(base_url=server.url, timeout=10)
        self._pending_login: str | None = user_id

    async def request(self, method: str, url: httpx.URL | str, **kwargs: Any) -> httpx.Response:
        if self._pending_login is not None:
            user_id, self._pending_login = self._pending_login, None
            await login_over_http(self, user_id)
        return await super().request(method, url, **kwargs)

    async def json_request(
        self, method: str, url: str, body: Any = None, *, ok: bool = True
    ) -> httpx.Response:
        """A JSON request with the CSRF token; with `ok`, one that must succeed."""
        if CSRF_COOKIE not in self.cookies:
            await self.get("/soknad/health/live")
        token = SIGNER.read_csrf(self.cookies.get(CSRF_COOKIE)) or ""
        r = await self.request(method, url, json=body, headers={"x-csrf-token": token})
        if ok:
            assert r.status_code < 400, f"{method} {url}: {r.status_code} {r.text}"
        return r

    async def call(self, method: str, url: str, body: Any = None) -> Any:
        """The JSON answer of a request that must succeed."""
        return (await self.json_request(method, url, body)).json()


async def person(
    browser: Browser, server: EmbeddedServer, user_id: str, *, timeout_ms: float = 15_000
) -> tuple[BrowserContext, Page]:
    """A person on their own device: a browser context of their own, logged in with the demo login."""
    context = await browser.new_context(locale="nb-NO")
    page = await context.new_page()
    page.set_default_timeout(timeout_ms)
    await page.goto(server.url + "/")
    await page.locator(f"button[data-bruker='{user_id}']").click()
    await expect(page.get_by_role("button", name="Logg ut")).to_be_visible()
    return context, page


async def reload_until_visible(page: Page, locator: Locator, within_s: float = 20) -> None:
    """For what an event consumer writes after the request that caused it: reload until it shows."""

    async def shown() -> bool:
        if await locator.count() and await locator.first.is_visible():
            return True
        await page.reload()
        return False

    await wait_until(shown, timeout=within_s, interval=0.3)
