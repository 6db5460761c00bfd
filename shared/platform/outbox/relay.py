"""The outbox relay: publishes committed outbox rows in order, with confirms, forever."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events.envelope import Envelope
from shared.platform.bus.base import Bus, BusMetrics, NoMetrics, PublishError
from shared.platform.db.engine import is_postgres
from shared.platform.db.uow import Database

log = structlog.get_logger(__name__)

STOP_GRACE_S = 5.0
"""How long `stop` waits for a batch in flight (publishes confirm in milliseconds; a broker that does
not answer is given up on, and the batch is sent again after the restart)."""


@dataclass
class _Claim:
    session: AsyncSession
    rows: list[Any]

    async def release(self) -> None:
        """Roll back: the rows were not published (or not all confirmed), so they stay unsent."""
        await self.session.close()


@dataclass
class _Outcome:
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    error: BaseException | None = None

    def raise_error(self) -> None:
        if self.error is not None:
            raise PublishError(str(self.error)) from self.error


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        buses: Mapping[str, Bus],
        *,
        batch_size: int = 200,
        poll_interval_s: float = 1.0,
        max_backoff_s: float = 30.0,
        metrics: BusMetrics | None = None,
        destination: str | None = None,
    ):
        """`destination`: relay only the rows for that bus. A service that publishes to two brokers runs
        one relay per destination, so an outage of one (the national overview's) never holds back the
        rows for the other behind it: order matters within a destination only."""
        self.db = db
        self.buses = buses
        self.destination = destination
        self.batch_size = batch_size
        self.poll_interval_s = poll_interval_s
        self.max_backoff_s = max_backoff_s
        self.metrics: BusMetrics = metrics or NoMetrics()
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.last_backlog = 0

    def wake(self) -> None:
        self._wakeup.set()

    def start(self) -> None:
        if self._task is None:
            name = f"outbox-relay-{self.db.service}" + (f"-{self.destination}" if self.destination else "")
            self._task = asyncio.create_task(self.run(), name=name)

    async def stop(self, *, grace_s: float = STOP_GRACE_S) -> None:
        """Let a batch in flight finish first: cancelled between its publishes and its COMMIT, the batch
        would be rolled back after its messages went out, and sent again by the next relay (the inboxes
        drop such duplicates, but every deploy would make a batch of them)."""
        if self._task is None:
            return
        self._stopping = True
        self._wakeup.set()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(asyncio.shield(self._task), grace_s)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        self._stopping = False

    @property
    def stopping(self) -> bool:
        """`stop` was called and waits for the batch in flight."""
        return self._stopping

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def run(self) -> None:
        backoff = 0.0
        while not self._stopping:
            try:
                await self._drain()
                backoff = 0.0
            except PublishError as exc:
                backoff = min(self.max_backoff_s, max(0.2, backoff * 2))
                log.warning("outbox_publish_failed", error=str(exc), retry_in_s=backoff)
            except asyncio.CancelledError:
                raise
            except Exception:
                # Database down or similar: keep trying, the rows are safe where they are.
                backoff = min(self.max_backoff_s, max(0.5, backoff * 2))
                log.exception("outbox_relay_error", retry_in_s=backoff)
            if self._stopping:
                return
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=backoff or self.poll_interval_s)

    async def publish_pending(self) -> int:
        """Publish one batch in `seq` order; failed rows stay unsent and are retried with backoff."""
        claim = await self._claim()
        if claim is None:
            return 0
        try:
            outcome = await self._send(claim.rows)
        except BaseException:
            await claim.release()
            raise
        await self._record(claim, outcome)
        outcome.raise_error()
        return len(outcome.sent)

    async def _drain(self) -> None:
        """Publish batches until one is not full (or the relay is stopping).

        A batch is published only after every message of the one before it was confirmed, as in
        `publish_pending`, so the order of publishes is the same. On PostgreSQL the database work is
        done beside the broker's: the next batch is claimed (`SKIP LOCKED` passes over the rows of the
        batch in flight, still locked) while this one's confirms are awaited, and this one's `sent_at`
        is committed while the next one is published. On SQLite, which has no row locks, one batch at
        a time."""
        if not is_postgres(self.db.engine):
            while await self.publish_pending() == self.batch_size and not self._stopping:
                pass
            return
        claim = await self._claim()
        recording: asyncio.Task[None] | None = None
        following: _Claim | None = None
        try:
            while claim is not None:
                sending = asyncio.create_task(self._send(claim.rows))
                claim_error: Exception | None = None
                try:
                    if len(claim.rows) == self.batch_size and not self._stopping:
                        try:
                            following = await self._claim()
                        except Exception as exc:
                            claim_error = exc  # after this batch is recorded
                    outcome = await sending
                except BaseException:
                    sending.cancel()
                    with contextlib.suppress(Exception, asyncio.CancelledError):
                        await sending
                    await claim.release()
                    raise
                previous, recording = recording, asyncio.create_task(self._record(claim, outcome))
                if previous is not None:
                    await previous
                if claim_error is not None:
                    raise claim_error
                if outcome.error is not None or self._stopping:
                    outcome.raise_error()
                    return
                claim, following = following, None
        finally:
            if following is not None:
                await following.release()  # claimed, never published: its rows wait for the next round
            if recording is not None:
                await recording

    def _query(self) -> Select[Any]:
        outbox = self.db.tables.outbox
        query = (
            select(
                outbox.c.seq,
                outbox.c.destination,
                outbox.c.exchange,
                outbox.c.routing_key,
                outbox.c.user_id,
                outbox.c.envelope,
                outbox.c.event_type,
            )
            .where(outbox.c.sent_at.is_(None))
            .order_by(outbox.c.seq)
            .limit(self.batch_size)
        )
        if self.destination is not None:
            query = query.where(outbox.c.destination == self.destination)
        if is_postgres(self.db.engine):
            query = query.with_for_update(skip_locked=True)
        return query

    async def _claim(self) -> _Claim | None:
        """The next unsent rows, in a transaction of their own that holds them until `_record`."""
        session = self.db.sessions()
        try:
            await session.begin()
            rows = list((await session.execute(self._query())).all())
        except BaseException:
            await session.close()
            raise
        if not rows:
            await session.close()
            self.last_backlog = 0
            return None
        return _Claim(session, rows)

    async def _send(self, rows: list[Any]) -> _Outcome:
        # All publishes of the batch are in flight at once and confirmed together. The channel's FIFO
        # lock sends them in `seq` order; only a failure can reorder (it is retried).
        results = await asyncio.gather(*(self._publish(row) for row in rows), return_exceptions=True)
        outcome = _Outcome()
        for row, result in zip(rows, results, strict=True):
            if result is None:
                outcome.sent.append(row.seq)
                self.metrics.published(row.event_type)
            elif isinstance(result, PublishError):
                outcome.failed.append(row.seq)
                outcome.error = outcome.error or result
            else:
                raise result
        return outcome

    async def _record(self, claim: _Claim, outcome: _Outcome) -> None:
        """Stamp what the broker confirmed (and count the failures), and commit: after the confirms."""
        outbox = self.db.tables.outbox
        try:
            if outcome.sent:
                await claim.session.execute(
                    update(outbox).where(outbox.c.seq.in_(outcome.sent)).values(sent_at=self.db.clock.now())
                )
            if outcome.failed:
                await claim.session.execute(
                    update(outbox)
                    .where(outbox.c.seq.in_(outcome.failed))
                    .values(attempts=outbox.c.attempts + 1, last_error=str(outcome.error)[:1000])
                )
            await claim.session.commit()
        finally:
            await claim.session.close()

    async def _publish(self, row: Any) -> None:
        bus = self.buses.get(row.destination)
        if bus is None:
            raise PublishError(f"no bus configured for destination {row.destination!r}")
        await bus.publish(
            Envelope.model_validate_json(row.envelope),
            exchange=row.exchange,
            routing_key=row.routing_key,
            user_id=row.user_id,
        )

    async def backlog(self) -> int:
        outbox = self.db.tables.outbox
        unsent = select(func.count()).where(outbox.c.sent_at.is_(None))
        if self.destination is not None:
            unsent = unsent.where(outbox.c.destination == self.destination)
        async with self.db.sessions() as session:
            count = await session.scalar(unsent)
        self.last_backlog = int(count or 0)
        return self.last_backlog
