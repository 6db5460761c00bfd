"""A fresh PostgreSQL database per test on the machine's server (127.0.0.1:5432, trust auth).

Without the server the test fails when `SP_TEST_REQUIRE_SERVERS` is set (CI) and is skipped otherwise."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest_asyncio

from tests.support.servers import PG_HOST, PG_PORT, unavailable

PG_USER = os.environ.get("SP_TEST_PG_USER", "postgres")


async def _admin() -> asyncpg.Connection:
    try:
        return await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres", timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        unavailable("postgres", f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT} ({exc})")


async def create_database(prefix: str = "t") -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = await _admin()
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return name


async def drop_database(name: str) -> None:
    admin = await _admin()
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def url_for(name: str) -> str:
    return f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


@pytest_asyncio.fixture
async def pg_url() -> AsyncIterator[str]:
    name = await create_database()
    try:
        yield url_for(name)
    finally:
        await drop_database(name)
