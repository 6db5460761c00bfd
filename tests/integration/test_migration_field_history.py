"""The soknad migration e5a1c0f7d2b4 moves the field history of the endring table into the audit log, and
its downgrade moves it back, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.platform.db.engine import create_engine
from shared.platform.db.migrate import alembic_config
from shared.platform.db.types import UtcDateTime

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "services" / "soknad" / "soknad" / "migrations"
BRANCH_HEADS = ("b297e8881ebb", "c2ac5124af9a")
MERGE = "e5a1c0f7d2b4"

# Lightweight tables naming only the columns used here, typed so that times go in and come out as aware
# UTC on both dialects (SQLite stores them naive) and JSON is decoded.
SOKNAD = sa.table(
    "soknad",
    sa.column("id", sa.String()),
    sa.column("hf", sa.String()),
    sa.column("type", sa.String()),
    sa.column("kategori", sa.String()),
    sa.column("status", sa.String()),
    sa.column("soker_id", sa.String()),
    sa.column("soker_navn", sa.String()),
    sa.column("enhet", sa.String()),
    sa.column("medforfattere", sa.JSON()),
    sa.column("innhold", sa.JSON()),
    sa.column("versjon", sa.Integer()),
    sa.column("opprettet_at", UtcDateTime()),
    sa.column("endret_at", UtcDateTime()),
    sa.column("endret_av", sa.String()),
)
ENDRING = sa.table(
    "endring",
    sa.column("soknad_id", sa.String()),
    sa.column("at", UtcDateTime()),
    sa.column("actor_id", sa.String()),
    sa.column("actor_navn", sa.String()),
    sa.column("sporsmal_id", sa.String()),
)


def audit_table(*extra: sa.ColumnClause[Any]) -> sa.TableClause:
    # A column belongs to one table, so each version of the audit table gets columns of its own.
    return sa.table(
        "revisjonslogg",
        sa.column("at", UtcDateTime()),
        sa.column("actor_id", sa.String()),
        sa.column("actor_role", sa.String()),
        sa.column("hf", sa.String()),
        sa.column("case_ref", sa.String()),
        sa.column("action", sa.String()),
        sa.column("what", sa.String()),
        sa.column("purpose", sa.String()),
        *extra,
    )


# The audit table before the migration, and after it with the two columns it adds.
AUDIT_BEFORE = audit_table()
AUDIT_AFTER = audit_table(sa.column("actor_navn", sa.String()), sa.column("felt", sa.JSON()))

# Two applications in different health trusts, so a wrong join would show in the hf of a moved row.
SOKNAD_A = "11111111-1111-1111-1111-111111111111"
SOKNAD_B = "22222222-2222-2222-2222-222222222222"
T0 = datetime(2026, 3, 1, 8, 0, 0, 1, tzinfo=UTC)
# Microseconds and a non-UTC offset: the moved instants must survive SQLite's naive text storage exactly.
T1 = datetime(2026, 3, 1, 8, 15, 30, 123456, tzinfo=UTC)
T2 = datetime(2026, 3, 1, 9, 40, 5, 654321, tzinfo=timezone(timedelta(hours=1)))
T3 = datetime(2026, 3, 2, 14, 5, 59, 999999, tzinfo=UTC)
ENDRINGER: list[tuple[Any, ...]] = [
    (SOKNAD_A, T1, "hpr:1001", "Kari Lege", "indikasjon"),
    (SOKNAD_A, T2, "hpr:2002", "Ola Medforfatter", "dosering"),
    (SOKNAD_B, T3, "hpr:3003", "Per Overlege", "begrunnelse"),
]
HF = {SOKNAD_A: "hf-vest", SOKNAD_B: "hf-nord"}
# An audit row written before the migration: a save logged without field names, which must stay as it
# is on the upgrade and must not turn into endring rows on the downgrade.
EARLIER_AUDIT = (T0, "hpr:1001", "soker", "hf-vest", SOKNAD_A, "skriv", "soknad.lagre", "Skrive søknad")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'soknad.sqlite'}"
    # Only the PostgreSQL case asks for pg_url, so the SQLite case creates no database on the server.
    url: str = request.getfixturevalue("pg_url")
    return url


async def migrate(engine: AsyncEngine, step: Callable[[Config], None]) -> None:
    """Runs one Alembic command on the engine, the way shared.platform.db.migrate.upgrade does."""
    config = alembic_config(MIGRATIONS)

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        step(config)

    async with engine.begin() as conn:
        await conn.run_sync(run)


async def query(engine: AsyncEngine, read: Callable[[Connection], Any]) -> Any:
    async with engine.connect() as conn:
        return await conn.run_sync(read)


def current_heads(conn: Connection) -> set[str]:
    return set(MigrationContext.configure(conn).get_current_heads())


def has_endring(conn: Connection) -> bool:
    return sa.inspect(conn).has_table("endring")


def audit_rows(conn: Connection) -> list[tuple[Any, ...]]:
    # Sorted by time: row ids are no part of what the migration promises.
    rows = conn.execute(sa.select(*AUDIT_AFTER.columns)).all()
    return sorted((tuple(r) for r in rows), key=lambda r: (r[0], r[1]))


def endring_rows(conn: Connection) -> list[tuple[Any, ...]]:
    rows = conn.execute(sa.select(*ENDRING.columns)).all()
    return sorted((tuple(r) for r in rows), key=lambda r: (r[1], r[2]))


def assert_same_instants(actual: list[tuple[Any, ...]], expected: list[tuple[Any, ...]], at: int) -> None:
    # Aware datetimes compare by instant whatever their offset, so row equality alone would accept a
    # time that came back in another zone; every time read must also be UTC, as UtcDateTime promises.
    assert actual == expected
    assert all(row[at].utcoffset() == timedelta(0) for row in actual)


def seed(conn: Connection) -> None:
    for soknad_id, hf in HF.items():
        conn.execute(
            SOKNAD.insert().values(
                id=soknad_id,
                hf=hf,
                type="individuell",
                kategori="legemiddel",
                status="utkast",
                soker_id="hpr:1001",
                soker_navn="Kari Lege",
                enhet="onkologi",
                medforfattere=[],
                innhold={},
                versjon=1,
                opprettet_at=T0,
                endret_at=T0,
                endret_av="hpr:1001",
            )
        )
    conn.execute(
        AUDIT_BEFORE.insert().values(dict(zip(AUDIT_BEFORE.columns.keys(), EARLIER_AUDIT, strict=True)))
    )
    for row in ENDRINGER:
        conn.execute(ENDRING.insert().values(dict(zip(ENDRING.columns.keys(), row, strict=True))))


async def test_field_history_moves_into_the_audit_log_and_back(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        # The two branches the migration joins; the second upgrade goes up its own branch only.
        for head in BRANCH_HEADS:
            await migrate(engine, partial(command.upgrade, revision=head))
        assert await query(engine, current_heads) == set(BRANCH_HEADS)

        async with engine.begin() as conn:
            await conn.run_sync(seed)
        assert_same_instants(await query(engine, endring_rows), ENDRINGER, at=1)

        await migrate(engine, partial(command.upgrade, revision=MERGE))
        assert await query(engine, current_heads) == {MERGE}
        assert not await query(engine, has_endring)
        moved = [
            (
                at,
                actor_id,
                "soker",
                HF[soknad_id],
                soknad_id,
                "skriv",
                "soknad.lagre",
                "Skrive søknad",
                navn,
                [felt],
            )
            for soknad_id, at, actor_id, navn, felt in ENDRINGER
        ]
        assert_same_instants(await query(engine, audit_rows), [(*EARLIER_AUDIT, None, None), *moved], at=0)

        # Downgrading to one parent of the merge takes away only the merge: the other branch is no
        # descendant of that parent, so it stays, and both branch heads are current again.
        await migrate(engine, partial(command.downgrade, revision=BRANCH_HEADS[0]))
        assert await query(engine, current_heads) == set(BRANCH_HEADS)
        assert_same_instants(await query(engine, endring_rows), ENDRINGER, at=1)
    finally:
        await engine.dispose()
