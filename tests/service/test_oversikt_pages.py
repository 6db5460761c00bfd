"""The national overview in-process (SQLite, memory bus): a page number that is not a plain number is
a 4xx naming the field, on the API and on the page, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from fastapi import FastAPI

from oversikt.app import create_app
from oversikt.settings import OversiktSettings
from shared.platform.bus.memory import MemoryBus
from tests.support.apps import DemoClient, running

BAD_PAGES = ["²", "1" * 5_000, "0", "10001", "en"]


@pytest_asyncio.fixture
async def app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    bus = MemoryBus()
    await bus.connect()
    async with running(create_app(OversiktSettings(data_dir=tmp_path, log_json=False), bus=bus)) as app:
        yield app
    await bus.close()


@pytest.mark.parametrize("side", BAD_PAGES)
async def test_a_bad_page_number_on_the_api_is_a_422_naming_side(app: FastAPI, side: str) -> None:
    async with DemoClient(app, "hbe-nasjonal") as client:
        response = await client.get("/api/saker", params={"side": side})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in response.json()["errors"]] == ["side"]


@pytest.mark.parametrize("side", BAD_PAGES)
async def test_a_bad_page_number_on_the_page_is_a_422_that_says_so(app: FastAPI, side: str) -> None:
    async with DemoClient(app, "hbe-nasjonal") as client:
        page = await client.get("/", params={"side": side})
    assert page.status_code == 422
    # The number is in the address, not in a field: the message says so and links to nothing.
    assert "Sidetallet i adressen må være et helt tall fra 1 til" in page.text
    assert 'href="#felt-side"' not in page.text


async def test_a_good_page_number_still_pages(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-nasjonal") as client:
        response = await client.get("/api/saker", params={"side": "2"})
        page = await client.get("/", params={"side": "1"})
    assert response.status_code == 200 and response.json()["side"] == 2
    assert page.status_code == 200


async def test_a_status_filter_that_names_no_status_is_refused_in_norwegian(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-nasjonal") as client:
        response = await client.get("/api/saker", params={"status": "finnes_ikke"})
        page = await client.get("/", params={"status": "finnes_ikke"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["status"]
    assert page.status_code == 422 and "Velg en status fra listen." in page.text
