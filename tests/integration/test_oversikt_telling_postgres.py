"""The decision counts on PostgreSQL, where a group of summaries is stored in a few statements
(`ingest.upsert_many`): the same property as on SQLite — whatever the order, versions, replays and
grouping, the stored summaries are the newest and the counts equal a fresh count."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.events.contracts import SakSammendrag
from shared.platform.db.uow import Database
from tests.support.postgres import create_database, drop_database, url_for
from tests.unit.test_oversikt_telling import grouped, ingest_and_compare, oversikt_med_egen_lokke, summaries


async def _database(stack: AsyncExitStack) -> str:
    name = await create_database("telling")
    stack.push_async_callback(drop_database, name)
    return url_for(name)


@pytest.fixture(scope="module")
def miljo_pg(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[asyncio.AbstractEventLoop, Database]]:
    yield from oversikt_med_egen_lokke(Path(tmp_path_factory.mktemp("telling-pg")), _database)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    events=st.lists(summaries(), min_size=1, max_size=30),
    cuts=st.lists(st.integers(1, 12), min_size=1, max_size=10),
    replays=st.lists(st.integers(0, 34), max_size=6),
)
def test_grouped_ingest_on_postgres_keeps_the_newest_and_counts_right(
    miljo_pg: tuple[asyncio.AbstractEventLoop, Database], events: list[SakSammendrag], cuts: list[int],
    replays: list[int],
) -> None:  # fmt: skip
    loop, db = miljo_pg
    loop.run_until_complete(ingest_and_compare(db, grouped(events, cuts, replays)))
