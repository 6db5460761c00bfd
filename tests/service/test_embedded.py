"""The embedded default as `make run` starts it: five services in one app, demo login, demo data."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import text

from embedded.app import create_app
from embedded.historikk import RADER_PER_AR
from embedded.settings import EmbeddedSettings
from shared.domain.kalender import oslo_date
from shared.events.envelope import Envelope
from shared.platform.auth.session import CSRF_COOKIE, SESSION_COOKIE
from shared.platform.bus.base import Message, Subscription
from tests.support.apps import SIGNER, session_cookie


@pytest_asyncio.fixture
async def portal(tmp_path: Path) -> AsyncIterator[FastAPI]:
    app = create_app(EmbeddedSettings(data_dir=tmp_path, seed_demo_data=True, bus_retry_delays_s=(0.05, 0.2)))
    async with app.router.lifespan_context(app):
        yield app


def client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://portal")


async def test_start_page_lists_one_user_per_role_in_two_trusts(portal: FastAPI) -> None:
    async with client(portal) as c:
        page = (await c.get("/")).text
    users = set(re.findall(r'data-bruker="([a-z0-9-]+)"', page))
    for hf in ("hbe", "ous"):
        for role in ("soker", "leder", "komite", "fagdirektor", "controller", "nasjonal", "admin"):
            assert f"{hf}-{role}" in users


async def test_demo_login_sets_a_safe_cookie_and_lands_on_the_role_page(portal: FastAPI) -> None:
    async with client(portal) as c:
        await c.get("/")
        token = SIGNER.read_csrf(c.cookies[CSRF_COOKIE])
        r = await c.post("/logg-inn", data={"bruker": "hbe-komite", "csrf_token": token or ""})
        assert r.status_code == 303 and r.headers["location"] == "/vurdering/"
        cookie = r.headers["set-cookie"]
        assert SESSION_COOKIE in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert (await c.get("/vurdering/")).status_code == 200
        forged = await c.post("/logg-inn", data={"bruker": "hbe-admin", "csrf_token": "feil"})
        assert forged.headers["location"] == "/"


@pytest.mark.parametrize(
    ("user", "page", "link"),
    [
        ("hbe-soker", "/soknad/", "/soknad/s/"),
        ("hbe-komite", "/vurdering/", "/vurdering/sak/"),
        ("hbe-fagdirektor", "/beslutning/", "/beslutning/sak/"),
    ],
)
async def test_seeded_cases_are_listed_and_links_stay_in_their_service(
    portal: FastAPI, user: str, page: str, link: str
) -> None:
    async with client(portal) as c:
        c.cookies.set(SESSION_COOKIE, await session_cookie(portal, user))
        html = (await c.get(page)).text
        links = [h for h in re.findall(r'href="([^"]+)"', html) if link in h]
        assert links, f"no case links on {page}"
        for href in links[:2]:
            r = await c.get(href)
            assert r.status_code == 200, href


async def test_the_national_overview_withholds_the_demo_cases_as_too_rare(portal: FastAPI) -> None:
    # Two demo cases per trust, each alone on age band × sex × ICD-10 × trust × month: no national row may
    # single out a patient (k = 3), so the overview counts them and shows none (oversikt/kanonymitet.py).
    # This year's: the earlier years' post-registered history (embedded/historikk.py) is shown, generalised.
    this_year = oslo_date(datetime.now(UTC)).year
    async with client(portal) as c:
        c.cookies.set(SESSION_COOKIE, await session_cookie(portal, "hbe-nasjonal"))
        html = (await c.get("/oversikt/", params={"fra": f"{this_year}-01"})).text
        assert "vises ikke" in html and "/oversikt/sak/" not in html
        assert (await c.get("/oversikt/variasjon")).status_code == 200


async def test_every_service_is_ready_and_serves_openapi(portal: FastAPI) -> None:
    async with client(portal) as c:
        for service in ("soknad", "vurdering", "beslutning", "oversikt", "integrasjon"):
            assert (await c.get(f"/{service}/health/ready")).json() == {"status": "klar"}
            assert (
                (await c.get(f"/{service}/openapi.json"))
                .json()["info"]["title"]
                .startswith("Søknadsportalen")
            )


async def test_a_handler_cancelled_at_stop_leaves_no_connection_open(tmp_path: Path) -> None:
    """Ctrl-C while a consumer works: the shared bus closes after the services' lifespans, so a handler
    cancelled then still touches its service's database; nothing may stay open for the garbage
    collector to close after the event loop is gone (it logs a traceback on the console)."""
    app = create_app(EmbeddedSettings(data_dir=tmp_path, seed_demo_data=False))
    engine = app.state.services["soknad"].state.runtime.engine
    started = asyncio.Event()
    touched: list[int] = []

    async def slow_handler(_message: Message) -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        finally:
            async with engine.connect() as conn:
                touched.append((await conn.execute(text("SELECT 1"))).scalar_one())

    async with app.router.lifespan_context(app):
        bus = app.state.bus
        sub = Subscription(
            consumer="test",
            handler_name="slow",
            exchange="test.events",
            event_type="probe",
            handler=slow_handler,
        )
        await bus.declare_exchange(sub.exchange)
        await bus.subscribe(sub)
        probe = Envelope(
            source="/hf/hbe/test", type="probe", hf="hbe", correlationid="c-1", subject="s", data={}
        )
        await bus.publish(probe, exchange=sub.exchange)
        await asyncio.wait_for(started.wait(), 10)
    assert touched == [1]
    pool = engine.pool
    assert pool.checkedout() == 0 and pool.checkedin() == 0, pool.status()


async def test_the_demo_has_whole_earlier_years_for_the_public_page(portal: FastAPI) -> None:
    """Two earlier years of post-registered decisions per trust (embedded/historikk.py): the public page,
    which publishes a year once it is over (from 1 March the year after), has one to show."""
    today = oslo_date(datetime.now(UTC))
    newest = today.year - 1 if (today.month, today.day) >= (3, 1) else today.year - 2
    # At once: the seed waits until the overview has the history, or this first reading would fix the
    # year's release without it.
    async with client(portal) as c:
        data = (await c.get("/oversikt/api/offentlig")).json()
    assert data["ar"] == str(newest)
    tables = {t["id"]: t for t in data["tabeller"]}
    total = next(r for r in tables["helseforetak"]["rader"] if r["nokkel"] == "totalt")
    assert total["totalt"] == 2 * RADER_PER_AR
