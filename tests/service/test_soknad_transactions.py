"""soknad's use cases own their transactions: what a conflict, a delegation and a bad number leave
behind, in-process (SQLite and the memory bus)."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import select

from shared.platform.auth.session import CSRF_FIELD
from shared.platform.bus.memory import MemoryBus
from soknad.app import create_app
from soknad.settings import SoknadSettings
from tests.support.apps import DemoClient, running
from tests.support.builders import complete_innhold

PROBLEM = "application/problem+json"
HTML = {"accept": "text/html"}
COMPLETE = complete_innhold()


@pytest_asyncio.fixture
async def app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    bus = MemoryBus()
    await bus.connect()
    settings = SoknadSettings(data_dir=tmp_path, log_json=False)
    async with running(create_app(settings, bus=bus)) as app:
        yield app
    await bus.close()


async def _draft(client: DemoClient, innhold: dict[str, Any] | None = None) -> dict[str, Any]:
    r = await client.send_json(
        "POST",
        "/api/soknader",
        {"type": "enkeltpasient", "kategori": "off_label", "enhet": "HBE-NEVRO", "innhold": innhold or {}},
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def _post_form(client: DemoClient, url: str, data: dict[str, str]) -> httpx.Response:
    return await client.post(url, data={CSRF_FIELD: await client.csrf(), **data}, headers=HTML)


async def _audit(app: FastAPI, *, what: str) -> list[Any]:
    audit = app.state.runtime.tables.audit
    async with app.state.runtime.db.sessions() as session:
        return list((await session.execute(select(audit).where(audit.c.what == what))).all())


async def test_a_stale_saves_409_shows_the_saved_answers_and_writes_an_audit_row(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-soker") as soker:
        draft = await _draft(soker, COMPLETE)
        url = f"/api/soknader/{draft['id']}"
        assert (
            await soker.send_json("PUT", url, {"versjon": 1, "innhold": {"dose": "1 mg"}})
        ).status_code == 200
        assert await _audit(app, what="soknad.konflikt") == []

        r = await soker.send_json("PUT", url, {"versjon": 1, "innhold": {"dose": "2 mg"}})

    assert r.status_code == 409 and r.headers["content-type"] == PROBLEM
    assert r.json()["lagret_innhold"]["pasient_navn"] == COMPLETE["pasient_navn"]
    [row] = await _audit(app, what="soknad.konflikt")
    assert (row.action, row.actor_id, row.case_ref) == ("les", "hbe-soker", draft["id"])


async def test_a_stale_send_is_the_same_audited_conflict(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-soker") as soker:
        draft = await _draft(soker, COMPLETE)
        url = f"/api/soknader/{draft['id']}"
        assert (
            await soker.send_json("PUT", url, {"versjon": 1, "innhold": {"dose": "1 mg"}})
        ).status_code == 200

        r = await soker.send_json("POST", f"{url}/send", {"versjon": 1})

        assert r.status_code == 409 and r.json()["lagret_versjon"] == 2
        assert (await soker.get(url)).json()["status"] == "utkast"
    assert len(await _audit(app, what="soknad.konflikt")) == 1


async def test_the_page_without_javascript_shows_a_conflict_and_audits_it(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-soker") as soker:
        draft = await _draft(soker, COMPLETE)
        url = f"/api/soknader/{draft['id']}"
        assert (
            await soker.send_json("PUT", url, {"versjon": 1, "innhold": {"dose": "1 mg"}})
        ).status_code == 200

        r = await _post_form(soker, f"/s/{draft['id']}", {"versjon": "1", "innhold.dose": "Min dose"})

        assert r.status_code == 409
        assert "Noen andre har lagret en nyere versjon" in r.text and "Min dose" in r.text
        assert (await soker.get(url)).json()["innhold"]["dose"] == "1 mg"
    assert len(await _audit(app, what="soknad.konflikt")) == 1


async def test_a_delegation_comment_is_kept_between_leaders(app: FastAPI) -> None:
    comment = "Hemmelig til neste leder: budsjettet er sprengt."
    async with DemoClient(app, "hbe-soker") as soker:
        draft = await _draft(soker, COMPLETE)
        sent = await soker.send_json("POST", f"/api/soknader/{draft['id']}/send", {"versjon": 1})
        assert sent.status_code == 200, sent.text
    async with DemoClient(app, "hbe-leder") as leder:
        r = await _post_form(
            leder,
            f"/s/{draft['id']}/deleger",
            {"delegering_enhet": "HBE-REVMA", "delegering_kommentar": comment},
        )
        assert r.status_code == 303, r.text
    async with DemoClient(app, "hbe-leder2") as leder2:
        page = await leder2.get(f"/s/{draft['id']}", headers=HTML)
        assert page.status_code == 200
        assert "Forankringen er delegert til" in page.text and comment in html.unescape(page.text)
        register = await leder2.get(f"/api/register/{draft['id']}")
        assert comment in str(register.json()["historikk"])
    async with DemoClient(app, "hbe-soker") as soker:
        page = await soker.get(f"/s/{draft['id']}", headers=HTML)
        assert page.status_code == 200
        assert "Forankringen er delegert til" in page.text
        assert comment not in html.unescape(page.text) and "budsjettet" not in page.text
    async with DemoClient(app, "hbe-komite") as komite:
        register = await komite.get(f"/api/register/{draft['id']}")
        assert register.status_code == 200
        assert "budsjettet" not in register.text


async def test_a_version_that_is_not_a_number_is_a_readable_page_and_nothing_typed_is_lost(
    app: FastAPI,
) -> None:
    async with DemoClient(app, "hbe-soker") as soker:
        draft = await _draft(soker, COMPLETE)
        for versjon in ("²", "9" * 5000):
            r = await _post_form(
                soker, f"/s/{draft['id']}", {"versjon": versjon, "innhold.dose": "Teksten min, ikke tapt"}
            )
            assert r.status_code == 422
            assert "text/html" in r.headers["content-type"]
            assert "ikke lagret" in r.text
            assert "Teksten min, ikke tapt" in r.text
        saved = (await soker.get(f"/api/soknader/{draft['id']}")).json()
        assert saved["versjon"] == 1 and saved["innhold"]["dose"] == COMPLETE["dose"]


async def test_a_number_of_5000_digits_is_a_422_naming_the_field(app: FastAPI) -> None:
    huge = "9" * 5000
    async with DemoClient(app, "hbe-soker") as soker:
        draft = await _draft(soker)
        url = f"/api/soknader/{draft['id']}"
        for field in ("antall_kurer", "estimert_kostnad_nok"):
            r = await soker.send_json("PUT", url, {"versjon": 1, "innhold": {field: huge}})
            assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
            assert r.json()["errors"] == [{"field": f"innhold.{field}", "message": "Tallet er for stort."}]
        r = await soker.send_json("PUT", url, {"versjon": 1, "innhold": {"antall_kurer": "²"}})
        assert r.json()["errors"] == [{"field": "innhold.antall_kurer", "message": "Må være et heltall."}]

        page = await _post_form(soker, f"/s/{draft['id']}", {"versjon": "1", "innhold.antall_kurer": huge})
        assert page.status_code == 422
        assert "Tallet er for stort." in page.text
        assert (await soker.get(url)).json()["innhold"].get("antall_kurer") is None


async def test_the_admin_pages_form_version_is_a_bounded_number(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-admin") as admin:
        assert (await admin.get("/admin/hjelpetekster?versjon=1", headers=HTML)).status_code == 200
        for versjon in ("²", "9" * 5000, "99"):
            r = await admin.get("/admin/hjelpetekster", params={"versjon": versjon}, headers=HTML)
            assert r.status_code == 422 and "text/html" in r.headers["content-type"]
            assert "versjon" in r.text
