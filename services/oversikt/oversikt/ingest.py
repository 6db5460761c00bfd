"""Storing one incoming summary as a single `INSERT … ON CONFLICT (lopenummer) DO UPDATE … WHERE`.

The newest `sekvens` wins and an older or replayed summary changes nothing, decided by the database in
the same statement that writes: no locked read first, no ORM object, one round trip per summary. Within
the inbox's groups (many summaries, one transaction) that is what keeps national ingest close to the
broker's own rate. PostgreSQL and SQLite both accept the statement."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Insert, literal_column
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


def upsert_statement(dialect: str, event: SakSammendrag, now: datetime) -> Insert:
    values = columns_of(event, now)
    # A new case: v1 defaults for what a v1 summary cannot say; counted once, first seen now.
    row = {
        "sammendrag_versjon": 1,
        "endret": False,
        "etterregistrert": False,
        **values,
        "oppdateringer": 1,
        "forste_mottatt_at": now,
    }
    insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(Sammendrag).values(**row)
    table = Sammendrag.__table__
    # An existing case: every field the summary carries (v2-only ones only from a v2), one more update
    # counted; the first-seen time stays. Only a strictly higher sequence replaces.
    update: dict[str, Any] = {name: insert.excluded[name] for name in values if name != "lopenummer"}
    update["oppdateringer"] = table.c.oppdateringer + 1
    return insert.on_conflict_do_update(
        index_elements=[table.c.lopenummer],
        set_=update,
        where=table.c.sekvens < insert.excluded.sekvens,
    )


async def upsert(session: AsyncSession, event: SakSammendrag, now: datetime) -> bool:
    """Store `event` if it is newer than what is stored, and move its decision in the counts
    (`telling.py`) from the version it replaces. True when it was stored."""
    dialect = session.get_bind().dialect.name
    # Core on the session's connection: the ORM's execution path adds nothing to these statements.
    connection = await session.connection()
    # The replaced version's counted columns (locked): the counts must lose exactly what it added.
    old = (await connection.execute(telling.gammel_rad_query(event.lopenummer))).mappings().first()
    if old is not None and old["sekvens"] >= event.sekvens:
        return False  # older or replayed: changes nothing, no write
    statement = upsert_statement(dialect, event, now)
    if dialect == "postgresql":
        # xmax = 0: the row was inserted, not updated (PostgreSQL's marker of an unlocked new tuple).
        inserted = (await connection.execute(statement.returning(literal_column("xmax = 0")))).scalar()
        if inserted is None:
            return False
        if old is None and not inserted:
            # Another transaction stored this case between our read and our write: our counts would miss
            # its version. Retried, the read sees it.
            raise StaleVersion("sammendraget ble lagret samtidig av en annen transaksjon")
    elif not (await connection.execute(statement)).rowcount:
        return False
    telling.endre(session, dict(old) if old is not None else None, columns_of(event, now))
    return True
