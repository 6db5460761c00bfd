"""Use cases of post-registration: start a job, record a checked batch, import a batch, choose to import
only the valid rows, discard, read the job and its report. Each batch is its own transaction."""

from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from json.encoder import encode_basestring
from typing import Any, cast

from sqlalchemy import JSON, Table, delete, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.kalender import OSLO
from shared.events.contracts import SakEtterregistrert
from shared.platform.auth.principal import Principal, Role
from shared.platform.bus.base import exchange_for
from shared.platform.db.uow import LOCAL, Database, UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import InvalidTransition, NotFound
from shared.platform.observability.logging import current_correlation_id, mark_sensitive
from soknad.domain import Status, format_lopenummer
from soknad.etterregistrering.modell import EtterregFeil, EtterregistrertSak, EtterregJobb, EtterregRad
from soknad.etterregistrering.validering import Feil
from soknad.store import Historikk, LopenummerTeller, Soknad

MAX_FEIL_LAGRET = 10_000
"""Report lines kept per job; the counts stay exact beyond it."""
SOKER_ID = "etterregistrering"
"""The applicant of an imported case: no user of the system wrote it."""
BEGRUNNELSE = "Etterregistrert vedtak, fattet før Søknadsportalen ble tatt i bruk."

VALIDERER = "validerer"
HAR_FEIL = "har_feil"
IMPORTERER = "importerer"
FERDIG = "ferdig"
FEILET = "feilet"
FORKASTET = "forkastet"
STATUS_LABELS = {
    VALIDERER: "Kontrollerer radene",
    HAR_FEIL: "Har feil – ingenting er importert",
    IMPORTERER: "Importerer",
    FERDIG: "Ferdig",
    FEILET: "Stoppet",
    FORKASTET: "Forkastet – ingenting er importert",
}
AKTIVE = frozenset({VALIDERER, IMPORTERER})


@dataclass(frozen=True)
class Importor:
    """Who imports in the background: the admin who uploaded, as the audit log names them."""

    user_id: str
    name: str
    hf: str
    role: str = Role.ADMIN.value


@dataclass(frozen=True)
class Jobbvisning:
    jobb: EtterregJobb
    feil: list[EtterregFeil]


def require_admin(p: Principal) -> None:
    p.require(Role.ADMIN)


async def _jobb(uow: UnitOfWork, jobb_id: str, *, hf: str | None = None) -> EtterregJobb:
    jobb = await uow.session.get(EtterregJobb, jobb_id)
    if jobb is None or (hf is not None and jobb.hf != hf):
        raise NotFound("Importen finnes ikke.")
    return jobb


# --- commands of the admin -----------------------------------------------------------------------


@use_case
async def start_jobb(uow: UnitOfWork, p: Principal, *, filnavn: str, bare_gyldige: bool) -> EtterregJobb:
    require_admin(p)
    now = uow.now
    jobb = EtterregJobb(
        id=str(uuid.uuid4()),
        hf=p.hf,
        filnavn=filnavn[-200:] or "uten navn",
        status=VALIDERER,
        bare_gyldige=bare_gyldige,
        rader=0,
        gyldige=0,
        feilrader=0,
        feil=0,
        importert=0,
        hoppet_over=0,
        opprettet_av=p.user_id,
        opprettet_av_navn=p.name,
        opprettet_at=now,
        endret_at=now,
    )
    uow.session.add(jobb)
    uow.audit(
        p, action="skriv", what="etterregistrering.last_opp", case_ref=jobb.id, purpose="Etterregistrering"
    )
    return jobb


@use_case
async def choose_valid_only(uow: UnitOfWork, p: Principal, jobb_id: str) -> EtterregJobb:
    """The admin imports the valid rows of a file that has errors, leaving the bad rows out."""
    require_admin(p)
    jobb = await _jobb(uow, jobb_id, hf=p.hf)
    if jobb.status != HAR_FEIL:
        raise InvalidTransition("Importen venter ikke på et valg.")
    jobb.bare_gyldige = True
    jobb.status = IMPORTERER if jobb.gyldige else FERDIG
    jobb.endret_at = uow.now
    if jobb.status == FERDIG:
        jobb.ferdig_at = uow.now
    uow.audit(
        p,
        action="skriv",
        what="etterregistrering.bare_gyldige",
        case_ref=jobb.id,
        purpose="Etterregistrering",
    )
    return jobb


@use_case
async def discard(uow: UnitOfWork, p: Principal, jobb_id: str) -> EtterregJobb:
    require_admin(p)
    jobb = await _jobb(uow, jobb_id, hf=p.hf)
    if jobb.status != HAR_FEIL:
        raise InvalidTransition("Bare en import med feil som venter på et valg, kan forkastes.")
    await _drop_staged(uow.session, jobb.id)
    jobb.status = FORKASTET
    jobb.endret_at = jobb.ferdig_at = uow.now
    uow.audit(
        p, action="skriv", what="etterregistrering.forkast", case_ref=jobb.id, purpose="Etterregistrering"
    )
    return jobb


# --- reads ---------------------------------------------------------------------------------------


@use_case
async def read_jobb(
    uow: UnitOfWork, p: Principal, jobb_id: str, *, feil_limit: int | None = 200
) -> Jobbvisning:
    """The job with (the first lines of) its report. The report names rows and columns, never values
    beyond the unknown code or drug, so it is no read of personal data."""
    require_admin(p)
    jobb = await _jobb(uow, jobb_id, hf=p.hf)
    query = select(EtterregFeil).where(EtterregFeil.jobb_id == jobb.id).order_by(EtterregFeil.id)
    if feil_limit is not None:
        query = query.limit(feil_limit)
    return Jobbvisning(jobb=jobb, feil=list(await uow.session.scalars(query)))


@use_case
async def list_jobber(uow: UnitOfWork, p: Principal, *, limit: int = 20) -> list[EtterregJobb]:
    require_admin(p)
    rows = await uow.session.scalars(
        select(EtterregJobb)
        .where(EtterregJobb.hf == p.hf)
        .order_by(EtterregJobb.opprettet_at.desc())
        .limit(limit)
    )
    return list(rows)


@use_case
async def status_of(uow: UnitOfWork, jobb_id: str) -> str:
    return (await _jobb(uow, jobb_id)).status


@use_case
async def unfinished(uow: UnitOfWork) -> list[EtterregJobb]:
    return list(await uow.session.scalars(select(EtterregJobb).where(EtterregJobb.status.in_(AKTIVE))))


# --- steps of the background job -----------------------------------------------------------------


@use_case
async def record_checked(
    uow: UnitOfWork,
    jobb_id: str,
    *,
    rader: int,
    gyldige: list[tuple[int, str, dict[str, Any]]] | int,
    feil: list[Feil],
    feilrader: int,
) -> None:
    """One checked batch: its problems written to the report and the job's counts moved on (the progress
    the page shows). `gyldige` as rows are staged for a later import; as a count they stay with the
    runner, which imports them from memory once the whole file is checked."""
    jobb = await _jobb(uow, jobb_id)
    if isinstance(gyldige, int):
        antall = gyldige
    else:
        antall = len(gyldige)
        await _stage(uow, jobb.id, gyldige)
    room = max(0, MAX_FEIL_LAGRET - jobb.feil)
    if feil and room:
        await uow.session.execute(
            insert(_table(EtterregFeil)),
            [
                {"jobb_id": jobb.id, "radnummer": f.radnummer, "kolonne": f.kolonne, "melding": f.melding}
                for f in feil[:room]
            ],
        )
    jobb.rader += rader
    jobb.gyldige += antall
    jobb.feilrader += feilrader
    jobb.feil += len(feil)
    jobb.endret_at = uow.now


@use_case
async def stage(uow: UnitOfWork, jobb_id: str, gyldige: Sequence[tuple[int, str, dict[str, Any]]]) -> None:
    """Valid rows of a file with errors, kept for the admin's choice (the file itself is not kept)."""
    await _stage(uow, jobb_id, gyldige)


async def _stage(uow: UnitOfWork, jobb_id: str, gyldige: Sequence[tuple[int, str, dict[str, Any]]]) -> None:
    if gyldige:
        await _bulk_insert(
            uow,
            _table(EtterregRad),
            ("jobb_id", "radnummer", "nokkel", "data"),
            [(jobb_id, nr, key, data) for nr, key, data in gyldige],
        )


@use_case
async def finish_check(uow: UnitOfWork, jobb_id: str) -> str:
    """After the last row: import (no errors, or only the valid rows were asked for) or wait for a choice."""
    jobb = await _jobb(uow, jobb_id)
    if jobb.feilrader and not jobb.bare_gyldige:
        jobb.status = HAR_FEIL
    elif jobb.gyldige:
        jobb.status = IMPORTERER
    else:
        jobb.status = FERDIG
        jobb.ferdig_at = uow.now
    jobb.endret_at = uow.now
    return jobb.status


@use_case
async def fail(uow: UnitOfWork, jobb_id: str, melding: str) -> None:
    jobb = await _jobb(uow, jobb_id)
    await _drop_staged(uow.session, jobb.id)
    jobb.status = FEILET
    jobb.melding = melding
    jobb.endret_at = jobb.ferdig_at = uow.now


@use_case
async def finish_import(uow: UnitOfWork, jobb_id: str) -> None:
    """After the last batch of an import from memory."""
    jobb = await _jobb(uow, jobb_id)
    if jobb.status == IMPORTERER:
        jobb.status = FERDIG
        jobb.endret_at = jobb.ferdig_at = uow.now


async def refresh_statistics(db: Database) -> None:
    """PostgreSQL's statistics of the outbox, after an import's first batch: autovacuum analyses a table a
    minute or more after it changed, and until then the planner takes the thousands of unsent rows the
    import just wrote for a handful, and plans the relay's claim of its next rows as a sort of all of
    them instead of a walk of `ix_outbox_unsent_seq` (EXPLAIN ANALYZE: 90 ms against 0.5 ms a claim)."""
    if db.engine.dialect.name == "postgresql":
        async with db.engine.begin() as connection:
            await connection.execute(text(f"ANALYZE {db.tables.outbox.name}"))


@use_case
async def valid_only_chosen(uow: UnitOfWork, jobb_id: str) -> bool:
    return (await _jobb(uow, jobb_id)).bare_gyldige


@use_case
async def has_staged(uow: UnitOfWork, jobb_id: str) -> bool:
    row = await uow.session.scalar(select(EtterregRad.id).where(EtterregRad.jobb_id == jobb_id).limit(1))
    return row is not None


@use_case
async def import_rows(uow: UnitOfWork, jobb_id: str, rows: Sequence[tuple[int, str, dict[str, Any]]]) -> bool:
    """Import checked rows held in memory (a file without errors, or only its valid rows asked for) as
    decided cases; False when the job no longer imports (stopped meanwhile), so the runner stops too.

    The job row is locked first: a job stopped by another process (a restart's `resume`) is seen here."""
    jobb = await uow.session.get(EtterregJobb, jobb_id, with_for_update=True)
    if jobb is None or jobb.status != IMPORTERER:
        return False
    await _import(uow, jobb, rows)
    return True


@use_case
async def import_batch(uow: UnitOfWork, jobb_id: str, *, size: int) -> bool:
    """Import the next `size` staged rows as decided cases; False when none are left (the job is done)."""
    jobb = await _jobb(uow, jobb_id)
    if jobb.status != IMPORTERER:
        return False
    staged = list(
        (
            await uow.session.execute(
                select(EtterregRad.id, EtterregRad.radnummer, EtterregRad.nokkel, EtterregRad.data)
                .where(EtterregRad.jobb_id == jobb.id)
                .order_by(EtterregRad.id)
                .limit(size)
                # Two runners of one job (a restart while the CLI runs) take different rows (PostgreSQL).
                .with_for_update(skip_locked=True)
            )
        ).all()
    )
    if not staged:
        jobb.status = FERDIG
        jobb.endret_at = jobb.ferdig_at = uow.now
        return False
    await _import(uow, jobb, [(row.radnummer, row.nokkel, row.data) for row in staged])
    # By range, not by an `IN` list: the batch is the job's next rows in id order (other runners' batches
    # are disjoint ranges), and a range is one index scan whatever the planner thinks of the table's size.
    await uow.session.execute(
        delete(EtterregRad).where(
            EtterregRad.jobb_id == jobb.id, EtterregRad.id.between(staged[0].id, staged[-1].id)
        )
    )
    return True


async def _import(
    uow: UnitOfWork, jobb: EtterregJobb, rows: Sequence[tuple[int, str, dict[str, Any]]]
) -> None:
    """The rows as decided cases, in the unit of work's transaction, a statement per table and not per row.

    A row whose stable key was imported before (a re-upload) is skipped and counted. The marks are
    written first, each claiming its key in the unique index, and only the rows whose claim succeeded
    become cases: race-free, and one index probe per row (an `IN` list over a table that grows during
    the import is planned as a scan). Cases, history, audit lines and outbox rows go by COPY on
    PostgreSQL; the events are written as the outbox stores them (the envelope's JSON), built from the
    checked values directly rather than through a model per row."""
    now = uow.now
    soknad_ids = _uuid4s(len(rows))
    claimed = await _claim_keys(uow, jobb, rows, soknad_ids, now)
    new = [(soknad_id, row) for soknad_id, row in zip(soknad_ids, rows, strict=True) if soknad_id in claimed]
    first_per_year = await _reserve_lopenumre(
        uow.session,
        _dialect_insert(uow),
        hf=jobb.hf,
        per_year=Counter(int(data["sendt_dato"][:4]) for _, (_, _, data) in new),
    )
    if new:
        actor = Importor(user_id=jobb.opprettet_av, name=jobb.opprettet_av_navn, hf=jobb.hf)
        envelope_head = _envelope_head(jobb.hf, now)
        exchange = exchange_for(uow.db.service)
        routing_key = f"{jobb.hf}.{SakEtterregistrert.TYPE}"
        correlation_id = current_correlation_id()
        event_ids = _uuid4s(len(new))
        registrert = {"registrert_av": actor.user_id, "registrert_at": _json_time(now)}
        soknader: list[tuple[Any, ...]] = []
        history: list[tuple[Any, ...]] = []
        audit: list[tuple[Any, ...]] = []
        outbox: list[tuple[Any, ...]] = []
        for (soknad_id, (radnummer, _, data)), event_id in zip(new, event_ids, strict=True):
            year = int(data["sendt_dato"][:4])
            lopenummer = format_lopenummer(jobb.hf, year, first_per_year[year])
            first_per_year[year] += 1
            soknader.append(_soknad_row(soknad_id, lopenummer, jobb, data, now))
            history.append(
                (
                    soknad_id,
                    now,
                    actor.user_id,
                    actor.name,
                    "etterregistrert",
                    f"Etterregistrert fra filen «{jobb.filnavn}», rad {radnummer}.",
                )
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
            event = _event_data(soknad_id, lopenummer, data) | registrert
            envelope = (
                f'{{"specversion":"1.0","id":"{event_id}",{envelope_head}"subject":"{lopenummer}",'
                f'"correlationid":{encode_basestring(correlation_id)},"data":{_compact(event)}}}'
            )
            outbox.append(
                (event_id, LOCAL, exchange, routing_key, SakEtterregistrert.TYPE, None, envelope, now, 0)
            )
        mark_sensitive(*(str(data.get("fodselsnummer") or "") for _, (_, _, data) in new))
        await _bulk_insert(uow, _table(Soknad), SOKNAD_COLUMNS, soknader)
        await _bulk_insert(uow, _table(Historikk), HISTORIKK_COLUMNS, history)
        await _bulk_insert(uow, uow.db.tables.audit, AUDIT_COLUMNS, audit)
        await _bulk_insert(uow, uow.db.tables.outbox, OUTBOX_COLUMNS, outbox)
    # In SQL, not from the loaded row: another runner's batch may have counted meanwhile.
    await uow.session.execute(
        update(_table(EtterregJobb))
        .where(_table(EtterregJobb).c.id == jobb.id)
        .values(
            importert=_table(EtterregJobb).c.importert + len(new),
            hoppet_over=_table(EtterregJobb).c.hoppet_over + len(rows) - len(new),
            endret_at=now,
        )
    )


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


def _dialect_insert(uow: UnitOfWork) -> Any:
    return pg_insert if uow.db.engine.dialect.name == "postgresql" else sqlite_insert


async def _claim_keys(
    uow: UnitOfWork,
    jobb: EtterregJobb,
    rows: Sequence[tuple[int, str, dict[str, Any]]],
    soknad_ids: list[str],
    now: datetime,
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
            soknad_ids,
            [key for _, key, _ in rows],
            [data.get("saksreferanse") for _, _, data in rows],
            [nr for nr, _, _ in rows],
        )
        return {r[0] for r in claimed}
    return set(
        await uow.session.scalars(
            sqlite_insert(table)
            .on_conflict_do_nothing(index_elements=["hf", "nokkel"])
            .returning(table.c.soknad_id),
            [
                {
                    "soknad_id": soknad_id,
                    "hf": jobb.hf,
                    "nokkel": key,
                    "saksreferanse": data.get("saksreferanse"),
                    "jobb_id": jobb.id,
                    "radnummer": nr,
                    "registrert_at": now,
                }
                for soknad_id, (nr, key, data) in zip(soknad_ids, rows, strict=True)
            ],
        )
    )


def _uuid4s(n: int) -> list[str]:
    """`n` random (version 4) UUIDs as text: `uuid.uuid4()` builds an object per id, several times slower."""
    raw = os.urandom(16 * n)
    out = []
    for i in range(0, 16 * n, 16):
        b = bytearray(raw[i : i + 16])
        b[6] = (b[6] & 0x0F) | 0x40
        b[8] = (b[8] & 0x3F) | 0x80
        h = b.hex()
        out.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return out


# --- building the case ---------------------------------------------------------------------------


@lru_cache(maxsize=20_000)
def _noon(day: str) -> datetime:
    """A date as an instant: noon in Oslo, so the day and month are the same in every time zone we show."""
    return datetime.combine(date.fromisoformat(day), time(12), OSLO).astimezone(UTC)


_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
"""JSON as pydantic writes it: no spaces, non-ASCII as is."""


def _json_time(at: datetime) -> str:
    """As pydantic writes an aware UTC datetime."""
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _envelope_head(hf: str, now: datetime) -> str:
    """The envelope's attributes that are the same for every event of the batch (`Envelope`'s fields)."""
    return (
        f'"source":{encode_basestring(f"/hf/{hf}/soknad")},"type":"{SakEtterregistrert.TYPE}",'
        f'"time":"{_json_time(now)}","datacontenttype":"application/json","hf":{encode_basestring(hf)},'
    )


def _soknad_row(
    soknad_id: str, lopenummer: str, jobb: EtterregJobb, data: dict[str, Any], now: datetime
) -> tuple[Any, ...]:
    legemiddel = {k: v for k, v in data["legemiddel"].items() if v} | {"verifisert": True}
    indikasjon = {**data["indikasjon"], "verifisert": True}
    innhold: dict[str, Any] = {"legemiddel": legemiddel, "indikasjon": indikasjon}
    if data["type"] == "enkeltpasient":
        innhold |= {"pasient_fodselsnummer": data["fodselsnummer"], "pasient_navn": data["pasient_navn"]}
    elif data.get("gruppe_storrelse"):
        innhold["gruppe_storrelse"] = data["gruppe_storrelse"]
    if data.get("estimert_kostnad_nok") is not None:
        innhold["estimert_kostnad_nok"] = data["estimert_kostnad_nok"]
    vedtatt_at = _noon(data["vedtak_dato"])
    return (
        soknad_id,
        jobb.hf,
        lopenummer,
        data["type"],
        data["kategori"],
        Status.VEDTATT.value,
        SOKER_ID,
        data.get("soker_navn") or "Ukjent (etterregistrert)",
        data["enhet"],
        [],
        innhold,
        1,
        {
            "utfall": data["utfall"],
            "begrunnelse": BEGRUNNELSE,
            "gyldig_til": data.get("gyldig_til"),
            "fattet_at": vedtatt_at.isoformat(),
            "etterregistrert": True,
            "saksreferanse": data.get("saksreferanse"),
        },
        1,
        now,
        now,
        jobb.opprettet_av,
        _noon(data["sendt_dato"]),
        vedtatt_at,
        data["utfall"],
        legemiddel.get("navn"),
        (legemiddel.get("virkestoff") or "").lower() or None,
        legemiddel.get("atc"),
        indikasjon["kode"],
        indikasjon["tekst"],
    )


def _event_data(soknad_id: str, lopenummer: str, data: dict[str, Any]) -> dict[str, Any]:
    """`SakEtterregistrert` as `model_dump(mode="json")` writes it, without `registrert_*`: the checked
    values are already what its fields accept (a unit test holds the two to the same result)."""
    legemiddel = data["legemiddel"]
    pasient = None
    if data["type"] == "enkeltpasient":
        pasient = {
            "fodselsnummer": data["fodselsnummer"],
            "navn": data["pasient_navn"],
            "fodselsdato": data.get("fodselsdato"),
            "kjonn": data.get("kjonn"),
        }
    return {
        "soknad_id": soknad_id,
        "lopenummer": lopenummer,
        "type": data["type"],
        "kategori": data["kategori"],
        "enhet": data["enhet"],
        "pasient": pasient,
        "gruppe_storrelse": data.get("gruppe_storrelse"),
        "legemiddel": {
            "navn": legemiddel["navn"],
            "virkestoff": legemiddel["virkestoff"],
            "atc": legemiddel.get("atc"),
            "fest_id": legemiddel.get("fest_id"),
            "legemiddelform": legemiddel.get("legemiddelform"),
            "styrke": legemiddel.get("styrke"),
            "verifisert": True,
        },
        "indikasjon": {
            "kode": data["indikasjon"]["kode"],
            "tekst": data["indikasjon"]["tekst"],
            "system": "icd10",
            "verifisert": True,
        },
        "utfall": data["utfall"],
        "sendt_dato": data["sendt_dato"],
        "vedtak_dato": data["vedtak_dato"],
        "gyldig_til": data.get("gyldig_til") or None,
        "estimert_kostnad_nok": data.get("estimert_kostnad_nok"),
    }


async def _driver(uow: UnitOfWork) -> Any:
    connection = await (await uow.session.connection()).get_raw_connection()
    driver = connection.driver_connection
    assert driver is not None
    return driver


async def _bulk_insert(
    uow: UnitOfWork, table: Table, columns: Sequence[str], records: Sequence[tuple[Any, ...]]
) -> None:
    """Thousands of rows in the unit of work's transaction: PostgreSQL's COPY where there is one (the
    per-row parameter processing of an executemany is most of an import's time), else Core inserts.
    JSON columns hold Python values; they are encoded here, once."""
    if not records:
        return
    json_at = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, JSON)]
    if uow.db.engine.dialect.name != "postgresql":
        await uow.session.execute(insert(table), [dict(zip(columns, r, strict=True)) for r in records])
        return
    if json_at:
        encoded = []
        for r in records:
            values = list(r)
            for i in json_at:
                if values[i] is not None:
                    values[i] = _compact(values[i])
            encoded.append(values)
        records = encoded  # type: ignore[assignment]
    driver = await _driver(uow)
    await driver.copy_records_to_table(table.name, records=records, columns=list(columns))


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


async def _drop_staged(session: AsyncSession, jobb_id: str) -> None:
    await session.execute(delete(EtterregRad).where(EtterregRad.jobb_id == jobb_id))


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
