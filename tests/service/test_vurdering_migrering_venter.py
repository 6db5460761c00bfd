"""vurdering's migration d4b8e1f20a37: a case with the committee that has a question to the applicant
still open (asked before the status existed) waits for the answer after the upgrade; an answered one,
and a case in any other status, stays; the downgrade returns the waiting cases to «til vurdering»."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.platform.db.engine import create_engine
from shared.platform.db.migrate import alembic_config

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "vurdering" / "vurdering" / "migrations"
BEFORE = "c7d2e4a1f905"
AFTER = "d4b8e1f20a37"
AT = datetime(2026, 5, 4, 10, 30, tzinfo=UTC)


async def migrate(engine: AsyncEngine, step: Callable[[Config], None]) -> None:
    config = alembic_config(MIGRATIONS)

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        step(config)

    async with engine.begin() as conn:
        await conn.run_sync(run)


def _row(table: sa.Table, **values: Any) -> dict[str, Any]:
    """The given values, and a placeholder for every other required column (whatever the schema adds)."""
    row = dict(values)
    for column in table.columns:
        if column.name in row or column.nullable or column.server_default is not None:
            continue
        kind = column.type
        if isinstance(kind, sa.Integer):
            row[column.name] = 1
        elif isinstance(kind, sa.DateTime):
            row[column.name] = AT
        elif isinstance(kind, sa.Date):
            row[column.name] = date(2026, 5, 4)
        elif isinstance(kind, sa.JSON):
            row[column.name] = {}
        else:
            row[column.name] = f"{column.name}-{values.get('id', 'x')}"
    return row


def seed(conn: Connection) -> None:
    meta = sa.MetaData()
    sak = sa.Table("sak", meta, autoload_with=conn)
    sporsmal = sa.Table("sporsmal", meta, autoload_with=conn)
    for sak_id, status in (
        ("apen", "til_vurdering"),
        ("besvart", "til_vurdering"),
        ("ingen", "til_vurdering"),
        ("anbefalt", "anbefalt"),
    ):
        conn.execute(sak.insert().values(_row(sak, id=sak_id, soknad_id=f"s-{sak_id}", status=status)))
    for q_id, sak_id, besvart in (
        ("q1", "apen", None),
        ("q2", "besvart", AT),
        ("q3", "anbefalt", None),
    ):
        conn.execute(
            sporsmal.insert().values(_row(sporsmal, id=q_id, sak_id=sak_id, besvart_at=besvart, svar=None))
        )


def statuses(conn: Connection) -> dict[str, str]:
    return {r.id: r.status for r in conn.execute(sa.text("SELECT id, status FROM sak"))}


async def test_a_case_with_an_open_question_waits_after_the_upgrade(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'vurdering.sqlite'}")
    try:
        await migrate(engine, lambda c: command.upgrade(c, BEFORE))
        async with engine.begin() as conn:
            await conn.run_sync(seed)
        await migrate(engine, lambda c: command.upgrade(c, AFTER))
        async with engine.connect() as conn:
            assert await conn.run_sync(statuses) == {
                "apen": "venter_pa_svar",
                "besvart": "til_vurdering",
                "ingen": "til_vurdering",
                "anbefalt": "anbefalt",
            }
        await migrate(engine, lambda c: command.downgrade(c, BEFORE))
        async with engine.connect() as conn:
            assert (await conn.run_sync(statuses))["apen"] == "til_vurdering"
    finally:
        await engine.dispose()
