"""The precedent panel's national part: beslutning asks the real `oversikt` (in-process, sharing the
trust's directory) with the director's own session, and when `oversikt` cannot be reached the case page
says so in Norwegian and renders anyway."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest_asyncio

from beslutning.app import create_app as create_beslutning
from beslutning.settings import BeslutningSettings
from oversikt.app import create_app as create_oversikt
from oversikt.settings import OversiktSettings
from shared.platform.bus.memory import MemoryBus
from shared.platform.katalog import Katalog
from shared.platform.katalog.factory import create_katalog
from tests.service.test_beslutning_saksbehandling import HTML, Director, anchored
from tests.support.apps import DemoClient, running
from tests.support.embedded_server import free_port


@pytest_asyncio.fixture
async def katalog(tmp_path: Path) -> AsyncIterator[Katalog]:
    k = create_katalog(BeslutningSettings(data_dir=tmp_path, log_json=False))
    await k.start()
    yield k
    await k.close()


async def _director(tmp_path: Path, katalog: Katalog, oversikt: httpx.AsyncClient) -> AsyncIterator[Director]:
    bus = MemoryBus()
    await bus.connect()
    await bus.declare_exchange("soknad.events")
    settings = BeslutningSettings(data_dir=tmp_path / "b", log_json=False, outbox_poll_interval_s=0.05)
    async with running(create_beslutning(settings, bus=bus, personkatalog=katalog, oversikt=oversikt)) as app:
        yield Director(bus=bus, app=app)
    await bus.close()


async def test_the_national_part_comes_from_oversikt_with_the_directors_session(
    tmp_path: Path, katalog: Katalog
) -> None:
    bus = MemoryBus()
    await bus.connect()
    settings = OversiktSettings(data_dir=tmp_path / "o", log_json=False)
    async with running(create_oversikt(settings, bus=bus, personkatalog=katalog)) as oversikt_app:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=oversikt_app), base_url="http://in-process"
        )
        async for env in _director(tmp_path, katalog, client):
            _, sak_id = await anchored(env)
            async with DemoClient(env.app, "hbe-fagdirektor") as d:
                page = await d.get(f"/sak/{sak_id}", headers=HTML)
            assert page.status_code == 200
            panel = page.text.split('id="presedens"', 1)[1].split("</section>", 1)[0]
            assert "Ingen vedtak i andre helseforetak." in panel
            assert "svarer ikke" not in panel
    await bus.close()


async def test_an_unreachable_oversikt_is_a_note_and_the_page_still_renders(
    tmp_path: Path, katalog: Katalog
) -> None:
    client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{free_port()}", timeout=1.0)
    async for env in _director(tmp_path, katalog, client):
        _, sak_id = await anchored(env)
        async with DemoClient(env.app, "hbe-fagdirektor") as d:
            page = await d.get(f"/sak/{sak_id}", headers=HTML)
        assert page.status_code == 200
        assert "Den nasjonale oversikten svarer ikke nå." in page.text
        assert 'class="seksjonsmeny"' in page.text
