"""Server-side sessions of the demo login: logout revokes the session, so a replayed cookie is refused;
logout needs the CSRF token; the CSRF token changes at login; a signed cookie names a session, not a
user, so the signing secret alone does not log anyone in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest_asyncio
from fastapi import FastAPI

from shared.platform.auth.session import CSRF_COOKIE, SESSION_COOKIE
from shared.platform.bus.memory import MemoryBus
from shared.platform.web.app import standalone
from soknad.app import create_app
from soknad.settings import SoknadSettings
from tests.support.apps import SIGNER, login_over_http, running

HTML = {"accept": "text/html"}


@pytest_asyncio.fixture
async def server(tmp_path: Path) -> AsyncIterator[FastAPI]:
    """soknad as its own process serves it: the start page with the demo login, the service under /soknad."""
    bus = MemoryBus()
    await bus.connect()
    soknad = create_app(SoknadSettings(data_dir=tmp_path, log_json=False), bus=bus)
    async with running(standalone(soknad, "soknad")) as app:
        await soknad.state.runtime.wait_until_ready()
        app.state.katalog = soknad.state.runtime.katalog
        yield app
    await bus.close()


def browser(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://portal")


def csrf(client: httpx.AsyncClient) -> str:
    token = SIGNER.read_csrf(client.cookies.get(CSRF_COOKIE))
    assert token
    return token


async def test_a_session_cookie_replayed_after_logout_is_refused(server: FastAPI) -> None:
    async with browser(server) as c:
        await login_over_http(c, "hbe-soker")
        stolen = c.cookies[SESSION_COOKIE]
        assert (await c.get("/soknad/api/soknader")).status_code == 200
        r = await c.post("/logg-ut", data={"csrf_token": csrf(c)})
        assert r.status_code == 303 and r.headers["location"] == "/"
        assert SESSION_COOKIE not in c.cookies
    async with browser(server) as attacker:
        attacker.cookies.set(SESSION_COOKIE, stolen)
        r = await attacker.get("/soknad/api/soknader")
        assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
        page = await attacker.get("/soknad/", headers=HTML)
        assert page.status_code == 303 and page.headers["location"] == "/"


async def test_logout_without_the_csrf_token_is_refused_and_the_session_lives_on(server: FastAPI) -> None:
    async with browser(server) as c:
        await login_over_http(c, "hbe-soker")
        for data in ({}, {"csrf_token": "feil"}):
            r = await c.post("/logg-ut", data=data, headers=HTML)
            assert r.status_code == 403
            assert "Skjemaet er utløpt eller kom fra et annet nettsted" in r.text
        assert (await c.get("/logg-ut")).status_code == 405  # never on GET
        assert (await c.get("/soknad/api/soknader")).status_code == 200


async def test_the_csrf_token_changes_at_login_and_the_old_one_stops_working(server: FastAPI) -> None:
    async with browser(server) as c:
        await c.get("/")
        before = csrf(c)
        await login_over_http(c, "hbe-soker")
        after = csrf(c)
        assert after != before
        draft = {"type": "enkeltpasient", "kategori": "off_label", "enhet": "HBE-NEVRO", "innhold": {}}
        r = await c.post("/soknad/api/soknader", json=draft, headers={"x-csrf-token": before})
        assert r.status_code == 403
        r = await c.post("/soknad/api/soknader", json=draft, headers={"x-csrf-token": after})
        assert r.status_code == 201, r.text
        # Logging in as someone else on the same browser ends the first session.
        first = c.cookies[SESSION_COOKIE]
        await login_over_http(c, "hbe-soker2")
        assert c.cookies[SESSION_COOKIE] != first
    async with browser(server) as replay:
        replay.cookies.set(SESSION_COOKIE, first)
        assert (await replay.get("/soknad/api/soknader")).status_code == 401


async def test_a_signed_cookie_that_names_a_user_instead_of_a_session_logs_nobody_in(server: FastAPI) -> None:
    async with browser(server) as c:
        # What the cookie held before sessions were stored: with the signing secret, anyone could mint it.
        c.cookies.set(SESSION_COOKIE, SIGNER.sign_session("hbe-admin"))
        assert (await c.get("/soknad/api/soknader")).status_code == 401


async def test_login_refuses_unknown_and_deactivated_people(server: FastAPI) -> None:
    katalog = server.state.katalog
    async with browser(server) as c:
        await c.get("/")
        r = await c.post("/logg-inn", data={"bruker": "finnes-ikke", "csrf_token": csrf(c)})
        assert r.headers["location"] == "/" and SESSION_COOKIE not in c.cookies
        admin = await katalog.person("hbe-admin")
        await katalog.deaktiver(admin.principal(), user_id="hbe-soker2")
        r = await c.post("/logg-inn", data={"bruker": "hbe-soker2", "csrf_token": csrf(c)})
        assert r.headers["location"] == "/" and SESSION_COOKIE not in c.cookies
        start = await c.get("/")
        assert 'data-bruker="hbe-soker2"' not in start.text and 'data-bruker="hbe-soker"' in start.text
