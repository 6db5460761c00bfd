"""Post-registration of 100,000 generated rows into PostgreSQL through the real path: the file read and
checked row by row, the catalogue asked over HTTP, then the valid rows imported from memory in batches as
decided cases with løpenumre, marks, history, audit lines and `SakEtterregistrert` in the outbox, each
batch a transaction.

The import runs in a process of its own, so its peak memory (`ru_maxrss`) is the import's alone, and its
CPU time is reported beside the wall time (the figure a busy machine disturbs least). The catalogue is
integrasjon's own look-up API over the FEST and ICD-10 samples it ships, mounted in-process behind an
httpx ASGI transport: the HTTP client, requests and answers are the real ones, without a network hop or
integrasjon's database. The outbox relay runs as in the service, onto the in-memory bus, where a queue
stands in for integrasjon's."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

from bench.etterregistrering_faser import Faser
from bench.infra import pg_database, quiet_machine

if TYPE_CHECKING:
    from integrasjon.katalog import Katalog

ROWS = int(os.environ.get("ETTERREG_ROWS", "100000"))
"""`ETTERREG_ROWS=20000` for a quicker look; the figure keeps its name (`_100k_`) only at the default."""
PROFILE = os.environ.get("ETTERREG_PROFILE", "")
"""`phases`: wall and CPU time per phase of the import, SQL statement counts, PostgreSQL's CPU, printed
to stderr; `cprofile`: besides, the importing process's hottest functions."""


def sample_catalogue() -> Katalog:
    """integrasjon's look-up index over the FEST and ICD-10 samples it ships (what a fresh integrasjon
    imports at its first start), built in memory as its import builds it from the stored generation."""
    from integrasjon.katalog import Katalog
    from integrasjon.register import rader
    from integrasjon.register.fest_xml import les_fest
    from integrasjon.register.icd10 import les_icd10
    from integrasjon.register.import_jobb import FEST_EKSEMPEL, ICD10_EKSEMPEL
    from integrasjon.store import Diagnosekode, FestLegemiddel

    brands, _packs = rader.fest_rader(les_fest(FEST_EKSEMPEL), date.today())
    legemidler = [
        rader.legemiddel_oppslag(FestLegemiddel(generasjon=1, borte_siden=None, **brand)) for brand in brands
    ]
    diagnoser = [
        rader.diagnose_oppslag(
            Diagnosekode(
                generasjon=1,
                system="icd10",
                versjon="2026",
                kode=kode.kode,
                tekst=kode.tekst,
                aktiv=kode.aktiv,
                foreldre=kode.foreldre,
                kjonn=kode.kjonn,
                fingeravtrykk="",
                borte_siden=None,
            )
        )
        for kode in les_icd10(ICD10_EKSEMPEL.read_bytes())
    ]
    return Katalog.bygg(legemidler, diagnoser, versjon="bench")


def generate(path: Path, rows: int = ROWS) -> None:
    """A CSV like a trust's export: mostly single patients with synthetic numbers, some groups, every
    drug spelled as name, substance, ATC or FEST id, codes with and without the dot."""
    from shared.domain.identifiers import synthetic_fodselsnummer
    from soknad.etterregistrering.kolonner import OVERSKRIFTER

    katalog = sample_catalogue()
    drugs = [
        spelling
        for lm in katalog.legemidler
        for spelling in (lm.navn_form_styrke, lm.virkestoff, lm.atc, lm.fest_id)
    ]
    codes = [d.kode for d in katalog.diagnoser] + [d.kode.replace(".", "") for d in katalog.diagnoser]
    outcomes = ["innvilget", "innvilget med vilkår", "avslått"]
    categories = ["off_label", "godkjenningsfritak", "unntaksordningen", "tilgangsordningen"]
    numbers = [
        synthetic_fodselsnummer(date(1940, 1, 1) + timedelta(days=d * 37), sex=sex, serial=s)
        for d in range(800)
        for sex in ("kvinne", "mann")
        for s in range(3)
    ]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(OVERSKRIFTER)
        for i in range(rows):
            sent = date(2012, 1, 1) + timedelta(days=(i * 7) % 4700)
            decided = sent + timedelta(days=3 + i % 60)
            group = i % 10 == 0
            outcome = outcomes[i % 3]
            writer.writerow(
                [
                    f"BENCH-{i:06d}",
                    "gruppe" if group else "enkeltpasient",
                    categories[i % 4],
                    "HBE-NEVRO" if i % 2 else "HBE-REVMA",
                    "" if group else numbers[i % len(numbers)],
                    "" if group else f"Syntetisk Pasient {i}",
                    str(5 + i % 20) if group else "",
                    drugs[i % len(drugs)],
                    codes[i % len(codes)],
                    sent.isoformat() if i % 2 else sent.strftime("%d.%m.%Y"),
                    decided.isoformat(),
                    outcome,
                    "" if outcome == "avslått" else (decided + timedelta(days=365)).isoformat(),
                    str(20_000 + (i % 50) * 10_000),
                    "Syntetisk Lege",
                ]
            )


async def worker(database_url: str, csv_path: str, data_dir: str, rows: int = ROWS) -> dict[str, float]:
    """In the child: start soknad on PostgreSQL, import the file, report time and peak memory."""
    import httpx
    from fastapi import FastAPI
    from sqlalchemy import func, select

    from integrasjon.api import router as lookups
    from shared.events.contracts import SakEtterregistrert
    from shared.platform.auth.principal import Principal, Role
    from shared.platform.bus.base import Message, Subscription, exchange_for
    from shared.platform.bus.memory import MemoryBus
    from shared.platform.observability.logging import configure_logging
    from shared.platform.web.problems import install_error_handlers
    from soknad.app import create_app
    from soknad.etterregistrering import handlers
    from soknad.etterregistrering.fil import open_file
    from soknad.etterregistrering.jobb import Etterregistrering
    from soknad.settings import SoknadSettings

    configure_logging(level="WARNING", json=True)
    catalogue = FastAPI()
    # What integrasjon's look-up routes read the index from (`integrasjon.deps.get_katalog`).
    catalogue.state.registre = SimpleNamespace(indeks=sample_catalogue())
    catalogue.include_router(lookups)
    install_error_handlers(catalogue)
    integrasjon = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=catalogue), base_url="http://integrasjon"
    )

    bus = MemoryBus()
    await bus.connect()
    # integrasjon's place: a queue bound to soknad's exchange for `SakEtterregistrert`, so the relay's
    # publishes are routed and confirmed as in the service, not refused as unroutable and retried (over
    # and over, against the rows the import writes) for the whole measurement.
    delivered = 0

    async def count(_message: Message) -> None:
        nonlocal delivered
        delivered += 1

    await bus.subscribe(
        Subscription(
            consumer="bench",
            handler_name="on_sak_etterregistrert",
            exchange=exchange_for("soknad"),
            event_type=SakEtterregistrert.TYPE,
            handler=count,
        )
    )
    settings = SoknadSettings(
        database_url=database_url, data_dir=Path(data_dir), log_json=True, log_level="WARNING"
    )
    app = create_app(settings, bus=bus, integrasjon=integrasjon)
    admin = Principal(user_id="bench-admin", name="Benchmark", roles=frozenset({Role.ADMIN}), hf="HBE")
    async with app.router.lifespan_context(app):
        db = app.state.runtime.db
        runner: Etterregistrering = app.state.etterregistrering
        faser = Faser.install(db.engine) if PROFILE else None
        started, cpu_started = time.perf_counter(), time.process_time()
        tabell = open_file(Path(csv_path).read_bytes(), "bench.csv")  # noqa: ASYNC240 - timed as the page reads it
        jobb = await handlers.start_jobb(db, admin, filnavn="bench.csv", bare_gyldige=False)
        await runner.run(jobb.id, tabell, "HBE")
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        if faser is not None:
            faser.report(elapsed, cpu)
        done = (await handlers.read_jobb(db, admin, jobb.id, feil_limit=5)).jobb
        async with db.sessions() as session:
            outbox = db.tables.outbox
            events = await session.scalar(
                select(func.count()).where(outbox.c.event_type == SakEtterregistrert.TYPE)
            )
    await bus.close()
    if done.status != handlers.FERDIG or done.importert != rows or events != rows:
        raise RuntimeError(
            f"import ended {done.status}: {done.importert} imported, {done.feil} problems, {events} events"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"  etterregistrering worker: {cpu:.1f} s of CPU in the importing process; {events} events in the "
        f"outbox, {delivered} of them published by the relay during the import",
        file=sys.stderr,
    )
    return {"etterregistrering_100k_s": round(elapsed, 1), "etterregistrering_peak_mb": round(peak_mb, 1)}


async def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-etterreg-") as tmp:
        csv_path = Path(tmp) / "vedtak.csv"
        generate(csv_path)
        print(f"  etterregistrering: {ROWS} rows, {csv_path.stat().st_size / 1e6:.1f} MB of CSV", flush=True)
        async with pg_database() as url:
            await quiet_machine()
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bench.etterregistrering",
                url,
                str(csv_path),
                tmp,
                stdout=asyncio.subprocess.PIPE,
            )
            out, _ = await proc.communicate()
            if proc.returncode:
                raise RuntimeError(f"the post-registration worker failed ({proc.returncode})")
    result: dict[str, float] = json.loads(out.decode().strip().splitlines()[-1])
    print(
        f"  etterregistrering: {ROWS} rows in {result['etterregistrering_100k_s']} s, "
        f"peak {result['etterregistrering_peak_mb']} MB",
        flush=True,
    )
    return result


if __name__ == "__main__":
    if len(sys.argv) >= 4:
        rows = int(sys.argv[4]) if len(sys.argv) > 4 else ROWS
        database_url, csv_path, data_dir = sys.argv[1:4]
        print(json.dumps(asyncio.run(worker(database_url, csv_path, data_dir, rows=rows))))
    else:
        print(asyncio.run(run()))
