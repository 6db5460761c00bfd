"""Due follow-up reminders on real PostgreSQL: pages loaded at the same moment still make one notification
per person and case (the partial unique index and ON CONFLICT … WHERE agree on both databases)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

import soknad
from shared.domain.kalender import oslo_date
from shared.platform.auth.demo import DEMO_USERS
from shared.platform.clock import SystemClock
from shared.platform.db.engine import create_engine
from shared.platform.db.migrate import upgrade
from shared.platform.db.uow import Database
from soknad.handlers.oppfolging import forfaller_for
from soknad.store import SPINE, Soknad
from soknad.store.varsler import Varsel

MIGRATIONS = Path(soknad.__file__).parent / "migrations"


async def test_concurrent_loads_make_one_due_notification(pg_url: str) -> None:
    engine = create_engine(pg_url)
    try:
        await upgrade(engine, MIGRATIONS)
        db = Database(engine, SPINE, "soknad", SystemClock())
        now = db.clock.now()
        soknad_id = str(uuid.uuid4())
        async with db.unit_of_work() as uow:
            uow.session.add(
                Soknad(
                    id=soknad_id,
                    hf="HBE",
                    lopenummer=f"HBE-2031-{uuid.uuid4().int % 10**6:06d}",
                    type="enkeltpasient",
                    kategori="off_label",
                    status="vedtatt",
                    soker_id="hbe-soker",
                    soker_navn="Kari Nordmann",
                    enhet="HBE-NEVRO",
                    medforfattere=[],
                    innhold={},
                    vedtak={
                        "utfall": "innvilget",
                        "evalueringsdato": (oslo_date(now) + timedelta(days=3)).isoformat(),
                    },
                    utfall="innvilget",
                    opprettet_at=now,
                    endret_at=now,
                    endret_av="hbe-soker",
                    sendt_at=now,
                    vedtatt_at=now,
                )
            )
            await uow.commit()

        async def load_start_page(user_id: str) -> int:
            async with db.unit_of_work() as uow:
                due = await forfaller_for(uow, DEMO_USERS[user_id])
                await uow.commit()
                return len(due)

        shown = await asyncio.gather(*(load_start_page(u) for u in ["hbe-soker", "hbe-leder"] * 5))
        assert shown == [1] * 10
        async with db.sessions() as session:
            rows = (
                await session.execute(
                    select(Varsel.user_id, func.count())
                    .where(Varsel.soknad_id == soknad_id)
                    .group_by(Varsel.user_id)
                )
            ).all()
        assert sorted(rows) == [("hbe-leder", 1), ("hbe-soker", 1)]
    finally:
        await engine.dispose()
