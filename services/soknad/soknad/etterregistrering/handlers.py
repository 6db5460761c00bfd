"""Use cases of post-registration: start a job, record a checked batch, import a batch, choose to import
only the valid rows, discard, read the job and its report. Each batch is its own transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import Database, UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import InvalidTransition, NotFound
from soknad.etterregistrering.modell import EtterregFeil, EtterregJobb, EtterregRad
from soknad.etterregistrering.saksrader import Forberedt, Gyldig, compact, forbered
from soknad.etterregistrering.skriving import bulk_insert, write_batch
from soknad.etterregistrering.validering import Feil

MAX_FEIL_LAGRET = 10_000
"""Report lines kept per job; the counts stay exact beyond it."""

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
    gyldige: list[Gyldig] | int,
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
async def stage(uow: UnitOfWork, jobb_id: str, gyldige: Sequence[Gyldig]) -> None:
    """Valid rows of a file with errors, kept for the admin's choice (the file itself is not kept)."""
    await _stage(uow, jobb_id, gyldige)


async def _stage(uow: UnitOfWork, jobb_id: str, gyldige: Sequence[Gyldig]) -> None:
    if gyldige:
        await bulk_insert(
            uow,
            _table(EtterregRad),
            ("jobb_id", "radnummer", "nokkel", "data"),
            [(jobb_id, nr, key, compact(data)) for nr, key, data in gyldige],
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
async def import_rows(uow: UnitOfWork, jobb_id: str, rows: Sequence[Forberedt]) -> bool:
    """Import checked rows held in memory (a file without errors, or only its valid rows asked for),
    made ready by `saksrader.forbered`, as decided cases; False when the job no longer imports (stopped
    meanwhile), so the runner stops too.

    The job row is locked first: a job stopped by another process (a restart's `resume`) is seen here."""
    jobb = await uow.session.get(EtterregJobb, jobb_id, with_for_update=True)
    if jobb is None or jobb.status != IMPORTERER:
        return False
    await write_batch(uow, jobb, rows)
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
    await write_batch(uow, jobb, forbered([(row.radnummer, row.nokkel, row.data) for row in staged]))
    # By range, not by an `IN` list: the batch is the job's next rows in id order (other runners' batches
    # are disjoint ranges), and a range is one index scan whatever the planner thinks of the table's size.
    await uow.session.execute(
        delete(EtterregRad).where(
            EtterregRad.jobb_id == jobb.id, EtterregRad.id.between(staged[0].id, staged[-1].id)
        )
    )
    return True


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


async def _drop_staged(session: AsyncSession, jobb_id: str) -> None:
    await session.execute(delete(EtterregRad).where(EtterregRad.jobb_id == jobb_id))
