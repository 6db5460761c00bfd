"""Post-registration in many batches on real PostgreSQL: a batch that fails halfway (PostgreSQL refuses
its last COPY, the outbox rows, after its cases, history and audit lines were written) leaves nothing of
that batch and keeps the batches before it; the outbox holds exactly one event per imported case, the
relay publishes each exactly once, and the løpenumre follow the file's rows across batches. A re-upload
then imports the rest without duplicates."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import func, select, text

from shared.events.contracts import SakEtterregistrert
from shared.platform.bus.base import Message, Subscription, exchange_for
from shared.platform.bus.memory import MemoryBus
from shared.platform.db.uow import Database
from soknad.app import create_app
from soknad.etterregistrering.jobb import UVENTET, Etterregistrering
from soknad.etterregistrering.modell import EtterregistrertSak, EtterregRad
from soknad.settings import SoknadSettings
from soknad.store import Historikk, Soknad
from tests.integration.test_etterregistrering_postgres import API, catalogue, csv_file, settled
from tests.support.apps import DemoClient, running
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

BATCH = 10
ROWS = 40
FAILING_PATIENT = "Syntetisk Pasient 23"
"""Row 25 of the file: the fourth row of the third batch (rows 22–31)."""


class Published:
    def __init__(self) -> None:
        self.events: list[dict[str, object]] = []

    async def __call__(self, message: Message) -> None:
        self.events.append(message.envelope.data)


@pytest_asyncio.fixture
async def published() -> Published:
    return Published()


@pytest_asyncio.fixture
async def app(pg_url: str, tmp_path: Path, published: Published) -> AsyncIterator[FastAPI]:
    bus = MemoryBus()
    await bus.connect()
    # integrasjon's place: what the relay publishes for `SakEtterregistrert` is received here.
    await bus.subscribe(
        Subscription(
            consumer="test",
            handler_name="on_sak_etterregistrert",
            exchange=exchange_for("soknad"),
            event_type=SakEtterregistrert.TYPE,
            handler=published,
        )
    )
    settings = SoknadSettings(database_url=pg_url, data_dir=tmp_path, log_json=False)
    async with running(create_app(settings, bus=bus, integrasjon=catalogue())) as app:
        runner: Etterregistrering = app.state.etterregistrering
        runner.import_batch = BATCH
        yield app
    await bus.close()


async def refuse_outbox_rows_of(db: Database, patient: str) -> None:
    """A real refusal by PostgreSQL, in the middle of a batch's transaction."""
    async with db.engine.begin() as connection:
        await connection.execute(
            text(
                "CREATE FUNCTION refuse_outbox_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF NEW.envelope LIKE '%{patient}\"%' THEN RAISE EXCEPTION 'refused for the test'; END IF; "
                "RETURN NEW; END $$"
            )
        )
        await connection.execute(
            text(
                "CREATE TRIGGER refuse_outbox_row BEFORE INSERT ON outbox "
                "FOR EACH ROW EXECUTE FUNCTION refuse_outbox_row()"
            )
        )


async def allow_outbox_rows(db: Database) -> None:
    async with db.engine.begin() as connection:
        await connection.execute(text("DROP TRIGGER refuse_outbox_row ON outbox"))


@dataclass(frozen=True)
class Imported:
    cases: list[tuple[int, str, str]]
    """(row number, løpenummer, case id) in row order."""
    history: int
    marks: int
    audit: int
    staged: int
    events: list[str]
    """The case id of each `SakEtterregistrert` in the outbox, in its order."""


async def imported(db: Database) -> Imported:
    """What the import left, table by table, with each case's row number and løpenummer."""
    async with db.sessions() as session:
        cases = (
            await session.execute(
                select(Soknad.id, Soknad.lopenummer, EtterregistrertSak.radnummer).join(
                    EtterregistrertSak, EtterregistrertSak.soknad_id == Soknad.id
                )
            )
        ).all()
        outbox, audit = db.tables.outbox, db.tables.audit
        events = [
            json.loads(envelope)["data"]["soknad_id"]
            for envelope in await session.scalars(
                select(outbox.c.envelope)
                .where(outbox.c.event_type == SakEtterregistrert.TYPE)
                .order_by(outbox.c.seq)
            )
        ]
        return Imported(
            cases=sorted((radnummer, str(lopenummer), id_) for id_, lopenummer, radnummer in cases),
            history=int(await session.scalar(select(func.count()).select_from(Historikk)) or 0),
            marks=int(await session.scalar(select(func.count()).select_from(EtterregistrertSak)) or 0),
            staged=int(await session.scalar(select(func.count()).select_from(EtterregRad)) or 0),
            audit=int(
                await session.scalar(select(func.count()).where(audit.c.what == "etterregistrering.import"))
                or 0
            ),
            events=events,
        )


async def test_a_failed_batch_leaves_nothing_and_the_outbox_has_one_event_per_case(
    app: FastAPI, published: Published
) -> None:
    db: Database = app.state.runtime.db
    await refuse_outbox_rows_of(db, FAILING_PATIENT)
    async with DemoClient(app, "hbe-admin") as admin:
        failed = await settled(admin, csv_file(ROWS))
        assert (failed["status"], failed["importert"], failed["melding"]) == ("feilet", 2 * BATCH, UVENTET)

        first = await imported(db)
        cases = first.cases
        # The two batches before the failing one, whole; nothing of the third (rows 22–31) or after.
        assert [radnummer for radnummer, _, _ in cases] == list(range(2, 2 + 2 * BATCH))
        # In the file's order, without a gap: the failed batch's reserved numbers were rolled back too.
        assert [lopenummer for _, lopenummer, _ in cases] == [
            f"HBE-2019-{n:06d}" for n in range(1, 1 + 2 * BATCH)
        ]
        assert (first.history, first.marks, first.audit, first.staged) == (20, 20, 20, 0)
        assert sorted(first.events) == sorted(id_ for _, _, id_ in cases)

        await allow_outbox_rows(db)
        again = await settled(admin, csv_file(ROWS))
    assert (again["status"], again["importert"], again["hoppet_over"]) == (
        "ferdig",
        ROWS - 2 * BATCH,
        2 * BATCH,
    )

    after = await imported(db)
    cases = after.cases
    assert [radnummer for radnummer, _, _ in cases] == list(range(2, 2 + ROWS))
    assert sorted(lopenummer for _, lopenummer, _ in cases) == [
        f"HBE-2019-{n:06d}" for n in range(1, 1 + ROWS)
    ]
    assert (after.history, after.marks, after.audit, after.staged) == (ROWS, ROWS, ROWS, 0)
    events = after.events
    assert sorted(events) == sorted(id_ for _, _, id_ in cases)

    # Published by the relay: each case's event once, in the order the outbox holds them.
    await wait_until(lambda: len(published.events) >= ROWS, timeout=30)
    delivered = [str(event["soknad_id"]) for event in published.events]
    assert Counter(delivered) == Counter(events)
    assert delivered == events


async def test_the_valid_rows_of_a_file_with_errors_wait_staged_and_import_in_batches(
    app: FastAPI, published: Published
) -> None:
    db: Database = app.state.runtime.db
    rows = csv_file(ROWS).decode().splitlines()
    # Row 30 names a unit the trust does not have.
    rows[29] = rows[29].replace("HBE-NEVRO", "HBE-FINNESIKKE")
    content = ("\n".join(rows) + "\n").encode()
    async with DemoClient(app, "hbe-admin") as admin:
        checked = await settled(admin, content)
        assert (checked["status"], checked["gyldige"], checked["feilrader"]) == ("har_feil", ROWS - 1, 1)
        waiting = await imported(db)
        assert (waiting.cases, waiting.events, waiting.staged) == ([], [], ROWS - 1)

        r = await admin.post(
            f"{API}/{checked['id']}/bare-gyldige", headers={"x-csrf-token": await admin.csrf()}
        )
        assert r.status_code == 202, r.text
        job: dict[str, object] = {}

        async def done() -> bool:
            job.update((await admin.get(f"{API}/{checked['id']}")).json())
            return job["status"] == "ferdig"

        await wait_until(done, timeout=60)
    assert (job["importert"], job["hoppet_over"]) == (ROWS - 1, 0)
    after = await imported(db)
    assert [radnummer for radnummer, _, _ in after.cases] == [n for n in range(2, 2 + ROWS) if n != 30]
    assert [lopenummer for _, lopenummer, _ in after.cases] == [f"HBE-2019-{n:06d}" for n in range(1, ROWS)]
    assert (after.history, after.marks, after.audit, after.staged) == (ROWS - 1, ROWS - 1, ROWS - 1, 0)
    assert sorted(after.events) == sorted(id_ for _, _, id_ in after.cases)
    await wait_until(lambda: len(published.events) >= ROWS - 1, timeout=30)
    assert [str(event["soknad_id"]) for event in published.events] == after.events
