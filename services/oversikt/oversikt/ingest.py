"""Storing incoming summaries: `INSERT … ON CONFLICT (lopenummer) DO UPDATE … WHERE sekvens < …`.

The newest `sekvens` wins and an older or replayed summary changes nothing, decided by the database in
the statement that writes. The version it replaces is read first, locked, because the decision counts
(`telling.py`) must lose exactly what that version added. A lone summary takes two statements
(`upsert`, on PostgreSQL and SQLite); a group the inbox handles in one transaction takes a few
statements for all of it on PostgreSQL (`upsert_many`), which is what keeps national ingest close to the
broker's own rate."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import JSON, String, any_, bindparam, cast, func, literal_column, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from oversikt import telling
from oversikt.icd10 import kapittel, kategori
from oversikt.store import Sammendrag
from shared.events.contracts import SakSammendrag, SakSammendragV2
from shared.platform.db.driver_sql import DriverStatement, driver_connection
from shared.platform.errors import StaleVersion


def columns_of(event: SakSammendrag, now: datetime) -> dict[str, Any]:
    """The row's values, field by field like the mapper that built it (a column only from a named field)."""
    values: dict[str, Any] = {
        "lopenummer": event.lopenummer,
        "hf": event.hf,
        "rhf": event.rhf,
        "sekvens": event.sekvens,
        "type": event.type,
        "kategori": event.kategori,
        "legemiddel_navn": event.legemiddel_navn,
        "virkestoff": event.virkestoff,
        "atc": event.atc.upper() if event.atc else None,
        "icd10_kode": event.icd10_kode,
        "icd10_tekst": event.icd10_tekst,
        "status": event.status,
        "utfall": event.utfall,
        "vurderingsflyt": event.vurderingsflyt,
        "med_vilkar": event.med_vilkar,
        "sendt_maned": event.sendt_maned,
        "vedtak_maned": event.vedtak_maned,
        "behandlingstid_dager": event.behandlingstid_dager,
        "aldersgruppe": event.aldersgruppe,
        "kjonn": event.kjonn,
        "gruppe_storrelse": event.gruppe_storrelse,
        "kostnadsband": event.kostnadsband,
        "virkestoff_sok": event.virkestoff.lower(),
        "icd10_kategori": kategori(event.icd10_kode),
        "icd10_kapittel": kapittel(event.icd10_kode),
        "mottatt_at": now,
    }
    if isinstance(event, SakSammendragV2):
        values.update(
            sammendrag_versjon=2,
            endret=event.endret,
            etterregistrert=event.etterregistrert,
            effekt=event.effekt,
            fortsetter=event.fortsetter,
            avslutningsarsak=event.avslutningsarsak,
            bivirkningsgrad=event.bivirkningsgrad,
            gruppevedtak=event.gruppevedtak.model_dump(mode="json") if event.gruppevedtak else None,
        )
    return values


def row_of(event: SakSammendrag, now: datetime) -> dict[str, Any]:
    """The parameters of `upsert_statement`: a new case gets v1 defaults for what a v1 summary cannot
    say, is counted once and first seen now."""
    return {
        "sammendrag_versjon": 1,
        "endret": False,
        "etterregistrert": False,
        **columns_of(event, now),
        "oppdateringer": 1,
        "forste_mottatt_at": now,
    }


@cache
def upsert_statement(dialect: str, v2: bool) -> Any:
    """Built once per dialect and version, executed with `row_of`'s parameters: building and compiling a
    35-column upsert per summary costs more than running it."""
    statement = _upsert_without_returning(dialect, v2)
    # xmax = 0: the row was inserted, not updated (PostgreSQL's marker of a tuple no one has replaced).
    return statement.returning(INSERTED) if dialect == "postgresql" else statement


def _upsert_without_returning(dialect: str, v2: bool) -> Any:
    table: Any = Sammendrag.__table__
    insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    carried = [c.name for c in table.c if c.name not in KEPT and (v2 or c.name not in V2_ONLY)]
    # An existing case: every field the summary carries (v2-only ones only from a v2), one more update
    # counted; the first-seen time stays. Only a strictly higher sequence replaces.
    update: dict[str, Any] = {name: insert.excluded[name] for name in carried}
    update["oppdateringer"] = table.c.oppdateringer + 1
    return insert.on_conflict_do_update(
        index_elements=[table.c.lopenummer], set_=update, where=table.c.sekvens < insert.excluded.sekvens
    )


INSERTED: Any = literal_column("xmax = 0")


KEPT = ("lopenummer", "oppdateringer", "forste_mottatt_at")
"""Not overwritten by a newer version: the key, the update counter (incremented) and the first-seen time."""
V2_ONLY = (
    "sammendrag_versjon", "endret", "etterregistrert", "effekt", "fortsetter", "avslutningsarsak",
    "bivirkningsgrad", "gruppevedtak",
)  # fmt: skip
"""What a v1 summary newer than a v2 leaves as it was (it cannot speak of them)."""


async def upsert(session: AsyncSession, event: SakSammendrag, now: datetime) -> bool:
    """Store `event` if it is newer than what is stored, and move its decision in the counts
    (`telling.py`) from the version it replaces. True when it was stored."""
    dialect = session.get_bind().dialect.name
    # Core on the session's connection: the ORM's execution path adds nothing to these statements.
    connection = await session.connection()
    # The replaced version's counted columns (locked): the counts must lose exactly what it added.
    old = (await connection.execute(telling.GAMMEL_RAD, {"lopenummer": event.lopenummer})).mappings().first()
    if old is not None and old["sekvens"] >= event.sekvens:
        return False  # older or replayed: changes nothing, no write
    statement = upsert_statement(dialect, isinstance(event, SakSammendragV2))
    row = row_of(event, now)
    if dialect == "postgresql":
        inserted = (await connection.execute(statement, row)).scalar()
        if inserted is None:
            return False
        if old is None and not inserted:
            # Another transaction stored this case between our read and our write: our counts would miss
            # its version. Retried, the read sees it.
            raise StaleVersion("sammendraget ble lagret samtidig av en annen transaksjon")
    elif not (await connection.execute(statement, row)).rowcount:
        return False
    telling.endre(session, dict(old) if old is not None else None, row)
    return True


TIDSPUNKT = ("mottatt_at", "forste_mottatt_at")
"""The same for every row of a group (its `now`): passed once, beside the rows."""


@cache
def _upsert_gruppe(v2: bool, names: tuple[str, ...]) -> DriverStatement:
    """The group's upsert, its rows one JSON array turned into `sammendrag` records by PostgreSQL: the
    same statement for any group size, so it is compiled and prepared once. The driver encodes one text
    instead of an array a column, whose elements it checked one by one: a fifth of the consumer's CPU."""
    table: Any = Sammendrag.__table__
    fra_json = [name for name in names if name not in TIDSPUNKT]
    # The table's own row type: each JSON key becomes the column of its name, typed as the column is.
    ny = func.json_populate_recordset(
        literal_column(f"NULL::{table.name}"), cast(bindparam("rader", type_=String), JSON)
    ).table_valued(*fra_json, name="ny")
    tidspunkt = {name: bindparam(name, type_=table.c[name].type) for name in TIDSPUNKT}
    insert = pg_insert(table).from_select(
        list(names), select(*(tidspunkt[name] if name in tidspunkt else ny.c[name] for name in names))
    )
    carried = [c.name for c in table.c if c.name not in KEPT and (v2 or c.name not in V2_ONLY)]
    update: dict[str, Any] = {name: insert.excluded[name] for name in carried}
    update["oppdateringer"] = table.c.oppdateringer + 1
    return DriverStatement.of(
        insert.on_conflict_do_update(
            index_elements=[table.c.lopenummer], set_=update, where=table.c.sekvens < insert.excluded.sekvens
        ).returning(table.c.lopenummer, INSERTED)
    )


def _gruppe_parametre(rows: Sequence[dict[str, Any]], now: datetime) -> dict[str, Any]:
    return {
        "rader": json.dumps([{k: v for k, v in row.items() if k not in TIDSPUNKT} for row in rows]),
        **dict.fromkeys(TIDSPUNKT, now),
    }


_UTEN_SEKVENSIELL_LESING = "SET LOCAL enable_seqscan = off"

_GAMLE_RADER = DriverStatement.of(
    select(Sammendrag.lopenummer, Sammendrag.sekvens, *(getattr(Sammendrag, k) for k in telling.KILDE))
    .where(Sammendrag.lopenummer == any_(bindparam("lopenumre", type_=ARRAY(String))))
    .order_by(Sammendrag.lopenummer)
    .with_for_update()
)
"""`telling.GAMMEL_RAD` for a whole group, locked in løpenummer order: two groups in flight at once lock
the cases they share in the same order."""


async def upsert_many(session: AsyncSession, events: Sequence[SakSammendrag], now: datetime) -> int:
    """`upsert` of each event in turn, with the same effect, in a few statements a group on PostgreSQL
    (one locked read, one upsert per summary version, one write of the counts per table) instead of
    four per summary: those round trips were most of what national ingest cost. They go straight to the
    driver (`driver_sql.py`), where SQLAlchemy's execution cost more than the statements. How many were
    stored."""
    if session.get_bind().dialect.name != "postgresql" or len(events) < 2:
        return sum([await upsert(session, event, now) for event in events])
    forste: dict[str, SakSammendrag] = {}
    senere: list[SakSammendrag] = []  # a case's later versions in the same group: one by one, after
    for event in events:
        if event.lopenummer in forste:
            senere.append(event)
        else:
            forste[event.lopenummer] = event
    driver = await driver_connection(session)
    # The locked read must look the group's keys up in the primary key. A national overview that starts
    # empty and takes a backlog has no statistics on `sammendrag` until autoanalyze runs, and the planner
    # then scans the table for every group (5.7 ms a group at 5,000 rows, and growing with it). For this
    # transaction only.
    await driver.execute(_UTEN_SEKVENSIELL_LESING)
    gamle = {row["lopenummer"]: row for row in await _GAMLE_RADER.fetch(driver, {"lopenumre": list(forste)})}
    rader: dict[bool, list[dict[str, Any]]] = {False: [], True: []}
    for lopenummer, event in forste.items():
        old = gamle.get(lopenummer)
        if old is None or old["sekvens"] < event.sekvens:
            rader[isinstance(event, SakSammendragV2)].append(row_of(event, now))
    stored = 0
    delta: Counter[telling.Nokkel] = Counter()
    for v2, rows in rader.items():
        if not rows:
            continue
        statement = _upsert_gruppe(v2, tuple(rows[0]))
        written = {
            lopenummer: inserted
            for lopenummer, inserted in await statement.fetch(driver, _gruppe_parametre(rows, now))
        }
        for row in rows:
            inserted = written.get(row["lopenummer"])
            if inserted is None:
                continue
            old = gamle.get(row["lopenummer"])
            if old is None and not inserted:
                raise StaleVersion("sammendraget ble lagret samtidig av en annen transaksjon")
            telling.flytt(delta, old, row)
            stored += 1
    for event in senere:
        stored += await upsert(session, event, now)
    # The later versions' counts join the group's, so every count is written once, in key order.
    delta.update(telling.ta_ut(session))
    await telling.skriv(driver, delta)
    return stored
