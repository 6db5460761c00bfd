"""Idempotent consumers: the event id is recorded in the handler's own transaction (the inbox),
so a redelivered event is acked and skipped with no second effect.

Messages of one subscription that are in the consumer at the same time (up to the prefetch) are
handled in **groups**: one transaction records all their event ids in one `INSERT … ON CONFLICT DO
NOTHING RETURNING` and runs their handlers one after the other, in delivery order, on one unit of
work, then commits once. Each message is acked only after that commit, and each event id is still
written in the same transaction as its handler's effects. A group is only a faster way to run
transactions that succeed: if anything in it fails (a handler raises, the commit fails), the group is
rolled back and every message in it is handled alone, in a transaction of its own, exactly as a lone
message is, so retries, dead letters and the translation of errors are those of one message. A
message that arrives while no group is running is handled alone at once: batching never waits.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import structlog
from sqlalchemy import ARRAY, Insert, bindparam, func, select
from sqlalchemy import column as sql_column
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from shared.events.base import EventContract, InvalidEventPayload, UnknownEventType, parse_event
from shared.events.envelope import Envelope
from shared.platform.bus.base import Message, PermanentError, Subscription, exchange_for
from shared.platform.bus.common import is_being_cancelled
from shared.platform.db.uow import Database, UnitOfWork, is_unique_violation
from shared.platform.errors import DomainError, StaleVersion
from shared.platform.observability.logging import bind_correlation_id

log = structlog.get_logger(__name__)

EventHandler = Callable[[UnitOfWork, Any, Envelope], Awaitable[None]]
GroupHandler = Callable[[UnitOfWork, Sequence[tuple[Any, Envelope]]], Awaitable[None]]
"""Handles a group's new events in delivery order at once, with the same effect as `EventHandler` on each
in turn; a service whose handler is one statement a message can make it one statement a group."""

MAX_GROUP = 100
"""Most messages handled in one transaction."""
MAX_TRANSACTIONS = 2
"""Transactions one subscription runs at once: while one group commits, the next one is handled."""


@dataclass(frozen=True)
class Consumes:
    """One line of a service's subscription table (`consumers.py`)."""

    contract: type[EventContract]
    handler: EventHandler
    exchange: str | None = None
    """Defaults to the producing service's exchange."""

    @property
    def handler_name(self) -> str:
        return getattr(self.handler, "__name__", "handle")


def subscriptions(
    db: Database, consumer: str, table: list[Consumes], *, metrics: Any = None
) -> list[Subscription]:
    return [
        Subscription(
            consumer=consumer,
            handler_name=row.handler_name,
            exchange=row.exchange or exchange_for(row.contract.PRODUCER),
            event_type=row.contract.TYPE,
            handler=idempotent(
                db, consumer=f"{consumer}.{row.handler_name}", handler=row.handler, metrics=metrics
            ),
        )
        for row in table
    ]


def idempotent(
    db: Database,
    *,
    consumer: str,
    handler: EventHandler,
    metrics: Any = None,
    max_group: int = MAX_GROUP,
    max_transactions: int = MAX_TRANSACTIONS,
    group_handler: GroupHandler | None = None,
) -> Callable[[Message], Awaitable[None]]:
    """The bus handler for one subscription: `max_group=1` handles every message alone. With
    `group_handler`, a group's new events go to it at once (a lone message, or a group that failed and is
    retried message by message, still goes to `handler`)."""
    groups = _Groups(
        db,
        consumer,
        handler,
        max_group=max_group,
        max_transactions=max_transactions,
        group_handler=group_handler,
    )

    async def alone(entry: _Entry) -> None:
        """One message, one transaction: the inbox row and the handler's effects commit together."""
        envelope = entry.envelope
        bind_correlation_id(envelope.correlationid)
        bound = log.bind(event_id=envelope.id, type=envelope.type, hf=envelope.hf, consumer=consumer)
        try:
            async with db.unit_of_work() as uow:
                if not await uow.mark_processed(
                    consumer=consumer, event_id=envelope.id, event_type=envelope.type
                ):
                    bound.info("event_duplicate_skipped")
                    return
                await handler(uow, entry.event, envelope)
                await uow.commit()
        except IntegrityError as exc:
            if is_unique_violation(exc) and "inbox" in str(exc).lower():
                bound.info("event_duplicate_skipped", race=True)
                return
            raise
        except StaleVersion:
            # Someone else changed the row first: a retry reads the new version and can succeed.
            if metrics is not None:
                metrics.failed(envelope.type)
            raise
        except DomainError as exc:
            # The case's state refuses this event; retrying cannot help, an operator must look.
            bound.error("event_refused_by_domain", error=exc.message)
            if metrics is not None:
                metrics.failed(envelope.type)
            raise PermanentError(exc.message) from exc
        except Exception:
            if metrics is not None:
                metrics.failed(envelope.type)
            raise
        if metrics is not None:
            metrics.consumed(envelope.type)
        bound.info("event_handled", attempt=entry.attempt)

    groups.alone = alone

    async def handle(message: Message) -> None:
        envelope = message.envelope
        bind_correlation_id(envelope.correlationid)
        try:
            event = parse_event(envelope)
        except (UnknownEventType, InvalidEventPayload) as exc:
            log.error(
                "event_rejected",
                event_id=envelope.id,
                type=envelope.type,
                hf=envelope.hf,
                consumer=consumer,
                error=str(exc),
            )
            raise PermanentError(str(exc)) from exc
        entry = _Entry(envelope, event, message.attempt)
        outcome = await groups.handle(entry)
        if outcome is _Outcome.DONE:
            return
        if outcome is _Outcome.ALONE:
            await alone(entry)
            return
        # Handled in a group that committed (the group's handlers ran under their own correlation ids).
        bind_correlation_id(envelope.correlationid)
        bound = log.bind(event_id=envelope.id, type=envelope.type, hf=envelope.hf, consumer=consumer)
        if outcome is _Outcome.DUPLICATE:
            bound.info("event_duplicate_skipped")
            return
        if metrics is not None:
            metrics.consumed(envelope.type)
        bound.info("event_handled", attempt=message.attempt, group=entry.group_size)

    handle.__name__ = f"inbox_{consumer}"
    return handle


class _Outcome(Enum):
    DONE = "done"
    """Handled alone in a transaction slot, and reported."""
    HANDLED = "handled"
    """Its group committed with this message's inbox row and effects."""
    DUPLICATE = "duplicate"
    """Its group committed; the event had been processed before, so it had no effect."""
    ALONE = "alone"
    """Its group did not commit: handle it alone."""
    LEAD = "lead"
    """A transaction slot is free: handle a group starting with this message."""


@dataclass(eq=False)
class _Entry:
    envelope: Envelope
    event: EventContract
    attempt: int
    future: asyncio.Future[_Outcome] | None = None
    group_size: int = 1


@dataclass(eq=False)
class _Groups:
    """Hands the messages of one subscription to at most `max_transactions` transactions at a time.

    A message that finds a slot free leads: it handles itself together with every message waiting at
    that moment (up to `max_group`), then passes the slot to the next waiting message. A message
    that finds every slot busy waits, and is handled by the group that takes it."""

    db: Database
    consumer: str
    handler: EventHandler
    max_group: int
    max_transactions: int
    group_handler: GroupHandler | None = None
    alone: Callable[[_Entry], Awaitable[None]] | None = None
    _waiting: deque[_Entry] = field(default_factory=deque)
    _running: int = 0
    _insert: Insert | None = None

    async def handle(self, entry: _Entry) -> _Outcome:
        """Handle `entry`'s message (or return ALONE for the caller to do so)."""
        if self.max_group <= 1:
            return _Outcome.ALONE
        if self._running < self.max_transactions:
            self._running += 1
            return await self._lead(entry)
        entry.future = asyncio.get_running_loop().create_future()
        self._waiting.append(entry)
        try:
            outcome = await entry.future
        except asyncio.CancelledError:
            # Not taken by a group yet: nothing was done and the message is not acked, so the broker
            # delivers it again. Taken: the group's outcome stands either way (a committed effect
            # makes the redelivery a duplicate). Handed a slot: hand it on, or it is lost.
            future = entry.future
            if future.done() and not future.cancelled() and future.result() is _Outcome.LEAD:
                self._pass_slot_on()
            else:
                with contextlib.suppress(ValueError):
                    self._waiting.remove(entry)
            raise
        if outcome is _Outcome.LEAD:
            return await self._lead(entry)
        return outcome

    async def _lead(self, first: _Entry) -> _Outcome:
        group = [first]
        while self._waiting and len(group) < self.max_group:
            waiting = self._waiting.popleft()
            if waiting.future is not None and not waiting.future.done():  # not cancelled meanwhile
                group.append(waiting)
        outcomes: dict[_Entry, _Outcome] = {}
        try:
            if len(group) == 1:
                assert self.alone is not None
                await self.alone(first)
                return _Outcome.DONE
            outcomes = await self._run_group(group)
            return outcomes.get(first, _Outcome.ALONE)
        finally:
            for entry in group[1:]:
                assert entry.future is not None
                if not entry.future.done():
                    entry.future.set_result(outcomes.get(entry, _Outcome.ALONE))
            self._pass_slot_on()

    def _pass_slot_on(self) -> None:
        while self._waiting:
            entry = self._waiting.popleft()
            assert entry.future is not None
            if not entry.future.done():
                entry.future.set_result(_Outcome.LEAD)
                return
        self._running -= 1

    async def _run_group(self, group: list[_Entry]) -> dict[_Entry, _Outcome]:
        """One transaction for the group; every entry ALONE unless it committed."""
        first_of: dict[str, _Entry] = {}
        for entry in group:
            first_of.setdefault(entry.envelope.id, entry)
            entry.group_size = len(group)
        now = self.db.clock.now()
        rows: list[dict[str, Any]] | dict[str, Any]
        if self.db.engine.dialect.name == "postgresql":
            rows = {
                "consumer": self.consumer,
                "processed_at": now,
                "event_ids": [entry.envelope.id for entry in first_of.values()],
                "event_types": [entry.envelope.type for entry in first_of.values()],
            }
        else:
            rows = [
                {
                    "consumer": self.consumer,
                    "event_id": entry.envelope.id,
                    "event_type": entry.envelope.type,
                    "processed_at": now,
                }
                for entry in first_of.values()
            ]
        new: set[str] = set()  # event ids seen for the first time: their handlers run
        try:
            async with self.db.sessions() as session:
                uow = UnitOfWork(self.db, session)
                try:
                    result = await session.execute(self._inbox_insert(), rows)
                    new.update(row[0] for row in result)
                    fresh = [entry for entry in first_of.values() if entry.envelope.id in new]
                    if self.group_handler is not None and fresh:
                        await self.group_handler(uow, [(entry.event, entry.envelope) for entry in fresh])
                    else:
                        for entry in fresh:
                            bind_correlation_id(entry.envelope.correlationid)
                            await self.handler(uow, entry.event, entry.envelope)
                    await uow.commit()
                finally:
                    if not uow.committed:
                        await uow.rollback()
        except BaseException as exc:
            if isinstance(exc, asyncio.CancelledError) and is_being_cancelled():
                raise
            if not isinstance(exc, Exception | asyncio.CancelledError):
                raise
            # Nothing of the group committed: each message is handled alone, where its error (if it
            # has one) is classified, retried or dead-lettered as a lone message's would be.
            log.info("inbox_group_failed", consumer=self.consumer, size=len(group), error=repr(exc)[:300])
            return {}
        return {
            entry: _Outcome.HANDLED
            if first_of[entry.envelope.id] is entry and entry.envelope.id in new
            else _Outcome.DUPLICATE
            for entry in group
        }

    def _inbox_insert(self) -> Insert:
        if self._insert is None:
            inbox = self.db.tables.inbox
            if self.db.engine.dialect.name == "postgresql":
                # The group's ids as two arrays, unnested: one prepared statement for any group size (a
                # multi-row VALUES would be a statement of its own for each size, its 400 parameters
                # handled one by one).
                new = (
                    func.unnest(
                        bindparam("event_ids", type_=ARRAY(inbox.c.event_id.type)),
                        bindparam("event_types", type_=ARRAY(inbox.c.event_type.type)),
                    )
                    .table_valued(
                        sql_column("event_id", inbox.c.event_id.type),
                        sql_column("event_type", inbox.c.event_type.type),
                        name="ny",
                    )
                    .render_derived()
                )
                self._insert = (
                    pg_insert(inbox)
                    .from_select(
                        ["consumer", "event_id", "event_type", "processed_at"],
                        select(
                            bindparam("consumer", type_=inbox.c.consumer.type),
                            new.c.event_id,
                            new.c.event_type,
                            bindparam("processed_at", type_=inbox.c.processed_at.type),
                        ),
                    )
                    .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
                    .returning(inbox.c.event_id)
                )
            else:
                self._insert = (
                    sqlite_insert(inbox)
                    .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
                    .returning(inbox.c.event_id)
                )
        return self._insert
