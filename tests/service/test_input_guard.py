"""Bodies a route must never see: a lone UTF-16 surrogate, invalid UTF-8, an unbounded chunked body."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from fastapi import FastAPI

from shared.platform.bus.memory import MemoryBus
from soknad.app import create_app
from soknad.settings import SoknadSettings
from tests.support.apps import DemoClient, running

PROBLEM = "application/problem+json"


@pytest_asyncio.fixture
async def app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    bus = MemoryBus()
    await bus.connect()
    settings = SoknadSettings(data_dir=tmp_path, log_json=False, max_body_bytes=50_000)
    async with running(create_app(settings, bus=bus)) as app:
        yield app
    await bus.close()


async def _draft(client: DemoClient) -> dict[str, object]:
    r = await client.send_json(
        "POST",
        "/api/soknader",
        {"type": "enkeltpasient", "kategori": "off_label", "enhet": "HBE-NEVRO", "innhold": {}},
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_a_lone_surrogate_is_refused_naming_the_field_and_the_case_stays_readable(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-soker") as soker:
        draft = await _draft(soker)
        url = f"/api/soknader/{draft['id']}"
        ok = await soker.send_json("PUT", url, {"versjon": 1, "innhold": {"begrunnelse": "før"}})
        assert ok.status_code == 200, ok.text

        # The lone surrogate as the escape `\ud800`, exactly what a browser's JSON.stringify sends.
        r = await soker.put(
            url,
            content=json.dumps({"versjon": 2, "innhold": {"begrunnelse": "x \ud800"}}).encode(),
            headers={"content-type": "application/json", "x-csrf-token": await soker.csrf()},
        )
        assert r.status_code == 422
        assert r.headers["content-type"].startswith(PROBLEM)
        assert r.json()["errors"] == [{"field": "innhold.begrunnelse", "message": r.json()["detail"]}]

        after = await soker.get(url)
        assert after.status_code == 200
        assert after.json()["versjon"] == 2
        assert after.json()["innhold"]["begrunnelse"] == "før"

        # A proper surrogate pair (an emoji) is ordinary text.
        emoji = await soker.send_json(
            "PUT", url, {"versjon": 2, "innhold": {"begrunnelse": "bra \U0001f600"}}
        )
        assert emoji.status_code == 200, emoji.text


async def test_invalid_utf8_is_a_norwegian_400(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-soker") as soker:
        draft = await _draft(soker)
        r = await soker.put(
            f"/api/soknader/{draft['id']}",
            content=b'{"versjon": 1, "innhold": {"begrunnelse": "\xff\xfe"}}',
            headers={"content-type": "application/json", "x-csrf-token": await soker.csrf()},
        )
        assert r.status_code == 400
        assert r.headers["content-type"].startswith(PROBLEM)
        assert "UTF-8" in r.json()["detail"]


async def test_a_chunked_body_over_the_limit_is_413_not_a_parse_error(app: FastAPI) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(200):
            yield b"x" * 50_000

    async with DemoClient(app, "hbe-soker") as soker:
        draft = await _draft(soker)
        r = await soker.put(
            f"/api/soknader/{draft['id']}",
            content=chunks(),
            headers={"content-type": "application/json", "x-csrf-token": await soker.csrf()},
        )
        assert "content-length" not in r.request.headers
        assert r.status_code == 413
        assert r.json()["title"] == "Forespørselen er for stor"


async def test_a_post_registration_file_may_be_larger_than_a_form_but_not_than_the_upload_limit(
    tmp_path: Path,
) -> None:
    bus = MemoryBus()
    await bus.connect()
    settings = SoknadSettings(
        data_dir=tmp_path, log_json=False, max_body_bytes=50_000, max_upload_bytes=400_000
    )
    header = "x" * 100_000  # no valid file: what matters is which limit refuses it
    async with running(create_app(settings, bus=bus)) as app, DemoClient(app, "hbe-admin") as admin:
        token = await admin.csrf()
        # Over the form limit, under the upload limit: the import reads it and answers about its content.
        r = await admin.post(
            "/api/etterregistrering",
            files={"fil": ("gamle.csv", header.encode(), "text/csv")},
            headers={"x-csrf-token": token},
        )
        assert r.status_code not in (413, 500), r.text
        # The same size to any other path is refused, as a page for a browser.
        page = await admin.post(
            "/admin/katalog",
            files={"fil": ("gamle.csv", header.encode(), "text/csv")},
            headers={"x-csrf-token": token, "accept": "text/html"},
        )
        assert page.status_code == 413 and page.headers["content-type"].startswith("text/html")
        assert "Filen eller skjemaet er for stort" in page.text and "Ingenting er lagret" in page.text
        # Over the upload limit: 413 problem+json for the API.
        big = await admin.post(
            "/api/etterregistrering",
            files={"fil": ("gamle.csv", b"x" * 500_000, "text/csv")},
            headers={"x-csrf-token": token},
        )
        assert big.status_code == 413 and big.headers["content-type"].startswith(PROBLEM)
        assert big.json()["detail"] == "Innholdet kan være høyst 400 kB."
    await bus.close()
