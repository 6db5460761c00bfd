"""Throw-away PostgreSQL databases and RabbitMQ vhosts for the benchmarks."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


@asynccontextmanager
async def pg_database() -> AsyncIterator[str]:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(database="postgres", **PG)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+asyncpg://{PG['user']}@{PG['host']}:{PG['port']}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _ctl(*args: str, check: bool = True) -> None:
    proc = await asyncio.create_subprocess_exec(
        "rabbitmqctl", "-q", *args, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _, err = await proc.communicate()
    if check and proc.returncode:
        raise RuntimeError(f"rabbitmqctl {' '.join(args)}: {err.decode()}")


@asynccontextmanager
async def rabbit_vhost() -> AsyncIterator[str]:
    name = f"bench-{uuid.uuid4().hex[:10]}"
    await _ctl("add_vhost", name)
    await _ctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    try:
        yield f"amqp://guest:guest@127.0.0.1:5672/{name}"
    finally:
        await _ctl("delete_vhost", name, check=False)
