"""The embedded default's root: `HEAD /` answers like `GET /`, and `/favicon.ico` is served (browsers ask
every site for it; each page logged a 404 before)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from embedded.app import create_app
from embedded.settings import EmbeddedSettings
from tests.support.apps import running

FAVICON = Path(__file__).resolve().parents[2] / "shared" / "platform" / "web" / "static" / "favicon.ico"


@pytest_asyncio.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    # Running: the start page lists the demo users from the trust's directory.
    app = create_app(EmbeddedSettings(data_dir=tmp_path, seed_demo_data=False))
    async with running(app):
        yield httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_head_on_the_start_page_answers_200_like_get(client: httpx.AsyncClient) -> None:
    async with client:
        get = await client.get("/")
        head = await client.head("/")
    assert get.status_code == 200
    assert head.status_code == 200
    assert head.headers["content-type"] == get.headers["content-type"]


async def test_favicon_is_served_as_an_icon(client: httpx.AsyncClient) -> None:
    async with client:
        r = await client.get("/favicon.ico")
        head = await client.head("/favicon.ico")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/x-icon"
    assert r.content == FAVICON.read_bytes()
    # An ICO header (reserved 0, type 1) with at least one image.
    assert r.content[:4] == b"\x00\x00\x01\x00" and r.content[4] >= 1
    assert head.status_code == 200


async def _login(client: httpx.AsyncClient, neste: str) -> httpx.Response:
    page = await client.get("/", params={"neste": neste})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    form = {"csrf_token": token.group(1), "bruker": "hbe-komite"}
    if 'name="neste"' in page.text:
        form["neste"] = re.search(r'name="neste" value="([^"]*)"', page.text).group(1)  # type: ignore[union-attr]
    return await client.post("/logg-inn", data=form)


async def test_the_login_returns_to_the_page_that_asked_for_it(client: httpx.AsyncClient) -> None:
    # A consultant's invitation link sends them to log in first; afterwards they land on the link again.
    async with client:
        r = await _login(client, "/vurdering/konsultasjon/abc?x=1")
    assert r.status_code == 303
    assert r.headers["location"] == "/vurdering/konsultasjon/abc?x=1"


@pytest.mark.parametrize(
    "neste", ["//evil.example/x", "/\\evil.example", "https://evil.example/", "vurdering/x"]
)
async def test_the_login_never_returns_to_another_site(client: httpx.AsyncClient, neste: str) -> None:
    async with client:
        r = await _login(client, neste)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/") and not r.headers["location"].startswith(("//", "/\\"))
    assert "evil" not in r.headers["location"]
