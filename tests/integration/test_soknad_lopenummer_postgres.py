"""Løpenummer allocation on real PostgreSQL: concurrent senders each get their own number, also the
first senders of a year, who race to create that year's counter (this once failed with a 500)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from shared.platform.db.engine import create_engine
from shared.platform.db.migrate import upgrade
from soknad import store

pytestmark = pytest.mark.integration

MIGRATIONS = Path(store.__file__).parent.parent / "migrations"  # store is a package inside soknad


async def test_concurrent_first_senders_of_a_year_get_distinct_numbers(pg_url: str) -> None:
    engine = create_engine(pg_url)
    try:
        await upgrade(engine, MIGRATIONS)
        sessions = async_sessionmaker(engine, expire_on_commit=False)

        async def take() -> int:
            async with sessions() as session, session.begin():
                return await store.next_lopenummer_seq(session, hf="HBE", aar=2031)

        first = await asyncio.gather(*(take() for _ in range(15)))
        then = await asyncio.gather(*(take() for _ in range(5)))
    finally:
        await engine.dispose()
    assert sorted(first) == list(range(1, 16))
    assert sorted(then) == list(range(16, 21))
