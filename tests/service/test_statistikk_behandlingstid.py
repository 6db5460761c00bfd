"""The trust's statistics page shows the processing time per step, which beslutning records; when
beslutning does not answer, the page says so and shows the rest."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest_asyncio
from fastapi import FastAPI

from embedded.app import create_app as create_embedded
from embedded.settings import EmbeddedSettings
from shared.platform.auth.session import SESSION_COOKIE
from shared.platform.bus.memory import MemoryBus
from soknad.app import create_app as create_soknad
from soknad.settings import SoknadSettings
from tests.support.apps import DemoClient, running, session_cookie

HTML = {"accept": "text/html"}


@pytest_asyncio.fixture
async def portal(tmp_path: Path) -> AsyncIterator[FastAPI]:
    app = create_embedded(
        EmbeddedSettings(data_dir=tmp_path, seed_demo_data=True, bus_retry_delays_s=(0.05, 0.2))
    )
    async with app.router.lifespan_context(app):
        yield app


async def test_processing_time_per_step_comes_from_beslutning(portal: FastAPI) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=portal), base_url="http://portal") as c:
        c.cookies.set(SESSION_COOKIE, await session_cookie(portal, "hbe-fagdirektor"))
        html = (await c.get("/soknad/statistikk", headers=HTML)).text
        c.cookies.set(SESSION_COOKIE, await session_cookie(portal, "hbe-komite"))
        committee = await c.get("/soknad/statistikk", headers=HTML)
    assert 'id="tabell-steg"' in html and "Beslutningstjenesten svarte ikke" not in html
    total = re.search(r"Fra forankret til vedtak, i alt</th><td class=\"tall\">(\d+)</td>", html)
    assert total is not None and int(total.group(1)) >= 1  # the demo's decided cases
    # The committee reads the trust's statistics too, and with it the time per step (counts only).
    assert committee.status_code == 200 and 'id="tabell-steg"' in committee.text


async def test_without_beslutning_the_page_says_so_and_shows_the_rest(tmp_path: Path) -> None:
    bus = MemoryBus()
    await bus.connect()
    app = create_soknad(SoknadSettings(data_dir=tmp_path, log_json=False), bus=bus)
    async with running(app), DemoClient(app, "hbe-fagdirektor") as direktor:
        page = await direktor.get("/statistikk", headers=HTML)
    await bus.close()
    assert page.status_code == 200
    assert "Beslutningstjenesten svarte ikke" in page.text and 'id="tabell-steg"' not in page.text
    assert 'id="tabell-behandlingstid"' in page.text  # the rest of the page is there
