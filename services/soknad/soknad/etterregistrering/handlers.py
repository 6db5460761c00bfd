"""Use cases of post-registration: start a job, record a checked batch, import a batch, choose to import
only the valid rows, discard, read the job and its report. Each batch is its own transaction."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, cast

from sqlalchemy import JSON, Table, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.kalender import OSLO
from shared.events.common import Indikasjon, Legemiddel, Pasient
from shared.events.contracts import SakEtterregistrert
from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import InvalidTransition, NotFound
from shared.platform.observability.logging import mark_sensitive
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
    gyldige: list[tuple[int, str, dict[str, Any]]],
    feil: list[Feil],
    feilrader: int,
) -> None:
    """One checked batch: the valid rows staged for import, the problems written to the report."""
    jobb = await _jobb(uow, jobb_id)
    if gyldige:
        await _bulk_insert(
            uow,
            _table(EtterregRad),
            [{"jobb_id": jobb.id, "radnummer": nr, "nokkel": key, "data": data} for nr, key, data in gyldige],
        )
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
    jobb.gyldige += len(gyldige)
    jobb.feilrader += feilrader
    jobb.feil += len(feil)
    jobb.endret_at = uow.now


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
async def import_batch(uow: UnitOfWork, jobb_id: str, *, size: int) -> bool:
    """Import the next `size` staged rows as decided cases; False when none are left (the job is done).

    A row whose stable key was imported before (a re-upload) is skipped and counted. The marks are
    written first, each claiming its key in the unique index, and only the rows whose claim succeeded
    become cases: race-free, and one index probe per row (an `IN` list over a table that grows during
    the import is planned as a scan)."""
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
    now = uow.now
    if not staged:
        jobb.status = FERDIG
        jobb.endret_at = jobb.ferdig_at = now
        return False
    soknad_ids = {row.id: str(uuid.uuid4()) for row in staged}
    dialect_insert = pg_insert if uow.db.engine.dialect.name == "postgresql" else sqlite_insert
    claimed = set(
        await uow.session.scalars(
            dialect_insert(_table(EtterregistrertSak))
            .on_conflict_do_nothing(index_elements=["hf", "nokkel"])
            .returning(_table(EtterregistrertSak).c.soknad_id),
            [
                {
                    "soknad_id": soknad_ids[row.id],
                    "hf": jobb.hf,
                    "nokkel": row.nokkel,
                    "saksreferanse": row.data.get("saksreferanse"),
                    "jobb_id": jobb.id,
                    "radnummer": row.radnummer,
                    "registrert_at": now,
                }
                for row in staged
            ],
        )
    )
    new = [row for row in staged if soknad_ids[row.id] in claimed]
    first_per_year = await _reserve_lopenumre(
        uow.session,
        dialect_insert,
        hf=jobb.hf,
        per_year=Counter(date.fromisoformat(row.data["sendt_dato"]).year for row in new),
    )
    actor = Importor(user_id=jobb.opprettet_av, name=jobb.opprettet_av_navn, hf=jobb.hf)
    soknader: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    for row in new:
        data = row.data
        year = date.fromisoformat(data["sendt_dato"]).year
        lopenummer = format_lopenummer(jobb.hf, year, first_per_year[year])
        first_per_year[year] += 1
        soknad_id = soknad_ids[row.id]
        soknader.append(_soknad_row(soknad_id, lopenummer, jobb, data, now))
        history.append(
            {
                "soknad_id": soknad_id,
                "at": now,
                "actor_id": actor.user_id,
                "actor_navn": actor.name,
                "hendelse": "etterregistrert",
                "detalj": f"Etterregistrert fra filen «{jobb.filnavn}», rad {row.radnummer}.",
            }
        )
        uow.publish(_event(soknad_id, lopenummer, data, actor, now), hf=jobb.hf, subject=lopenummer)
    if new:
        mark_sensitive(*(str(row.data.get("fodselsnummer") or "") for row in new))
        await _bulk_insert(uow, _table(Soknad), soknader)
        await _bulk_insert(uow, _table(Historikk), history)
        # One line per case: the import is a write of the patient's data, and the privacy officer's
        # access log of a patient finds its lines by the case.
        for soknad in soknader:
            uow.audit(
                actor,
                action="skriv",
                what="etterregistrering.import",
                case_ref=soknad["lopenummer"],
                purpose="Etterregistrering",
            )
    # By range, not by an `IN` list: the batch is the job's next rows in id order (other runners' batches
    # are disjoint ranges), and a range is one index scan whatever the planner thinks of the table's size.
    await uow.session.execute(
        delete(EtterregRad).where(
            EtterregRad.jobb_id == jobb.id, EtterregRad.id.between(staged[0].id, staged[-1].id)
        )
    )
    # In SQL, not from the loaded row: another runner's batch may have counted meanwhile.
    await uow.session.execute(
        update(_table(EtterregJobb))
        .where(_table(EtterregJobb).c.id == jobb.id)
        .values(
            importert=_table(EtterregJobb).c.importert + len(new),
            hoppet_over=_table(EtterregJobb).c.hoppet_over + len(staged) - len(new),
            endret_at=now,
        )
    )
    return True


# --- building the case ---------------------------------------------------------------------------


def _noon(day: str) -> datetime:
    """A date as an instant: noon in Oslo, so the day and month are the same in every time zone we show."""
    return datetime.combine(date.fromisoformat(day), time(12), OSLO).astimezone(UTC)


def _soknad_row(
    soknad_id: str, lopenummer: str, jobb: EtterregJobb, data: dict[str, Any], now: datetime
) -> dict[str, Any]:
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
    return {
        "id": soknad_id,
        "hf": jobb.hf,
        "lopenummer": lopenummer,
        "type": data["type"],
        "kategori": data["kategori"],
        "status": Status.VEDTATT.value,
        "soker_id": SOKER_ID,
        "soker_navn": data.get("soker_navn") or "Ukjent (etterregistrert)",
        "enhet": data["enhet"],
        "medforfattere": [],
        "innhold": innhold,
        "skjema_versjon": 1,
        "vedtak": {
            "utfall": data["utfall"],
            "begrunnelse": BEGRUNNELSE,
            "gyldig_til": data.get("gyldig_til"),
            "fattet_at": vedtatt_at.isoformat(),
            "etterregistrert": True,
            "saksreferanse": data.get("saksreferanse"),
        },
        "versjon": 1,
        "opprettet_at": now,
        "endret_at": now,
        "endret_av": jobb.opprettet_av,
        "sendt_at": _noon(data["sendt_dato"]),
        "vedtatt_at": vedtatt_at,
        "utfall": data["utfall"],
        "legemiddel_navn": legemiddel.get("navn"),
        "virkestoff": (legemiddel.get("virkestoff") or "").lower() or None,
        "atc": legemiddel.get("atc"),
        "icd10_kode": indikasjon["kode"],
        "icd10_tekst": indikasjon["tekst"],
    }


def _event(
    soknad_id: str, lopenummer: str, data: dict[str, Any], actor: Importor, now: datetime
) -> SakEtterregistrert:
    legemiddel = data["legemiddel"]
    pasient = None
    if data["type"] == "enkeltpasient":
        pasient = Pasient(
            fodselsnummer=data["fodselsnummer"],
            navn=data["pasient_navn"],
            fodselsdato=data.get("fodselsdato"),
            kjonn=data.get("kjonn"),
        )
    return SakEtterregistrert(
        soknad_id=soknad_id,
        lopenummer=lopenummer,
        type=data["type"],
        kategori=data["kategori"],
        enhet=data["enhet"],
        pasient=pasient,
        gruppe_storrelse=data.get("gruppe_storrelse"),
        legemiddel=Legemiddel(
            navn=legemiddel["navn"],
            virkestoff=legemiddel["virkestoff"],
            atc=legemiddel.get("atc"),
            fest_id=legemiddel.get("fest_id"),
            legemiddelform=legemiddel.get("legemiddelform"),
            styrke=legemiddel.get("styrke"),
            verifisert=True,
        ),
        indikasjon=Indikasjon(
            kode=data["indikasjon"]["kode"], tekst=data["indikasjon"]["tekst"], verifisert=True
        ),
        utfall=data["utfall"],
        sendt_dato=date.fromisoformat(data["sendt_dato"]),
        vedtak_dato=date.fromisoformat(data["vedtak_dato"]),
        gyldig_til=date.fromisoformat(data["gyldig_til"]) if data.get("gyldig_til") else None,
        estimert_kostnad_nok=data.get("estimert_kostnad_nok"),
        registrert_av=actor.user_id,
        registrert_at=now,
    )


async def _bulk_insert(uow: UnitOfWork, table: Table, rows: list[dict[str, Any]]) -> None:
    """Thousands of rows in the unit of work's transaction: PostgreSQL's COPY where there is one (the
    per-row parameter processing of an executemany is most of an import's time), else Core inserts."""
    if uow.db.engine.dialect.name != "postgresql":
        await uow.session.execute(insert(table), rows)
        return
    columns = list(rows[0])
    json_columns = {c for c in columns if isinstance(table.c[c].type, JSON)}
    records = [
        tuple(json.dumps(row[c]) if c in json_columns and row[c] is not None else row[c] for c in columns)
        for row in rows
    ]
    connection = await (await uow.session.connection()).get_raw_connection()
    driver = connection.driver_connection
    assert driver is not None
    await driver.copy_records_to_table(table.name, records=records, columns=columns)


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
