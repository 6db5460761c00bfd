"""The national overview on PostgreSQL: the variation's one grouping-sets query (counts and quartiles per
trust, region and in all) gives what the portable path gives on SQLite, and the k-anonymised search and
the statistics run there too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from fastapi import FastAPI

from oversikt import handlers
from oversikt.app import create_app
from oversikt.domain import Sokefilter
from oversikt.settings import OversiktSettings
from shared.platform.auth.principal import Principal, Role
from shared.platform.bus.memory import MemoryBus
from tests.service.test_oversikt_sok import seed
from tests.support.apps import running
from tests.support.postgres import pg_url

__all__ = ["pg_url"]

NASJONAL = Principal(user_id="t", name="T", roles=frozenset({Role.NASJONAL}), hf="HBE")


async def _app(settings: OversiktSettings) -> AsyncIterator[tuple[FastAPI, MemoryBus]]:
    bus = MemoryBus()
    await bus.connect()
    async with running(create_app(settings, bus=bus)) as app:
        yield app, bus
    await bus.close()


@pytest_asyncio.fixture
async def on_postgres(pg_url: str, tmp_path: Path) -> AsyncIterator[tuple[FastAPI, MemoryBus]]:
    async for pair in _app(OversiktSettings(database_url=pg_url, data_dir=tmp_path, log_json=False)):
        yield pair


@pytest_asyncio.fixture
async def on_sqlite(tmp_path: Path) -> AsyncIterator[tuple[FastAPI, MemoryBus]]:
    async for pair in _app(OversiktSettings(data_dir=tmp_path / "s", log_json=False)):
        yield pair


async def test_postgres_gives_what_sqlite_gives(
    on_postgres: tuple[FastAPI, MemoryBus], on_sqlite: tuple[FastAPI, MemoryBus]
) -> None:
    answers = []
    for app, bus in (on_postgres, on_sqlite):
        await seed(bus)
        db = app.state.runtime.db
        v = await handlers.variasjon_for(db, NASJONAL, Sokefilter(virkestoff="rituksimab", icd10="G35"))
        group = await handlers.variasjon_for(db, NASJONAL, Sokefilter(atc="L01", kapittel="VI"))
        treff = await handlers.search(db, NASJONAL, Sokefilter(hf="OUS"), side=1, per_side=50)
        stat = await handlers.statistikk(db, NASJONAL, Sokefilter())
        # The public page: its years (one index look-up a year, a recursive query) and a fixed release.
        years = await handlers.offentlige_ar(db)
        release = await handlers.offentlig_statistikk(db, "2025")
        answers.append(
            (
                [(h.hf, h.innvilget, h.avslatt, h.tider) for h in v.per_hf],
                [(r.rhf, r.vedtak, r.tider) for r in v.per_rhf],
                v.tider_alle,
                v.vurdering.ulik_praksis,
                group.vedtak,
                [(r.sak.lopenummer, r.visning) for r in treff.rader],
                treff.holdt_tilbake,
                stat.json(),
                years,
                release.statistikk.json(),
            )
        )
    assert answers[0] == answers[1]
    assert answers[0][3] is True and answers[0][6] == 1
    assert "2025" in answers[0][8] and answers[0][8] == sorted(answers[0][8], reverse=True)
