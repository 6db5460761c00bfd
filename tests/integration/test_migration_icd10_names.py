"""The rename of the indication's columns to `icd10_kode`/`icd10_tekst` (integrasjon 7c1e4b2a9d30,
oversikt 5e2d8f1c4a77) keeps every stored value, on SQLite and PostgreSQL, and its downgrade gives them
back under the old names."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Connection

from shared.platform.db.engine import create_engine
from shared.platform.db.migrate import alembic_config

ROOT = Path(__file__).resolve().parents[2]

CASES = {
    "integrasjon": ("301d72c0cdc8", "7c1e4b2a9d30", "sak_projeksjon"),
    "oversikt": ("300721a3b806", "5e2d8f1c4a77", "sammendrag"),
}


def _migrate(connection: Connection, service: str, target: str, *, down: bool = False) -> None:
    config = alembic_config(ROOT / "services" / service / service / "migrations")
    config.attributes["connection"] = connection
    (command.downgrade if down else command.upgrade)(config, target)


def _filler(column_type: sa.types.TypeEngine[object]) -> object:
    """A value of the column's type for the NOT NULL columns the test does not look at."""
    python_type = column_type.python_type
    if python_type is datetime:
        return datetime(2026, 3, 1, tzinfo=UTC)
    if python_type is date:
        return date(2026, 3, 1)
    return {int: 1, bool: False, str: "x"}[python_type]


def _codes(connection: Connection, table: str, kode: str, tekst: str) -> list[tuple[str, str]]:
    rows = connection.execute(sa.text(f"SELECT {kode}, {tekst} FROM {table} ORDER BY {kode}"))
    return [(str(k), str(t)) for k, t in rows]


async def _round_trip(service: str, url: str) -> None:
    before, rename, table = CASES[service]
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_migrate, service, before)
            # Only the columns this migration touches matter; the rest get what NOT NULL asks for.
            columns = await conn.run_sync(lambda c: sa.inspect(c).get_columns(table))
            for kode in ("G35", "G36.0"):
                values = {c["name"]: _filler(c["type"]) for c in columns if not c["nullable"]}
                values.update(
                    lopenummer=f"HBE-2026-{kode}", indikasjon_kode=kode, indikasjon_tekst=f"tekst {kode}"
                )
                typed = sa.table(
                    table, *(sa.column(c["name"], c["type"]) for c in columns if c["name"] in values)
                )
                await conn.execute(typed.insert().values(**values))
        async with engine.begin() as conn:
            await conn.run_sync(_migrate, service, rename)
            assert await conn.run_sync(_codes, table, "icd10_kode", "icd10_tekst") == [
                ("G35", "tekst G35"),
                ("G36.0", "tekst G36.0"),
            ]
        async with engine.begin() as conn:
            await conn.run_sync(_migrate, service, before, down=True)
            assert await conn.run_sync(_codes, table, "indikasjon_kode", "indikasjon_tekst") == [
                ("G35", "tekst G35"),
                ("G36.0", "tekst G36.0"),
            ]
    finally:
        await engine.dispose()


@pytest.mark.parametrize("service", sorted(CASES))
async def test_the_rename_keeps_the_codes_on_sqlite(service: str, tmp_path: Path) -> None:
    await _round_trip(service, f"sqlite+aiosqlite:///{tmp_path / 'm.sqlite'}")


@pytest.mark.parametrize("service", sorted(CASES))
async def test_the_rename_keeps_the_codes_on_postgres(service: str, pg_url: str) -> None:
    await _round_trip(service, pg_url)
