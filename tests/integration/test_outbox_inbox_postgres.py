"""The transactional outbox and the inbox on real PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import MetaData, func, select, text

from shared.events.contracts import SoknadTrukket
from shared.events.envelope import Envelope
from shared.platform.bus.base import Message, PublishError, RetryPolicy, Subscription
from shared.platform.bus.memory import MemoryBus
from shared.platform.clock import SystemClock
from shared.platform.db.engine import create_engine
from shared.platform.db.tables import SpineTables, add_spine_tables
from shared.platform.db.uow import Database, UnitOfWork
from shared.platform.errors import InvalidTransition
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


async def test_an_event_for_outside_readers_goes_to_its_exchange_under_its_own_routing_key(
    db: Database, bus: MemoryBus
) -> None:
    await bus.declare_exchange("integratorer")
    received: dict[str, list[str]] = {"off_label": [], "gruppe": []}

    def collector(key: str) -> Any:
        async def handle(message: Message) -> None:
            received[key].append(message.envelope.data["soknad_id"])

        return handle

    for key in received:
        await bus.subscribe(
            Subscription("t", key, "integratorer", TYPE, collector(key), binding_key=f"vedtak.{key}.#")
        )
    async with db.unit_of_work() as uow:
        uow.publish(
            event(7), hf="HBE", subject=None, exchange="integratorer", routing_key="vedtak.off_label.x"
        )
        uow.publish(event(8), hf="HBE", subject=None, exchange="integratorer", routing_key="vedtak.gruppe.x")
        await uow.commit()
    await OutboxRelay(db, {"local": bus}).publish_pending()
    await bus.drain()
    assert received == {"off_label": ["7"], "gruppe": ["8"]}


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
    await wait_until(lambda: relay.stopping)
    # The batch is held, so a stop that waits for it cannot be done; one that cancelled it would be.
    assert not stopping.done()
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


# --- groups: messages in the consumer at the same time share one transaction -------------------------


class System:
    user_id, role, hf = "system", "system", "HBE"


def envelope_of(n: int) -> Envelope:
    return Envelope(
        source="/t", type=TYPE, hf="HBE", correlationid=f"c{n}", data=event(n).model_dump(mode="json")
    )


async def effects(db: Database) -> tuple[list[str], list[str], int]:
    """Event ids in the inbox, the cases with an effect (audit rows), and how many transactions wrote
    the inbox rows (PostgreSQL's `xmin`: the id of the transaction that inserted a row)."""
    tables: SpineTables = db.tables
    async with db.sessions() as session:
        inbox = sorted((await session.scalars(select(tables.inbox.c.event_id))).all())
        cases = sorted((await session.scalars(select(tables.audit.c.case_ref))).all())
        transactions = await session.scalar(text("SELECT count(DISTINCT xmin::text) FROM inbox"))
    return inbox, [c for c in cases if c is not None], int(transactions or 0)


class Gate:
    """Holds the handler of chosen events until released, and says when they got there."""

    def __init__(self, *held: int) -> None:
        self.held = {str(n) for n in held}
        self.arrived: set[str] = set()
        self.release = asyncio.Event()

    async def __call__(self, evt: SoknadTrukket) -> None:
        if evt.soknad_id in self.held:
            self.arrived.add(evt.soknad_id)
            await self.release.wait()


async def test_messages_waiting_together_are_handled_in_one_transaction(db: Database) -> None:
    gate = Gate(0)

    async def handler(uow: UnitOfWork, evt: SoknadTrukket, envelope: Envelope) -> None:
        await gate(evt)
        uow.audit(System(), action="skriv", what="effekt", case_ref=evt.lopenummer, purpose="test")

    handle = idempotent(db, consumer="t.on_trukket", handler=handler, max_transactions=1)
    envelopes = [envelope_of(n) for n in range(41)]
    # Event 0 holds the only transaction; 1–40 arrive meanwhile and wait for it.
    handling = asyncio.gather(*(handle(Message(envelope=e, attempt=1)) for e in envelopes))
    await wait_until(lambda: gate.arrived == {"0"})
    gate.release.set()
    await asyncio.wait_for(handling, 20)
    inbox, cases, transactions = await effects(db)
    assert inbox == sorted(e.id for e in envelopes)
    assert cases == sorted(f"HBE-2026-{n:06d}" for n in range(41))
    assert transactions == 2  # event 0 alone, then 1–40 together
    # Each handler ran under its own event's correlation id, also inside the group.
    audit = db.tables.audit
    async with db.sessions() as session:
        rows = (await session.execute(select(audit.c.case_ref, audit.c.correlation_id))).all()
    assert {case: correlation for case, correlation in rows} == {
        f"HBE-2026-{n:06d}": f"c{n}" for n in range(41)
    }


async def test_a_group_handler_gets_the_groups_new_events_at_once_and_lone_ones_go_to_the_handler(
    db: Database,
) -> None:
    gate = Gate(0)
    groups: list[list[str]] = []
    alone: list[str] = []

    async def handler(uow: UnitOfWork, evt: SoknadTrukket, envelope: Envelope) -> None:
        await gate(evt)
        alone.append(evt.soknad_id)
        uow.audit(System(), action="skriv", what="effekt", case_ref=evt.lopenummer, purpose="test")

    async def group_handler(uow: UnitOfWork, events: Sequence[tuple[SoknadTrukket, Envelope]]) -> None:
        groups.append([evt.soknad_id for evt, _ in events])
        for evt, _ in events:
            uow.audit(System(), action="skriv", what="effekt", case_ref=evt.lopenummer, purpose="test")

    handle = idempotent(
        db, consumer="t.on_trukket", handler=handler, group_handler=group_handler, max_transactions=1
    )
    seen = envelope_of(7)
    await handle(Message(envelope=seen, attempt=1))  # handled before: a duplicate in the group
    envelopes = [seen if n == 7 else envelope_of(n) for n in range(12)]
    handling = asyncio.gather(*(handle(Message(envelope=e, attempt=1)) for e in envelopes))
    await wait_until(lambda: gate.arrived == {"0"})
    gate.release.set()
    await asyncio.wait_for(handling, 20)
    # 7 alone first, then 0 alone (it held the transaction), then 1-11 in one call, without 7.
    assert alone == ["7", "0"]
    assert groups == [[str(n) for n in range(1, 12) if n != 7]]
    inbox, cases, _ = await effects(db)
    assert inbox == sorted(e.id for e in envelopes)
    assert cases == sorted(f"HBE-2026-{n:06d}" for n in range(12))


async def test_a_failure_in_a_group_leaves_the_others_handled_once_and_itself_unrecorded(
    db: Database,
) -> None:
    gate = Gate(0)
    calls: list[str] = []

    async def handler(uow: UnitOfWork, evt: SoknadTrukket, envelope: Envelope) -> None:
        await gate(evt)
        calls.append(evt.soknad_id)
        if evt.soknad_id == "3":
            raise RuntimeError("database hiccup")  # transient: the bus retries it
        if evt.soknad_id == "5":
            raise InvalidTransition("søknaden er allerede trukket")  # permanent: dead-lettered
        uow.audit(System(), action="skriv", what="effekt", case_ref=evt.lopenummer, purpose="test")

    handle = idempotent(db, consumer="t.on_trukket", handler=handler, max_transactions=1)
    envelopes = [envelope_of(n) for n in range(8)]
    handling = asyncio.gather(
        *(handle(Message(envelope=e, attempt=1)) for e in envelopes), return_exceptions=True
    )
    await wait_until(lambda: gate.arrived == {"0"})
    gate.release.set()
    results = await asyncio.wait_for(handling, 20)

    assert [type(r).__name__ if r else None for r in results] == [
        None, None, None, "RuntimeError", None, "PermanentError", None, None,
    ]  # fmt: skip
    inbox, cases, _ = await effects(db)
    handled = [n for n in range(8) if n not in (3, 5)]
    assert inbox == sorted(envelopes[n].id for n in handled)
    assert cases == sorted(f"HBE-2026-{n:06d}" for n in handled)
    # The group (1–7) was tried once and rolled back at event 3; then each was handled alone.
    assert calls[:4] == ["0", "1", "2", "3"]
    assert sorted(calls[4:]) == [str(n) for n in range(1, 8)]


async def test_a_group_whose_leader_is_cancelled_hands_its_messages_back(db: Database) -> None:
    gate = Gate(0, 1)
    handled: list[str] = []

    async def handler(uow: UnitOfWork, evt: SoknadTrukket, envelope: Envelope) -> None:
        await gate(evt)
        handled.append(evt.soknad_id)

    handle = idempotent(db, consumer="t.on_trukket", handler=handler, max_transactions=1)
    envelopes = [envelope_of(n) for n in range(5)]
    tasks = [asyncio.create_task(handle(Message(envelope=e, attempt=1))) for e in envelopes]
    await wait_until(lambda: gate.arrived == {"0"})
    cancelled_while_waiting = tasks[4]
    cancelled_while_waiting.cancel()  # still waiting for a transaction: nothing is done for it
    gate.held.discard("0")
    gate.release.set()
    gate.release = asyncio.Event()
    # Event 0 is done; 1 leads the group of 1–3 and is held in it, then its consumer stops.
    await wait_until(lambda: gate.arrived == {"0", "1"})
    tasks[1].cancel()
    results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 20)
    assert [type(r).__name__ if r else None for r in results] == [
        None, "CancelledError", None, None, "CancelledError",
    ]  # fmt: skip
    inbox, _, _ = await effects(db)
    # 2 and 3 were handled alone after the group was abandoned; 1 and 4 were not acked, so the broker
    # delivers them again.
    assert inbox == sorted(envelopes[n].id for n in (0, 2, 3))
    assert sorted(handled) == ["0", "2", "3"]


# --- the relay claims the next batch while one is in flight ----------------------------------------


class WatchedRelay(OutboxRelay):
    """Records the rows of each batch it claims."""

    claims: list[list[int]]

    async def _claim(self) -> Any:
        claim = await super()._claim()
        self.claims = getattr(self, "claims", [])
        self.claims.append([row.seq for row in claim.rows] if claim is not None else [])
        return claim


async def stamped(db: Database) -> list[str]:
    """Event ids stamped `sent_at`, in `seq` order."""
    outbox = db.tables.outbox
    async with db.sessions() as session:
        query = select(outbox.c.event_id).where(outbox.c.sent_at.is_not(None)).order_by(outbox.c.seq)
        return list((await session.scalars(query)).all())


async def staged_ids(db: Database) -> list[str]:
    outbox = db.tables.outbox
    async with db.sessions() as session:
        return list((await session.scalars(select(outbox.c.event_id).order_by(outbox.c.seq))).all())


async def test_the_next_batch_is_claimed_while_one_is_in_flight_and_published_after_it(
    db: Database,
) -> None:
    await stage(db, range(6))
    ids = await staged_ids(db)
    bus = GatedBus()
    relay = WatchedRelay(db, {"local": bus}, batch_size=3)  # type: ignore[dict-item]
    relay.start()
    try:
        await wait_until(lambda: bus.waiting == 3 and len(getattr(relay, "claims", [])) == 2)
        # The second batch is held by the relay (another relay finds nothing to take) but not published
        # before the first is confirmed.
        assert await OutboxRelay(db, {"local": MemoryBus()}).publish_pending() == 0
        assert bus.waiting == 3 and bus.published == []
        bus.release.set()
        await wait_until(lambda: len(bus.published) == 6)
        await wait_until(lambda: stamped_all(db, 6))
    finally:
        await relay.stop()
    assert bus.published == ids  # in `seq` order, batch after batch
    assert [len(c) for c in relay.claims[:2]] == [3, 3]


async def stamped_all(db: Database, count: int) -> bool:
    return len(await stamped(db)) == count


async def test_a_stopping_relay_finishes_the_batch_in_flight_and_leaves_the_claimed_next_one(
    db: Database,
) -> None:
    await stage(db, range(6))
    ids = await staged_ids(db)
    bus = GatedBus()
    relay = WatchedRelay(db, {"local": bus}, batch_size=3)  # type: ignore[dict-item]
    relay.start()
    await wait_until(lambda: bus.waiting == 3 and len(getattr(relay, "claims", [])) == 2)
    stopping = asyncio.create_task(relay.stop())
    await wait_until(lambda: relay.stopping)
    bus.release.set()
    await asyncio.wait_for(stopping, 10)
    # The batch in flight was published and stamped; the claimed one was given back unpublished.
    assert bus.published == ids[:3]
    assert await stamped(db) == ids[:3]
    assert await unsent(db) == 3


async def test_an_outage_of_one_destination_holds_back_none_of_the_others_rows(
    db: Database, bus: MemoryBus
) -> None:
    received = await collect(bus)
    national = MemoryBus()  # never connected: the national overview is down
    async with db.unit_of_work() as uow:
        for n in range(250):  # more than a batch, all for the national overview, queued first
            uow.publish(event(n), hf="HBE", subject=None, destination="national", exchange="soknad.events")
        for n in range(1000, 1005):
            uow.publish(event(n), hf="HBE", subject=None)
        await uow.commit()
    relays = [
        OutboxRelay(db, {"local": bus, "national": national}, batch_size=200, destination=d)
        for d in ("local", "national")
    ]
    for relay in relays:
        relay.start()
    try:
        await wait_until(lambda: len(received) == 5, timeout=10)
        assert [e.data["soknad_id"] for e in received] == [str(n) for n in range(1000, 1005)]
        assert await relays[1].backlog() == 250 and await relays[0].backlog() == 0
    finally:
        for relay in relays:
            await relay.stop()
