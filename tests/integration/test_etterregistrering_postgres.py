"""Post-registration on real PostgreSQL (where cases, history and staged rows go by COPY): the imported
cases take løpenumre after the ones already given that year, their rows are complete, every case has its
event in the outbox and its line in the audit log, and a re-upload creates nothing twice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import func, select

from bench.etterregistrering import sample_catalogue
from integrasjon.api import router as lookups
from shared.domain.identifiers import synthetic_fodselsnummer
from shared.events.contracts import SakEtterregistrert
from shared.platform.bus.memory import MemoryBus
from shared.platform.db.uow import Database
from shared.platform.web.problems import install_error_handlers
from soknad import store
from soknad.app import create_app
from soknad.etterregistrering.kolonner import OVERSKRIFTER
from soknad.etterregistrering.modell import EtterregistrertSak, EtterregRad
from soknad.settings import SoknadSettings
from soknad.store import Historikk, Soknad
from tests.support.apps import DemoClient, running
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

API = "/api/etterregistrering"


def catalogue() -> httpx.AsyncClient:
    """integrasjon's own look-up routes and data, in-process (this test is about soknad's database)."""
    app = FastAPI()
    # Where integrasjon's look-up routes read their index from (`integrasjon.deps.get_katalog`).
    app.state.registre = SimpleNamespace(indeks=sample_catalogue())
    app.include_router(lookups)
    install_error_handlers(app)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://integrasjon")


@pytest_asyncio.fixture
async def app(pg_url: str, tmp_path: Path) -> AsyncIterator[FastAPI]:
    bus = MemoryBus()
    await bus.connect()
    settings = SoknadSettings(database_url=pg_url, data_dir=tmp_path, log_json=False)
    async with running(create_app(settings, bus=bus, integrasjon=catalogue())) as app:
        yield app
    await bus.close()


def csv_file(n: int) -> bytes:
    lines = [";".join(OVERSKRIFTER)]
    for i in range(n):
        fnr = synthetic_fodselsnummer(date(1970 + i % 30, 1 + i % 12, 1 + i % 28), sex="kvinne")
        lines.append(
            f"REF-{i};enkeltpasient;off_label;HBE-NEVRO;{fnr};Syntetisk Pasient {i};;"
            f"{'MabThera' if i % 2 else 'L01FA01'};G36.0;2019-03-04;2019-03-18;innvilget;2020-03-18;180000;"
        )
    return ("\n".join(lines) + "\n").encode()


async def settled(client: DemoClient, content: bytes) -> dict[str, Any]:
    r = await client.post(
        API, files={"fil": ("vedtak.csv", content)}, headers={"x-csrf-token": await client.csrf()}
    )
    assert r.status_code == 202, r.text
    job: dict[str, Any] = {}

    async def done() -> bool:
        job.update((await client.get(f"{API}/{r.json()['id']}")).json())
        return job["status"] not in ("validerer", "importerer")

    await wait_until(done, timeout=60)
    return job


async def test_import_on_postgres_numbers_audits_publishes_and_never_twice(app: FastAPI) -> None:
    db: Database = app.state.runtime.db
    async with db.sessions() as session, session.begin():
        live = await store.next_lopenummer_seq(session, hf="HBE", aar=2019)
    assert live == 1

    async with DemoClient(app, "hbe-admin") as admin:
        first = await settled(admin, csv_file(25))
        again = await settled(admin, csv_file(25))
    assert (first["status"], first["importert"]) == ("ferdig", 25)
    assert (again["status"], again["importert"], again["hoppet_over"]) == ("ferdig", 0, 25)

    async with db.sessions() as session:
        saker = list(await session.scalars(select(Soknad).order_by(Soknad.lopenummer)))
        history = int(await session.scalar(select(func.count()).select_from(Historikk)) or 0)
        marks = int(await session.scalar(select(func.count()).select_from(EtterregistrertSak)) or 0)
        staged = int(await session.scalar(select(func.count()).select_from(EtterregRad)) or 0)
        outbox, audit = db.tables.outbox, db.tables.audit
        events = int(
            await session.scalar(
                select(func.count()).select_from(outbox).where(outbox.c.event_type == SakEtterregistrert.TYPE)
            )
            or 0
        )
        audited = set(
            await session.scalars(select(audit.c.case_ref).where(audit.c.what == "etterregistrering.import"))
        )
    assert [s.lopenummer for s in saker] == [f"HBE-2019-{n:06d}" for n in range(2, 27)]
    assert (history, marks, events, staged) == (25, 25, 25, 0)
    assert audited == {s.lopenummer for s in saker}
    case = saker[0]
    assert case.status == "vedtatt" and case.utfall == "innvilget" and case.versjon == 1
    assert case.innhold["indikasjon"] == {"kode": "G36.0", "tekst": case.icd10_tekst, "verifisert": True}
    assert case.vedtak is not None and case.vedtak["etterregistrert"] is True
    assert case.sendt_at is not None and case.sendt_at.date() == date(2019, 3, 4)
