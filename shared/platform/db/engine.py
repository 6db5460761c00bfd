"""Engine construction for SQLite (embedded default) and PostgreSQL (distributed mode)."""

from __future__ import annotations

import asyncio
import time
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.util import await_only
from sqlalchemy.util.concurrency import in_greenlet

from shared.platform.db.sqlite_driver import connector

SQLITE_BUSY_TIMEOUT_S = 30


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url, async_creator=connector(parsed.database or ":memory:", timeout_s=SQLITE_BUSY_TIMEOUT_S)
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        queue = _QUEUES[engine.sync_engine] = WriteQueue()
        event.listen(engine.sync_engine, "before_cursor_execute", queue.before_statement)
        event.listen(engine.sync_engine, "commit", queue.commit)
        event.listen(engine.sync_engine, "rollback", queue.rollback)
        for name in ("checkin", "invalidate", "close"):
            event.listen(engine.sync_engine.pool, name, queue.returned)
        return engine
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=pool_size)
    _ping_idle_connections(engine)
    return engine


IDLE_PING_S = 2.0
"""A pooled connection unused for longer than this is tested before it is handed out."""


def _ping_idle_connections(engine: AsyncEngine) -> None:
    """Test a connection before use only when it has been idle: SQLAlchemy's `pool_pre_ping` costs a round
    trip on every checkout (a twentieth of an autosave's CPU), and a connection used a moment ago is
    alive. A database restart breaks the connections in use with or without a ping; SQLAlchemy then
    invalidates the whole pool, so the next requests connect afresh either way. What the ping is for, a
    connection that died while the pool sat idle (a restart at night, a firewall's idle timeout), is
    still caught before a request meets it."""
    dialect = engine.dialect

    @event.listens_for(engine.sync_engine.pool, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine.sync_engine.pool, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned_at = record.info.get("returned_at")
        if returned_at is None or time.monotonic() - returned_at <= IDLE_PING_S:
            return  # new, or used a moment ago
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("idle connection failed its ping") from exc
        if not alive:
            raise DisconnectionError("idle connection failed its ping")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    cursor.close()
    # Reads run without a transaction (each sees what is committed, as PostgreSQL's READ COMMITTED does);
    # the first INSERT, UPDATE or DELETE opens one with BEGIN IMMEDIATE, issued by the driver in the
    # same call as the statement. See WriteQueue.
    dbapi_connection.isolation_level = "IMMEDIATE"


_QUEUES: weakref.WeakKeyDictionary[Engine, WriteQueue] = weakref.WeakKeyDictionary()

_READS = ("SELECT", "WITH")
_DML = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class WriteQueue:
    """SQLite's one write lock, handed from transaction to transaction of this process in FIFO order.

    A transaction takes the write lock at its first write, with BEGIN IMMEDIATE, so two writers queue
    rather than fail with "database is locked"; reads take no lock and never wait for a writer (WAL).
    Left to SQLite, though, a waiter polls with sleeps growing to 100 ms and often sleeps through the
    moment the lock is free: with 200 editors autosaving on the embedded default, waits for BEGIN
    reached 120 ms at p99 and saves 90 ms. Here a transaction first queues on an asyncio lock at its
    first write and holds it until its COMMIT or ROLLBACK has run, so the next starts at once. Taking
    the lock at the first write, not at BEGIN, keeps a save's read of the draft and the reads of every
    page out of the queue: the lock is held for the writes and the commit only. SQLite's busy_timeout
    still rules between processes, and for a task that opens a second transaction while its first
    holds the lock: as before, that one waits for SQLite, not for itself."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._holder: dict[Any, Any] | None = None
        self._task: asyncio.Task[Any] | None = None
        self.waiting = 0

    def before_statement(self, connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        info = connection.connection.info
        if self._holder is info:
            return
        verb = statement.lstrip()[:7].upper()
        if verb.startswith(_READS):
            return
        if in_greenlet():
            task = asyncio.current_task()
            if task is None or task is not self._task:
                await_only(self._acquire(info, task))
        pooled = connection.connection
        if not verb.startswith(_DML) and self._holder is info and not pooled.driver_connection.in_transaction:
            # DDL or SAVEPOINT: the driver opens no transaction for these; a migration must be atomic.
            cursor = pooled.dbapi_connection.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            cursor.close()

    async def _acquire(self, info: dict[Any, Any], task: asyncio.Task[Any] | None) -> None:
        self.waiting += 1
        try:
            async with asyncio.timeout(SQLITE_BUSY_TIMEOUT_S):
                await self._lock.acquire()
        except TimeoutError:
            return  # a holder that never ends its transaction: wait for SQLite as before
        finally:
            self.waiting -= 1
        self._holder = info
        self._task = task

    def commit(self, connection: Any) -> None:
        # The event comes before SQLAlchemy's COMMIT; commit here so the lock is free when handed on.
        # SQLAlchemy's own COMMIT right after finds no transaction open and does nothing.
        if self._holds(connection):
            try:
                connection.connection.dbapi_connection.commit()
            except Exception:
                return  # SQLAlchemy commits again and reports the error; the rollback after it releases
            self._release()

    def rollback(self, connection: Any) -> None:
        if self._holds(connection):
            try:
                connection.connection.dbapi_connection.rollback()
            finally:
                self._release()

    def returned(self, _dbapi_connection: Any, record: Any, *_: Any) -> None:
        """A connection returned to the pool, invalidated or closed in a transaction gives its place up."""
        if self._holder is not None and self._holder is record.info:
            self._release()

    def _holds(self, connection: Any) -> bool:
        if self._holder is None or connection.invalidated or connection.closed:
            return False  # an invalidated connection released its place through `returned`
        return self._holder is connection.connection.info

    def _release(self) -> None:
        self._holder = None
        self._task = None
        self._lock.release()


def write_queue(engine: AsyncEngine) -> WriteQueue | None:
    """The queue of a SQLite engine made by `create_engine`."""
    return _QUEUES.get(engine.sync_engine)


def is_postgres(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "postgresql"
