"""The write of one import batch, in the unit of work's transaction: marks, løpenumre, cases, history,
audit lines and outbox rows, a statement per table and not per row (COPY on PostgreSQL)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from json.encoder import encode_basestring
from typing import Any, cast

from sqlalchemy import JSON, Table, insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events.contracts import SakEtterregistrert
from shared.platform.auth.principal import Role
from shared.platform.bus.base import exchange_for
from shared.platform.db.uow import LOCAL, UnitOfWork
from shared.platform.observability.logging import current_correlation_id, mark_sensitive
from soknad.domain import format_lopenummer
from soknad.etterregistrering.modell import EtterregistrertSak, EtterregJobb
from soknad.etterregistrering.saksrader import (
    Forberedt,
    envelope_head,
    event_data_json,
    registrert_json,
)
from soknad.store import Historikk, LopenummerTeller, Soknad

SOKNAD_COLUMNS = (
    "id",
    "hf",
    "lopenummer",
    "type",
    "kategori",
    "status",
    "soker_id",
    "soker_navn",
    "enhet",
    "medforfattere",
    "innhold",
    "skjema_versjon",
    "vedtak",
    "versjon",
    "opprettet_at",
    "endret_at",
    "endret_av",
    "sendt_at",
    "vedtatt_at",
    "utfall",
    "legemiddel_navn",
    "virkestoff",
    "atc",
    "icd10_kode",
    "icd10_tekst",
)
HISTORIKK_COLUMNS = ("soknad_id", "at", "actor_id", "actor_navn", "hendelse", "detalj")
AUDIT_COLUMNS = (
    "at",
    "actor_id",
    "actor_role",
    "hf",
    "case_ref",
    "action",
    "what",
    "purpose",
    "correlation_id",
    "actor_navn",
    "felt",
)
OUTBOX_COLUMNS = (
    "event_id",
    "destination",
    "exchange",
    "routing_key",
    "event_type",
    "user_id",
    "envelope",
    "created_at",
    "attempts",
)


HENDELSE = "etterregistrert"
"""The history line's kind."""


@dataclass(frozen=True)
class Importor:
    """Who imports in the background: the admin who uploaded, as the audit log names them."""

    user_id: str
    name: str
    hf: str
    role: str = Role.ADMIN.value


async def write_batch(uow: UnitOfWork, jobb: EtterregJobb, rows: Sequence[Forberedt]) -> None:
    """The rows as decided cases. A row whose stable key was imported before (a re-upload) is skipped and
    counted. The marks are written first, each claiming its key in the unique index, and only the rows
    whose claim succeeded become cases: race-free, and one index probe per row (an `IN` list over a table
    that grows during the import is planned as a scan)."""
    now = uow.now
    claimed = await _claim_keys(uow, jobb, rows, now)
    new = [row for row in rows if row.soknad_id in claimed]
    first_per_year = await _reserve_lopenumre(
        uow.session,
        pg_insert if uow.db.engine.dialect.name == "postgresql" else sqlite_insert,
        hf=jobb.hf,
        per_year=Counter(row.aar for row in new),
    )
    if new:
        actor = Importor(user_id=jobb.opprettet_av, name=jobb.opprettet_av_navn, hf=jobb.hf)
        head = '{"specversion":"1.0","id":"'
        rest = f'",{envelope_head(jobb.hf, now)}"subject":'
        correlation_id = current_correlation_id()
        tail = f',"correlationid":{encode_basestring(correlation_id)},"data":'
        exchange = exchange_for(uow.db.service)
        routing_key = f"{jobb.hf}.{SakEtterregistrert.TYPE}"
        registrert = registrert_json(actor.user_id, now)
        detalj = f"Etterregistrert fra filen «{jobb.filnavn}», rad "
        written = (now, now, jobb.opprettet_av)
        soknader: list[tuple[Any, ...]] = []
        history: list[tuple[Any, ...]] = []
        audit: list[tuple[Any, ...]] = []
        outbox: list[tuple[Any, ...]] = []
        for row in new:
            lopenummer = format_lopenummer(jobb.hf, row.aar, first_per_year[row.aar])
            first_per_year[row.aar] += 1
            soknader.append(
                (row.soknad_id, jobb.hf, lopenummer, *row.soknad_midt, *written, *row.soknad_slutt)
            )
            history.append(
                (row.soknad_id, now, actor.user_id, actor.name, HENDELSE, f"{detalj}{row.radnummer}.")
            )
            # One line per case: the import is a write of the patient's data, and the privacy officer's
            # access log of a patient finds its lines by the case.
            audit.append(
                (
                    now,
                    actor.user_id,
                    actor.role,
                    actor.hf,
                    lopenummer,
                    "skriv",
                    "etterregistrering.import",
                    "Etterregistrering",
                    correlation_id,
                    actor.name,
                    None,
                )
            )
            envelope = (
                f'{head}{row.event_id}{rest}"{lopenummer}"{tail}'
                f"{event_data_json(row, lopenummer, registrert)}}}"
            )
            outbox.append(
                (row.event_id, LOCAL, exchange, routing_key, SakEtterregistrert.TYPE, None, envelope, now, 0)
            )
        mark_sensitive(*(row.fodselsnummer for row in new))
        await bulk_insert(uow, _table(Soknad), SOKNAD_COLUMNS, soknader)
        await bulk_insert(uow, _table(Historikk), HISTORIKK_COLUMNS, history)
        await bulk_insert(uow, uow.db.tables.audit, AUDIT_COLUMNS, audit)
        await bulk_insert(uow, uow.db.tables.outbox, OUTBOX_COLUMNS, outbox)
    # In SQL, not from the loaded row: another runner's batch may have counted meanwhile.
    jobber = _table(EtterregJobb)
    await uow.session.execute(
        update(jobber)
        .where(jobber.c.id == jobb.id)
        .values(
            importert=jobber.c.importert + len(new),
            hoppet_over=jobber.c.hoppet_over + len(rows) - len(new),
            endret_at=now,
        )
    )


async def _claim_keys(
    uow: UnitOfWork, jobb: EtterregJobb, rows: Sequence[Forberedt], now: datetime
) -> set[str]:
    """Write the marks whose key is not taken; the case ids of those written."""
    table = _table(EtterregistrertSak)
    if uow.db.engine.dialect.name == "postgresql":
        # One statement over arrays (one round trip, binary parameters) rather than an executemany of
        # thousands of parameter sets: COPY cannot skip the keys a re-upload finds taken.
        driver = await _driver(uow)
        claimed = await driver.fetch(
            "INSERT INTO etterregistrert_sak (soknad_id, hf, nokkel, saksreferanse, jobb_id, radnummer, "
            "registrert_at) SELECT s, $1, n, r, $2, nr, $3 FROM unnest($4::varchar[], $5::varchar[], "
            "$6::varchar[], $7::int[]) AS t(s, n, r, nr) "
            "ON CONFLICT (hf, nokkel) DO NOTHING RETURNING soknad_id",
            jobb.hf,
            jobb.id,
            now,
            [row.soknad_id for row in rows],
            [row.nokkel for row in rows],
            [row.saksreferanse for row in rows],
            [row.radnummer for row in rows],
        )
        return {r[0] for r in claimed}
    return set(
        await uow.session.scalars(
            sqlite_insert(table)
            .on_conflict_do_nothing(index_elements=["hf", "nokkel"])
            .returning(table.c.soknad_id),
            [
                {
                    "soknad_id": row.soknad_id,
                    "hf": jobb.hf,
                    "nokkel": row.nokkel,
                    "saksreferanse": row.saksreferanse,
                    "jobb_id": jobb.id,
                    "radnummer": row.radnummer,
                    "registrert_at": now,
                }
                for row in rows
            ],
        )
    )


async def _reserve_lopenumre(
    session: AsyncSession, dialect_insert: Any, *, hf: str, per_year: Counter[int]
) -> dict[int, int]:
    """The first of `n` consecutive sequence numbers per year, from soknad's own løpenummer counter (so an
    imported case never shares a number with a sent one). One upsert for all the batch's years: it
    creates a year's counter or takes from it under its row lock, which serialises the takers."""
    if not per_year:
        return {}
    table = _table(LopenummerTeller)
    statement = dialect_insert(table)
    rows = await session.execute(
        statement.on_conflict_do_update(
            index_elements=["hf", "aar"], set_={"neste": table.c.neste + statement.excluded.neste - 1}
        ).returning(table.c.aar, table.c.neste),
        [{"hf": hf, "aar": aar, "neste": 1 + antall} for aar, antall in sorted(per_year.items())],
    )
    return {int(aar): int(neste) - per_year[int(aar)] for aar, neste in rows}


async def bulk_insert(
    uow: UnitOfWork, table: Table, columns: Sequence[str], records: Sequence[tuple[Any, ...]]
) -> None:
    """Thousands of rows in the unit of work's transaction: PostgreSQL's COPY where there is one (the
    per-row parameter processing of an executemany is most of an import's time), else Core inserts.
    JSON columns come as JSON text (or None), written once by the caller."""
    if not records:
        return
    if uow.db.engine.dialect.name == "postgresql":
        driver = await _driver(uow)
        await driver.copy_records_to_table(table.name, records=records, columns=list(columns))
        return
    # SQLite (the tests): Core's JSON type encodes Python values itself.
    json_at = {i for i, c in enumerate(columns) if isinstance(table.c[c].type, JSON)}
    await uow.session.execute(
        insert(table),
        [
            {
                c: json.loads(v) if i in json_at and v is not None else v
                for i, (c, v) in enumerate(zip(columns, r, strict=True))
            }
            for r in records
        ],
    )


async def _driver(uow: UnitOfWork) -> Any:
    connection = await (await uow.session.connection()).get_raw_connection()
    driver = connection.driver_connection
    assert driver is not None
    return driver


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)
