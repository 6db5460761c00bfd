"""A service in its own process (`create_standalone_app`): the demo portal around it, one middleware."""

from __future__ import annotations

import gc
import re
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
from tests.support.apps import SIGNER, running, session_cookie


@pytest_asyncio.fixture
async def app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    gc.unfreeze()
    bus = MemoryBus()
    await bus.connect()
    settings = SoknadSettings(data_dir=tmp_path, log_json=False)
    async with running(standalone(create_app(settings, bus=bus), "soknad")) as app:
        yield app
    await bus.close()


async def test_the_first_page_sets_one_csrf_cookie_and_its_form_token_is_accepted(app: FastAPI) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        client.cookies.set(SESSION_COOKIE, await session_cookie(app, "hbe-soker"))
        page = await client.get("/soknad/")
        assert page.status_code == 200
        set_cookies = [c for c in page.headers.get_list("set-cookie") if c.startswith(CSRF_COOKIE + "=")]
        assert len(set_cookies) == 1
        form_token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert form_token is not None
        assert SIGNER.read_csrf(client.cookies[CSRF_COOKIE]) == form_token.group(1)

        created = await client.post(
            "/soknad/api/soknader",
            json={"type": "enkeltpasient", "kategori": "off_label", "enhet": "HBE-NEVRO"},
            headers={"x-csrf-token": form_token.group(1)},
        )
        assert created.status_code == 201, created.text


async def test_once_started_the_heap_built_at_start_up_is_frozen(app: FastAPI) -> None:
    # Full collections would otherwise walk every module, route and mapper, stalling every request.
    assert gc.get_freeze_count() > 0
