"""The soknad migration f4c2b7d9e1a3 splits an earlier delegation line into a public line and a
leaders-only comment, and its downgrade joins them again, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any

import sqlalchemy as sa
from alembic import command
from sqlalchemy import Connection

from shared.platform.db.engine import create_engine
from shared.platform.db.types import UtcDateTime
from tests.integration.test_migration_field_history import (  # noqa: F401 - database_url is a fixture
    SOKNAD,
    database_url,
    migrate,
    query,
)

BEFORE = "e5a1c0f7d2b4"
SPLIT = "f4c2b7d9e1a3"
SOKNAD_ID = "33333333-3333-3333-3333-333333333333"
AT = datetime(2026, 5, 4, 10, 30, 0, 250000, tzinfo=UTC)
HISTORIKK = sa.table(
    "historikk",
    sa.column("soknad_id", sa.String()),
    sa.column("at", UtcDateTime()),
    sa.column("actor_id", sa.String()),
    sa.column("actor_navn", sa.String()),
    sa.column("hendelse", sa.String()),
    sa.column("detalj", sa.Text()),
)
OLD = [
    ("sendt", "Sendt til forankring hos Nevrologisk avdeling"),
    ("delegert", "Forankringen er delegert til Revmatologisk avdeling: Se notatet: dosen er høy."),
]


def seed(conn: Connection) -> None:
    conn.execute(
        SOKNAD.insert().values(
            id=SOKNAD_ID,
            hf="HBE",
            type="enkeltpasient",
            kategori="off_label",
            status="til_forankring",
            soker_id="hbe-soker",
            soker_navn="Kari Nordmann",
            enhet="HBE-REVMA",
            medforfattere=[],
            innhold={},
            versjon=1,
            opprettet_at=AT,
            endret_at=AT,
            endret_av="hbe-leder",
        )
    )
    for hendelse, detalj in OLD:
        conn.execute(
            HISTORIKK.insert().values(
                soknad_id=SOKNAD_ID,
                at=AT,
                actor_id="hbe-leder",
                actor_navn="Per Hansen",
                hendelse=hendelse,
                detalj=detalj,
            )
        )


def lines(conn: Connection) -> list[tuple[Any, ...]]:
    rows = conn.execute(sa.select(HISTORIKK.c.at, HISTORIKK.c.hendelse, HISTORIKK.c.detalj)).all()
    return sorted(tuple(r) for r in rows)


async def test_an_earlier_delegation_comment_becomes_a_leaders_only_line_and_back(database_url: str) -> None:  # noqa: F811
    engine = create_engine(database_url)
    try:
        await migrate(engine, partial(command.upgrade, revision=BEFORE))
        async with engine.begin() as conn:
            await conn.run_sync(seed)

        await migrate(engine, partial(command.upgrade, revision=SPLIT))
        assert await query(engine, lines) == [
            (AT, "delegert", "Forankringen er delegert til Revmatologisk avdeling."),
            (AT, "delegert_kommentar", "Kommentar til lederen som overtar: Se notatet: dosen er høy."),
            (AT, "sendt", "Sendt til forankring hos Nevrologisk avdeling"),
        ]

        await migrate(engine, partial(command.downgrade, revision=BEFORE))
        assert await query(engine, lines) == sorted((AT, *line) for line in OLD)
    finally:
        await engine.dispose()
