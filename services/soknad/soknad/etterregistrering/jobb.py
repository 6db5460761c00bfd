"""The import in the background of the service process: check the rows in batches, then import them in
batches, each its own transaction, with the job row's counts updated after every batch.

Built once in `create_app` (`install`); the CLI and the benchmark call `run` and wait for it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from itertools import islice

import httpx
import structlog
from fastapi import FastAPI
from sqlalchemy.exc import IntegrityError

from shared.domain.identifiers import Personnummer
from shared.domain.kalender import oslo_date
from shared.platform.db.uow import Database, is_unique_violation
from shared.platform.katalog import Katalog
from soknad.etterregistrering import handlers
from soknad.etterregistrering.fil import FilFeil, Rad, Tabell
from soknad.etterregistrering.katalogoppslag import Katalogoppslag, KatalogUtilgjengelig
from soknad.etterregistrering.kolonner import BY_KEY
from soknad.etterregistrering.saksrader import Forberedt, Gyldig, forbered
from soknad.etterregistrering.validering import Feil, Kontekst, check_row, stable_key

log = structlog.get_logger(__name__)

SJEKK_BATCH = 5000
IMPORT_BATCH = 5000
UVENTET = (
    "Importen stoppet på grunn av en uventet feil. Det som ble importert før feilen, er beholdt. "
    "Last opp filen igjen for å fullføre: rader som allerede er importert, hoppes over."
)
AVBRUTT = (
    "Tjenesten ble startet på nytt mens radene ble kontrollert. Ingenting er importert. Last opp filen igjen."
)
AVBRUTT_IMPORT = (
    "Tjenesten ble startet på nytt under importen. Det som ble importert, er beholdt. "
    "Last opp filen igjen for å fullføre: rader som allerede er importert, hoppes over."
)


class Etterregistrering:
    def __init__(
        self,
        db: Database,
        integrasjon: httpx.AsyncClient,
        personkatalog: Katalog,
        *,
        allow_synthetic: bool,
        sjekk_batch: int = SJEKK_BATCH,
        import_batch: int = IMPORT_BATCH,
    ):
        self.db = db
        self.integrasjon = integrasjon
        self.personkatalog = personkatalog
        self.allow_synthetic = allow_synthetic
        self.sjekk_batch = sjekk_batch
        self.import_batch = import_batch
        self._tasks: dict[str, asyncio.Task[None]] = {}

    # --- in the background -------------------------------------------------------------------------

    def start(self, jobb_id: str, tabell: Tabell, hf: str) -> None:
        self._spawn(jobb_id, self.run(jobb_id, tabell, hf))

    def start_import(self, jobb_id: str) -> None:
        self._spawn(jobb_id, self.run_import(jobb_id))

    def _spawn(self, jobb_id: str, work: object) -> None:
        task: asyncio.Task[None] = asyncio.create_task(work, name=f"etterregistrering-{jobb_id}")  # type: ignore[arg-type]
        self._tasks[jobb_id] = task
        task.add_done_callback(lambda _t: self._tasks.pop(jobb_id, None))

    async def resume(self) -> None:
        """At start: an import of staged rows (the valid rows of a file with errors) goes on; a check or
        an import from memory cannot (the file was in memory only), so it stops with a message."""
        for jobb in await handlers.unfinished(self.db):
            if jobb.status != handlers.IMPORTERER:
                await handlers.fail(self.db, jobb.id, AVBRUTT)
            elif (
                await handlers.has_staged(self.db, jobb.id)
                or jobb.importert + jobb.hoppet_over >= jobb.gyldige
            ):
                self.start_import(jobb.id)
            else:
                await handlers.fail(self.db, jobb.id, AVBRUTT_IMPORT)

    async def stop(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def wait(self, jobb_id: str) -> None:
        """Until the job's background work (if any) has ended."""
        task = self._tasks.get(jobb_id)
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)

    # --- the work ----------------------------------------------------------------------------------

    async def run(self, jobb_id: str, tabell: Tabell, hf: str) -> None:
        """Check every row, then import the valid ones from memory (or stage them and stop for the
        admin's choice when rows are bad): the file is read once, and a clean file's rows never make a
        round trip through the database before they become cases."""
        try:
            gyldige, feilrader = await self._check(jobb_id, tabell, hf)
            if feilrader and not await handlers.valid_only_chosen(self.db, jobb_id):
                # Kept for the admin's choice, before the job says it waits for one.
                for start in range(0, len(gyldige), self.import_batch):
                    await handlers.stage(self.db, jobb_id, gyldige[start : start + self.import_batch])
            status = await handlers.finish_check(self.db, jobb_id)
        except (FilFeil, KatalogUtilgjengelig) as exc:
            await handlers.fail(self.db, jobb_id, str(exc))
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("etterregistrering_check_failed", jobb_id=jobb_id)
            await handlers.fail(self.db, jobb_id, UVENTET)
            return
        if status == handlers.IMPORTERER:
            await self._import_from_memory(jobb_id, gyldige)

    async def _import_from_memory(self, jobb_id: str, gyldige: list[Gyldig]) -> None:
        """Batch after batch, each its own transaction. The next batch is made ready (its JSON written)
        in a worker thread while the current one's transaction waits on PostgreSQL, so the two cores
        work at once: the database on one batch, Python on the next."""
        batches = [
            gyldige[start : start + self.import_batch] for start in range(0, len(gyldige), self.import_batch)
        ]
        ready: asyncio.Future[list[Forberedt]] | None = None
        try:
            for i, batch in enumerate(batches):
                rows = await ready if ready is not None else forbered(batch)
                ready = (
                    asyncio.ensure_future(asyncio.to_thread(forbered, batches[i + 1]))
                    if i + 1 < len(batches)
                    else None
                )
                if not await self._import_rows(jobb_id, rows):
                    return  # stopped meanwhile
                if i == 0:
                    await handlers.refresh_statistics(self.db)
                # The cases are committed: the relay may publish their events now.
                self.db.on_outbox_commit()
                # Let the pages (and their progress polls) in between batches.
                await asyncio.sleep(0)
            await handlers.finish_import(self.db, jobb_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("etterregistrering_import_failed", jobb_id=jobb_id)
            await handlers.fail(self.db, jobb_id, UVENTET)
        finally:
            if ready is not None:
                # Pure work in a thread, which cannot be stopped: let it end, and drop what it made.
                ready.cancel()

    async def _import_rows(self, jobb_id: str, batch: list[Forberedt]) -> bool:
        try:
            return await handlers.import_rows(self.db, jobb_id, batch)
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
            # Another import of the same rows won the race for a key: again, now skipping those.
            return await handlers.import_rows(self.db, jobb_id, batch)

    async def run_import(self, jobb_id: str) -> None:
        try:
            more, first = True, True
            while more:
                more = await self._import_batch(jobb_id)
                self.db.on_outbox_commit()
                if first:
                    await handlers.refresh_statistics(self.db)
                    first = False
                # Let the pages (and their progress polls) in between batches.
                await asyncio.sleep(0)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("etterregistrering_import_failed", jobb_id=jobb_id)
            await handlers.fail(self.db, jobb_id, UVENTET)

    async def _import_batch(self, jobb_id: str) -> bool:
        try:
            return await handlers.import_batch(self.db, jobb_id, size=self.import_batch)
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
            # Another import of the same rows won the race for a key: again, now skipping those.
            return await handlers.import_batch(self.db, jobb_id, size=self.import_batch)

    async def _check(self, jobb_id: str, tabell: Tabell, hf: str) -> tuple[list[Gyldig], int]:
        """Every row checked, the report and the counts written batch by batch (the progress); the valid
        rows are returned, kept in memory for the import, with the number of bad rows."""
        org = await self.personkatalog.org(hf)
        enheter = frozenset(e.kode.upper() for e in org.alle_enheter)
        oppslag = Katalogoppslag(self.integrasjon)
        first_row_of: dict[str, int] = {}
        personnumre: dict[str, Personnummer | str] = {}
        rows: Iterator[Rad] = tabell.rader()
        gyldige: list[Gyldig] = []
        feilrader_i_alt = 0
        while chunk := list(islice(rows, self.sjekk_batch)):
            await oppslag.resolve(
                (r.get("legemiddel", "") for _, r in chunk), (r.get("icd10", "") for _, r in chunk)
            )
            ctx = Kontekst(
                enheter=enheter,
                today=oslo_date(self.db.clock.now()),
                allow_synthetic=self.allow_synthetic,
                legemidler=oppslag.legemidler,
                diagnoser=oppslag.diagnoser,
                personnumre=personnumre,
            )
            antall = len(gyldige)
            feil: list[Feil] = []
            feilrader = 0
            for radnummer, rad in chunk:
                data, problems = check_row(radnummer, rad, ctx)
                if data is not None:
                    key = stable_key(data)
                    if key in first_row_of:
                        problems = [_duplicate(radnummer, first_row_of[key], bool(data.get("saksreferanse")))]
                    else:
                        first_row_of[key] = radnummer
                        gyldige.append((radnummer, key, data))
                if problems:
                    feilrader += 1
                    feil.extend(problems)
            await handlers.record_checked(
                self.db,
                jobb_id,
                rader=len(chunk),
                gyldige=len(gyldige) - antall,
                feil=feil,
                feilrader=feilrader,
            )
            feilrader_i_alt += feilrader
        return gyldige, feilrader_i_alt


def _duplicate(radnummer: int, first: int, by_reference: bool) -> Feil:
    if by_reference:
        return Feil(radnummer, BY_KEY["saksreferanse"].overskrift, f"Samme saksreferanse som rad {first}.")
    return Feil(
        radnummer,
        BY_KEY["fodselsnummer"].overskrift,
        f"Samme vedtak som rad {first} (samme pasient, legemiddel, diagnose, datoer og utfall).",
    )


def install(app: FastAPI, integrasjon: httpx.AsyncClient) -> Etterregistrering:
    """Wire post-registration into the soknad app: its runner on `app.state`, resumed at start, stopped
    at shutdown."""
    runtime = app.state.runtime
    runner = Etterregistrering(
        runtime.db,
        integrasjon,
        runtime.katalog,
        allow_synthetic=bool(runtime.settings.allow_synthetic_personnummer),
    )
    app.state.etterregistrering = runner
    runtime.extra_start.append(lambda _runtime: runner.resume())
    # Before the HTTP clients close: a batch in flight is cancelled, and its transaction rolled back.
    runtime.extra_stop.insert(0, runner.stop)
    return runner
