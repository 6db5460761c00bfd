"""Alembic migrations run programmatically on the service's async engine."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine


def alembic_config(migrations_dir: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    return config


async def upgrade(engine: AsyncEngine, migrations_dir: Path) -> None:
    config = alembic_config(migrations_dir)

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")

    async with engine.begin() as conn:
        await conn.run_sync(run)


async def is_current(engine: AsyncEngine, migrations_dir: Path) -> bool:
    heads = set(ScriptDirectory.from_config(alembic_config(migrations_dir)).get_heads())

    def current(connection: Connection) -> set[str]:
        return set(MigrationContext.configure(connection).get_current_heads())

    async with engine.connect() as conn:
        return await conn.run_sync(current) == heads
