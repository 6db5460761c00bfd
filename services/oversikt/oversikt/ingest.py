"""Storing one incoming summary as a single `INSERT … ON CONFLICT (lopenummer) DO UPDATE … WHERE`.

The newest `sekvens` wins and an older or replayed summary changes nothing, decided by the database in
the same statement that writes: no locked read first, no ORM object, one round trip per summary. Within
the inbox's groups (many summaries, one transaction) that is what keeps national ingest close to the
broker's own rate. PostgreSQL and SQLite both accept the statement."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import literal_column
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from oversikt import telling
from oversikt.icd10 import kapittel, kategori
from oversikt.store import Sammendrag
from shared.events.contracts import SakSammendrag, SakSammendragV2
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
    table: Any = Sammendrag.__table__
    insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    carried = [c.name for c in table.c if c.name not in KEPT and (v2 or c.name not in V2_ONLY)]
    # An existing case: every field the summary carries (v2-only ones only from a v2), one more update
    # counted; the first-seen time stays. Only a strictly higher sequence replaces.
    update: dict[str, Any] = {name: insert.excluded[name] for name in carried}
    update["oppdateringer"] = table.c.oppdateringer + 1
    statement = insert.on_conflict_do_update(
        index_elements=[table.c.lopenummer], set_=update, where=table.c.sekvens < insert.excluded.sekvens
    )
    # xmax = 0: the row was inserted, not updated (PostgreSQL's marker of a tuple no one has replaced).
    return statement.returning(literal_column("xmax = 0")) if dialect == "postgresql" else statement


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
