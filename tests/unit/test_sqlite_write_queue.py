"""SQLite transactions of one process queue for the write lock in order instead of polling SQLite."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from shared.platform.db.engine import create_engine, write_queue
from tests.support.waiting import wait_until


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'queue.sqlite'}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE rad (navn TEXT NOT NULL)"))
    yield engine
    await engine.dispose()


async def names(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        return list((await conn.scalars(text("SELECT navn FROM rad ORDER BY rowid"))).all())


class Watch:
    """Counts the writes that reached SQLite (listening after the queue, so past it), and the reads."""

    def __init__(self, engine: AsyncEngine):
        self.begun = 0
        self.reads = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._statement)

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("INSERT"):
            self.begun += 1
        elif statement.startswith("SELECT"):
            self.reads += 1


async def test_waiting_writers_stay_out_of_sqlite_and_get_the_lock_in_order(engine: AsyncEngine) -> None:
    watch = Watch(engine)
    queue = write_queue(engine)
    assert queue is not None
    first_may_commit = asyncio.Event()

    async def first() -> None:
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO rad VALUES ('a')"))
            await first_may_commit.wait()

    async def writer(name: str) -> None:
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO rad VALUES (:navn)"), {"navn": name})

    holder = asyncio.create_task(first())
    await wait_until(lambda: watch.begun == 1)
    waiters = []
    for name in "bcd":
        waiters.append(asyncio.create_task(writer(name)))
        await wait_until(lambda: queue.waiting == len(waiters))

    # Without the queue all four would be inside SQLite, three of them sleeping in its busy handler.
    assert watch.begun == 1
    first_may_commit.set()
    await asyncio.wait_for(asyncio.gather(holder, *waiters), 10)
    assert await names(engine) == ["a", "b", "c", "d"]


async def test_a_rolled_back_transaction_hands_the_lock_on_and_keeps_nothing(engine: AsyncEngine) -> None:
    with pytest.raises(RuntimeError):
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO rad VALUES ('angret')"))
            raise RuntimeError("the use case failed")
    async with asyncio.timeout(10), engine.begin() as conn:
        await conn.execute(text("INSERT INTO rad VALUES ('lagret')"))
    assert await names(engine) == ["lagret"]


async def test_a_session_closed_without_commit_hands_the_lock_on(engine: AsyncEngine) -> None:
    async with AsyncSession(engine) as session:
        await session.execute(text("INSERT INTO rad VALUES ('forlatt')"))
    async with asyncio.timeout(10), AsyncSession(engine) as session:
        await session.execute(text("INSERT INTO rad VALUES ('lagret')"))
        await session.commit()
    assert await names(engine) == ["lagret"]


async def test_a_connection_that_commits_twice_takes_its_turn_each_time(engine: AsyncEngine) -> None:
    watch = Watch(engine)
    async with engine.connect() as conn:
        await conn.execute(text("INSERT INTO rad VALUES ('en')"))
        await conn.commit()
        await conn.execute(text("INSERT INTO rad VALUES ('to')"))
        await conn.commit()
    async with asyncio.timeout(10), engine.begin() as conn:
        await conn.execute(text("INSERT INTO rad VALUES ('tre')"))
    assert watch.begun == 3
    assert await names(engine) == ["en", "to", "tre"]


async def test_reads_do_not_wait_for_a_writer_and_see_what_is_committed(engine: AsyncEngine) -> None:
    queue = write_queue(engine)
    assert queue is not None
    async with engine.begin() as conn:
        await conn.execute(text("INSERT INTO rad VALUES ('lagret')"))
    writer_may_commit = asyncio.Event()

    async def writer() -> None:
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO rad VALUES ('underveis')"))
            await writer_may_commit.wait()

    holder = asyncio.create_task(writer())
    await wait_until(lambda: queue._holder is not None)
    # The writer holds the lock: a read goes past it at once and sees only what is committed.
    async with asyncio.timeout(2):
        assert await names(engine) == ["lagret"]
    assert queue.waiting == 0
    writer_may_commit.set()
    await asyncio.wait_for(holder, 10)
    assert await names(engine) == ["lagret", "underveis"]


async def test_a_migration_style_transaction_with_ddl_first_is_atomic(engine: AsyncEngine) -> None:
    with pytest.raises(RuntimeError):
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE ny (x INTEGER)"))
            await conn.execute(text("INSERT INTO ny VALUES (1)"))
            raise RuntimeError("the migration failed half-way")
    async with engine.connect() as conn:
        tables = (await conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'table'"))).all()
    assert "ny" not in tables  # rolled back with the rest, not left half-made
