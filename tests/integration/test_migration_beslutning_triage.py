"""beslutning's migration 7d3e5a9c2b61 (triage, deadlines, scope, amendments): cases and decisions made
before it get their new columns from the snapshot and the decision, an untriaged case lands in the
director's inbox, and the downgrade returns to one decision per case; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.platform.db.engine import create_engine
from shared.platform.db.migrate import alembic_config
from shared.platform.db.types import UtcDateTime

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "beslutning" / "beslutning" / "migrations"
BEFORE = "1ff964c479a9"
AFTER = "7d3e5a9c2b61"
AT = datetime(2026, 5, 4, 10, 30, tzinfo=UTC)
SAK = sa.table(
    "sak",
    *(
        sa.column(c, sa.String())
        for c in ("id", "hf", "soknad_id", "lopenummer", "type", "kategori", "status")
    ),
    sa.column("snapshot", sa.JSON()),
    sa.column("versjon", sa.Integer()),
    *(sa.column(c, UtcDateTime()) for c in ("forankret_at", "opprettet_at", "endret_at")),
)
VEDTAK = sa.table(
    "vedtak",
    *(
        sa.column(c, sa.String())
        for c in ("id", "sak_id", "utfall", "begrunnelse", "vurderingsflyt", "fattet_av")
    ),
    sa.column("fattet_av_navn", sa.String()),
    sa.column("fattet_at", UtcDateTime()),
)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'beslutning.sqlite'}"
    url: str = request.getfixturevalue("pg_url")
    return url


async def migrate(engine: AsyncEngine, step: Callable[[Config], None]) -> None:
    config = alembic_config(MIGRATIONS)

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        step(config)

    async with engine.begin() as conn:
        await conn.run_sync(run)


def snapshot(enhet: str) -> dict[str, Any]:
    return {
        "enhet": enhet,
        "legemiddel": {"navn": "MabThera", "virkestoff": " Rituksimab ", "atc": "L01FA01"},
        "indikasjon": {"kode": "g35", "tekst": "Multippel sklerose"},
    }


def seed(conn: Connection) -> None:
    for n, status in ((1, "venter_pa_anbefaling"), (2, "vedtatt")):
        conn.execute(
            SAK.insert().values(
                id=f"sak-{n}", hf="HBE", soknad_id=f"soknad-{n}", lopenummer=f"HBE-2026-00000{n}",
                type="enkeltpasient", kategori="off_label", status=status, snapshot=snapshot("HBE-NEVRO"),
                versjon=1, forankret_at=AT, opprettet_at=AT, endret_at=AT,
            )
        )  # fmt: skip
    conn.execute(
        VEDTAK.insert().values(
            id="vedtak-2", sak_id="sak-2", utfall="innvilget", begrunnelse="Ok.", vurderingsflyt="komplett",
            fattet_av="hbe-fagdirektor", fattet_av_navn="Lars Haugen", fattet_at=AT,
        )
    )  # fmt: skip


def read(conn: Connection) -> dict[str, Any]:
    saker = conn.execute(
        sa.text("SELECT id, status, enhet, virkestoff, icd10, frist, vurderingsflyt FROM sak ORDER BY id")
    ).all()
    vedtak = conn.execute(sa.text("SELECT id, forste_for_sak, art, gjeldende FROM vedtak")).all()
    return {"saker": [tuple(r) for r in saker], "vedtak": [tuple(r) for r in vedtak]}


async def test_earlier_cases_get_their_columns_and_the_untriaged_one_awaits_triage(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await migrate(engine, partial(command.upgrade, revision=BEFORE))
        async with engine.begin() as conn:
            await conn.run_sync(seed)
        await migrate(engine, partial(command.upgrade, revision=AFTER))
        async with engine.connect() as conn:
            after = await conn.run_sync(read)
        frist = date(2026, 5, 18)
        assert [(s[0], s[1], s[2], s[3], s[4], str(s[5]), s[6]) for s in after["saker"]] == [
            ("sak-1", "til_triage", "HBE-NEVRO", "rituksimab", "G35", str(frist), None),
            ("sak-2", "vedtatt", "HBE-NEVRO", "rituksimab", "G35", str(frist), "komplett"),
        ]
        assert [(v[0], v[1], v[2], bool(v[3])) for v in after["vedtak"]] == [
            ("vedtak-2", "sak-2", "vedtak", True)
        ]

        await migrate(engine, partial(command.downgrade, revision=BEFORE))
        async with engine.connect() as conn:
            statuses = (await conn.execute(sa.text("SELECT id, status FROM sak ORDER BY id"))).all()
        assert [tuple(s) for s in statuses] == [("sak-1", "venter_pa_anbefaling"), ("sak-2", "vedtatt")]
    finally:
        await engine.dispose()
