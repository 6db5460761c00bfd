"""The SQLite driver: a statement is one call to aiosqlite's database thread, with what SQLAlchemy
reads from the cursor (rows, row count, last row id) intact."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.platform.db.engine import create_engine


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.sqlite'}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE rad (id INTEGER PRIMARY KEY, navn TEXT NOT NULL)"))
    yield engine
    await engine.dispose()


async def test_each_statement_is_one_call_to_the_database_thread(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    execute = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(getattr(fn, "__name__", repr(fn)))
        return await execute(self, fn, *args, **kwargs)

    async with engine.connect() as conn:
        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
        inserted = await conn.execute(text("INSERT INTO rad (navn) VALUES ('Kari')"))
        selected = await conn.execute(text("SELECT id, navn FROM rad"))
        updated = await conn.execute(text("UPDATE rad SET navn = 'Mona' WHERE navn = 'Kari'"))
        statements = len(calls)
        await conn.commit()
    assert statements == 3, calls  # aiosqlite's own cursor makes four calls per statement
    assert inserted.lastrowid == 1
    assert [tuple(row) for row in selected] == [(1, "Kari")]
    assert updated.rowcount == 1


async def test_many_rows_at_once_and_an_error_keeps_the_connection_usable(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("INSERT INTO rad (navn) VALUES (:navn)"), [{"navn": n} for n in "abc"])
    async with engine.connect() as conn:
        with pytest.raises(Exception, match="no such table"):
            await conn.execute(text("SELECT * FROM finnes_ikke"))
        await conn.rollback()
        assert (await conn.execute(text("SELECT count(*) FROM rad"))).scalar_one() == 3
