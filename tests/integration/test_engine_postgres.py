"""The PostgreSQL engine's pool: a connection that died while it sat idle is replaced before a request
meets it, without a round trip on every checkout."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import text

from shared.platform.db import engine as engine_module
from shared.platform.db.engine import create_engine
from tests.support.postgres import PG_HOST, PG_PORT, PG_USER

pytestmark = pytest.mark.integration


async def _terminate(pid: int) -> None:
    admin = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres")
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()


async def _backend_pid(engine: engine_module.AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def test_an_idle_connection_killed_by_the_server_is_replaced_before_use(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "IDLE_PING_S", 0.0)  # every pooled connection counts as idle
    engine = create_engine(pg_url, pool_size=1)
    try:
        first = await _backend_pid(engine)
        await _terminate(first)  # a restart at night, or a firewall dropping the idle connection
        second = await _backend_pid(engine)
        assert second != first
        assert await _backend_pid(engine) == second  # the new connection is pooled and reused
    finally:
        await engine.dispose()


async def test_a_connection_used_a_moment_ago_is_handed_out_without_a_ping(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "IDLE_PING_S", 3600.0)
    engine = create_engine(pg_url, pool_size=1)
    pings = 0
    ping = engine.dialect.do_ping

    def counted(dbapi_connection: object) -> bool:
        nonlocal pings
        pings += 1
        return ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    try:
        pids = {await _backend_pid(engine) for _ in range(5)}
        assert len(pids) == 1 and pings == 0
        monkeypatch.setattr(engine_module, "IDLE_PING_S", 0.0)
        assert await _backend_pid(engine) in pids and pings == 1
    finally:
        await engine.dispose()
