"""integrasjon's b8e2f4a61c07 (what the national summary v2 is built from) keeps every projected case,
which reads as never amended and never post-registered, on SQLite and PostgreSQL; its downgrade drops
only the new columns."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from sqlalchemy import Connection

from shared.platform.db.engine import create_engine
from shared.platform.db.migrate import alembic_config

ROOT = Path(__file__).resolve().parents[2]
BEFORE, AFTER = "7c1e4b2a9d30", "b8e2f4a61c07"
NEW = {
    "vedtak_fattet_at", "endret", "etterregistrert", "oppfolging_fortsetter", "oppfolging_avslutningsarsak",
    "oppfolging_bivirkningsgrad", "gruppe_beskrivelse", "gruppevedtak_dosering", "gruppevedtak_vilkar",
    "gruppevedtak_begrunnelse", "gruppevedtak_gyldig_fra", "gruppevedtak_gyldig_til",
    "gruppevedtak_enhet_navn",
}  # fmt: skip


def _migrate(connection: Connection, target: str, *, down: bool = False) -> None:
    config = alembic_config(ROOT / "services" / "integrasjon" / "integrasjon" / "migrations")
    config.attributes["connection"] = connection
    (command.downgrade if down else command.upgrade)(config, target)


def _columns(connection: Connection) -> set[str]:
    return {c["name"] for c in sa.inspect(connection).get_columns("sak_projeksjon")}


def _insert_v1_case(connection: Connection) -> None:
    connection.execute(
        sa.text(
            "INSERT INTO sak_projeksjon (lopenummer, soknad_id, hf, type, kategori, legemiddel_navn,"
            " virkestoff, atc, icd10_kode, icd10_tekst, sendt_maned, sendt_dato, status, utfall, med_vilkar,"
            " sekvens, oppfolging_effekt, endret_at) VALUES ('HBE-2026-000001', 's-1', 'HBE',"
            " 'enkeltpasient', 'off_label', 'MabThera', 'rituksimab', 'L01FA01', 'G35',"
            " 'Multippel sklerose', '2026-03', :sendt, 'vedtatt', 'innvilget', :false, 2, 'god', :at)"
        ),
        {"sendt": date(2026, 3, 2), "false": False, "at": datetime(2026, 3, 20, tzinfo=UTC)},
    )


def _case(connection: Connection) -> tuple[object, ...]:
    row = connection.execute(
        sa.text(
            "SELECT lopenummer, status, sekvens, oppfolging_effekt, endret, etterregistrert,"
            " gruppevedtak_vilkar FROM sak_projeksjon"
        )
    ).one()
    return tuple(row)


async def _round_trip(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_migrate, BEFORE)
            await conn.run_sync(_insert_v1_case)
        async with engine.begin() as conn:
            await conn.run_sync(_migrate, AFTER)
            assert await conn.run_sync(_case) == ("HBE-2026-000001", "vedtatt", 2, "god", False, False, None)
        async with engine.begin() as conn:
            await conn.run_sync(_migrate, BEFORE, down=True)
            columns = await conn.run_sync(_columns)
            assert columns.isdisjoint(NEW) and {"lopenummer", "oppfolging_effekt", "sekvens"} <= columns
            count = await conn.scalar(sa.text("SELECT count(*) FROM sak_projeksjon"))
            assert count == 1
    finally:
        await engine.dispose()


async def test_the_v2_columns_keep_the_cases_on_sqlite(tmp_path: Path) -> None:
    await _round_trip(f"sqlite+aiosqlite:///{tmp_path / 'm.sqlite'}")


async def test_the_v2_columns_keep_the_cases_on_postgres(pg_url: str) -> None:
    await _round_trip(pg_url)
