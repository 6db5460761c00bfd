"""Every service's Alembic migrations create exactly what its models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection

from shared.platform.db.engine import create_engine
from shared.platform.db.migrate import is_current, upgrade

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ["soknad", "vurdering", "beslutning", "integrasjon", "oversikt"]


async def differences(service: str, url: str) -> list[object]:
    migrations = ROOT / "services" / service / service / "migrations"
    # The app imports every module that declares a table (oversikt's count tables live in `telling`, not
    # `store`): run alone, this test saw only the tables `store` itself declares.
    importlib.import_module(f"{service}.app")
    metadata = importlib.import_module(f"{service}.store").Base.metadata
    engine = create_engine(url)
    try:
        assert not await is_current(engine, migrations)
        await upgrade(engine, migrations)
        assert await is_current(engine, migrations)

        def compare(conn: Connection) -> list[object]:
            return list(compare_metadata(MigrationContext.configure(conn), metadata))

        async with engine.connect() as conn:
            return await conn.run_sync(compare)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("service", SERVICES)
async def test_migrations_match_models_on_sqlite(service: str, tmp_path: Path) -> None:
    assert await differences(service, f"sqlite+aiosqlite:///{tmp_path / 'm.sqlite'}") == []


@pytest.mark.parametrize("service", SERVICES)
async def test_migrations_match_models_on_postgres(service: str, pg_url: str) -> None:
    assert await differences(service, pg_url) == []
