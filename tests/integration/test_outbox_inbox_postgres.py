"""The transactional outbox and the inbox on real PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from sqlalchemy import MetaData, func, select

from shared.events.contracts import SoknadTrukket
from shared.events.envelope import Envelope
from shared.platform.bus.base import Message, PublishError, RetryPolicy, Subscription
from shared.platform.bus.memory import MemoryBus
from shared.platform.clock import SystemClock
from shared.platform.db.engine import create_engine
from shared.platform.db.tables import SpineTables, add_spine_tables
from shared.platform.db.uow import Database, UnitOfWork
from shared.platform.outbox.inbox import idempotent
from shared.platform.outbox.relay import OutboxRelay
from tests.support.waiting import wait_until

TYPE = SoknadTrukket.TYPE


def event(n: int) -> SoknadTrukket:
    return SoknadTrukket(soknad_id=str(n), lopenummer=f"HBE-2026-{n:06d}", trukket_at=datetime.now(UTC))


@pytest_asyncio.fixture
async def db(pg_url: str) -> AsyncIterator[Database]:
    metadata = MetaData()
    tables = add_spine_tables(metadata)
    engine = create_engine(pg_url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield Database(engine, tables, "soknad", SystemClock())
    await engine.dispose()


@pytest_asyncio.fixture
async def bus() -> AsyncIterator[MemoryBus]:
    bus = MemoryBus(retry=RetryPolicy((0.05,)))
    await bus.connect()
    await bus.declare_exchange("soknad.events")
    yield bus
    await bus.close()


async def collect(bus: MemoryBus) -> list[Envelope]:
    received: list[Envelope] = []

    async def handle(message: Message) -> None:
        received.append(message.envelope)

    await bus.subscribe(Subscription("t", "collect", "soknad.events", TYPE, handle))
    return received


async def unsent(db: Database) -> int:
    outbox = db.tables.outbox
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).where(outbox.c.sent_at.is_(None))) or 0)


async def stage(db: Database, numbers: range) -> None:
    async with db.unit_of_work() as uow:
        for n in numbers:
            uow.publish(event(n), hf="HBE", subject=f"HBE-2026-{n:06d}")
        await uow.commit()


async def test_rolled_back_use_case_leaves_no_event(db: Database) -> None:
    async with db.unit_of_work() as uow:
        uow.publish(event(1), hf="HBE", subject=None)
        # no commit: the use case failed
    assert await unsent(db) == 0


async def test_relay_publishes_in_order_and_stamps_sent(db: Database, bus: MemoryBus) -> None:
    received = await collect(bus)
    await stage(db, range(50))
    relay = OutboxRelay(db, {"local": bus}, batch_size=20)
    while await relay.publish_pending():
        pass
    await bus.drain()
    assert [e.data["soknad_id"] for e in received] == [str(n) for n in range(50)]
    assert await unsent(db) == 0


async def test_rows_stranded_by_a_crash_are_sent_by_the_next_relay(db: Database, bus: MemoryBus) -> None:
    received = await collect(bus)
    await stage(db, range(10))  # committed, but the process died before its relay ran
    survivor = Database(db.engine, db.tables, "soknad", SystemClock())
    relay = OutboxRelay(survivor, {"local": bus}, poll_interval_s=0.05)
    relay.start()
    try:
        await wait_until(lambda: len(received) == 10)
    finally:
        await relay.stop()
    assert await unsent(db) == 0


async def test_two_relays_never_publish_a_row_twice(db: Database, bus: MemoryBus) -> None:
    received = await collect(bus)
    await stage(db, range(400))
    relays = [OutboxRelay(db, {"local": bus}, batch_size=25, poll_interval_s=0.02) for _ in range(2)]
    for relay in relays:
        relay.start()
    try:
        await wait_until(lambda: len(received) >= 400, timeout=20)
        await bus.drain()
    finally:
        for relay in relays:
            await relay.stop()
    ids = [e.id for e in received]
    assert len(ids) == 400 and len(set(ids)) == 400


class GatedBus:
    """Publishes are held until released, so a test can stop a relay with a batch in flight."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.waiting = 0
        self.published: list[str] = []

    async def publish(self, envelope: Envelope, **_: object) -> None:
        self.waiting += 1
        await self.release.wait()
        self.published.append(envelope.id)


async def test_stopping_a_relay_lets_the_batch_in_flight_finish(db: Database) -> None:
    await stage(db, range(3))
    bus = GatedBus()
    relay = OutboxRelay(db, {"local": bus})  # type: ignore[dict-item]
    relay.start()
    await wait_until(lambda: bus.waiting == 3)
    stopping = asyncio.create_task(relay.stop())
    await asyncio.sleep(0.1)
    assert not stopping.done()  # waiting for the batch, not cancelling it
    bus.release.set()
    await asyncio.wait_for(stopping, 10)
    # Sent and marked sent: a cancelled batch would be rolled back and sent again by the next relay.
    assert len(bus.published) == 3 and await unsent(db) == 0
    assert not relay.running


async def test_unroutable_rows_wait_and_are_retried(db: Database, bus: MemoryBus) -> None:
    await stage(db, range(3))
    relay = OutboxRelay(db, {"local": bus})
    with pytest.raises(PublishError, match="unroutable"):  # no queue bound yet
        await relay.publish_pending()
    outbox = db.tables.outbox
    async with db.sessions() as session:
        rows = (await session.execute(select(outbox.c.attempts, outbox.c.last_error))).all()
    assert all(r.attempts == 1 and "unroutable" in (r.last_error or "") for r in rows)
    received = await collect(bus)
    while await relay.publish_pending():
        pass
    await bus.drain()
    assert len(received) == 3 and await unsent(db) == 0


async def test_inbox_gives_one_effect_per_event_even_when_delivered_concurrently(
    db: Database, bus: MemoryBus
) -> None:
    class System:
        user_id, role, hf = "system", "system", "HBE"

    async def handler(uow: UnitOfWork, evt: SoknadTrukket, envelope: Envelope) -> None:
        # The effect is a row written in the handler's transaction (here: an audit entry).
        uow.audit(System(), action="skriv", what="effekt", case_ref=evt.lopenummer, purpose="test")

    handle = idempotent(db, consumer="t.on_trukket", handler=handler)
    envelope = Envelope(
        source="/t", type=TYPE, hf="HBE", correlationid="c", data=event(7).model_dump(mode="json")
    )
    await asyncio.gather(*(handle(Message(envelope=envelope, attempt=1)) for _ in range(5)))
    await handle(Message(envelope=envelope, attempt=1, redelivered=True))
    tables: SpineTables = db.tables
    async with db.sessions() as session:
        recorded = await session.scalar(select(func.count()).select_from(tables.inbox))
        effects = await session.scalar(select(func.count()).select_from(tables.audit))
    assert (recorded, effects) == (1, 1)
