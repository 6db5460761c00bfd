"""aiosqlite with a cursor that does a statement's whole work in one call to the database thread.

aiosqlite runs every call on a connection in a thread of its own, and SQLAlchemy's adapter makes four
of them per statement: create a cursor, execute, fetch the rows, close. Each call is a hand-off to
that thread and back to the event loop, and on a busy loop the way back waits for the GIL. A save on
the embedded default made fourteen such hand-offs while holding SQLite's write lock; here a statement
is one, so the lock is held for less time and the loop does less work per statement.

Used through `create_async_engine(..., async_creator=connector(path))`: SQLAlchemy's own aiosqlite
dialect and adapter stay in charge of everything else (transactions, errors, the pool)."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiosqlite

Row = tuple[Any, ...]
_Outcome = tuple[Any, int, int | None, list[Row]]


def _run(conn: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> _Outcome:
    """In the database thread: the statement, its rows and what the cursor says about it."""
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneCallCursor:
    """The part of `aiosqlite.Cursor` that SQLAlchemy's adapter uses; results are held in memory."""

    arraysize = 1

    def __init__(self, connection: aiosqlite.Connection):
        self._connection = connection
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: list[Row] = []

    async def __aenter__(self) -> OneCallCursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        return None

    async def execute(self, operation: str, parameters: Sequence[Any] | None = None) -> OneCallCursor:
        await self._call(operation, () if parameters is None else parameters, many=False)
        return self

    async def executemany(self, operation: str, seq_of_parameters: Any) -> OneCallCursor:
        await self._call(operation, seq_of_parameters, many=True)
        return self

    async def _call(self, operation: str, parameters: Any, *, many: bool) -> None:
        # aiosqlite's queue of work for its thread (the same one its own calls go through).
        outcome: _Outcome = await self._connection._execute(
            _run, self._connection._conn, operation, parameters, many
        )
        self.description, self.rowcount, self.lastrowid, self._rows = outcome

    async def fetchall(self) -> list[Row]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchone(self) -> Row | None:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Row]:
        count = self.arraysize if size is None else size
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    async def close(self) -> None:
        self._rows = []


class OneCallConnection:
    """An `aiosqlite.Connection` whose cursors are `OneCallCursor`s; everything else is aiosqlite's."""

    def __init__(self, connection: aiosqlite.Connection):
        self._inner = connection

    def cursor(self) -> OneCallCursor:
        return OneCallCursor(self._inner)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def connector(database: str, *, timeout_s: float) -> Callable[[], Awaitable[OneCallConnection]]:
    async def connect() -> OneCallConnection:
        pending = aiosqlite.connect(database, timeout=timeout_s)
        # As SQLAlchemy does for aiosqlite: a forgotten connection must not keep the process alive.
        pending._thread.daemon = True
        return OneCallConnection(await pending)

    return connect
