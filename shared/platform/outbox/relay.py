"""The outbox relay: publishes committed outbox rows in order, with confirms, forever."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any

import structlog
from sqlalchemy import func, select, update

from shared.events.envelope import Envelope
from shared.platform.bus.base import Bus, BusMetrics, NoMetrics, PublishError
from shared.platform.db.engine import is_postgres
from shared.platform.db.uow import Database

log = structlog.get_logger(__name__)

STOP_GRACE_S = 5.0
"""How long `stop` waits for a batch in flight (publishes confirm in milliseconds; a broker that does
not answer is given up on, and the batch is sent again after the restart)."""


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
    ):
        self.db = db
        self.buses = buses
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
            self._task = asyncio.create_task(self.run(), name=f"outbox-relay-{self.db.service}")

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
                published = await self.publish_pending()
                backoff = 0.0
                if published == self.batch_size and not self._stopping:
                    continue  # more waiting; don't sleep
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
        if is_postgres(self.db.engine):
            query = query.with_for_update(skip_locked=True)
        async with self.db.sessions() as session, session.begin():
            rows = (await session.execute(query)).all()
            if not rows:
                self.last_backlog = 0
                return 0
            # Pipelined: all publishes of the batch are in flight at once and confirmed together. The
            # channel's FIFO lock sends them in `seq` order; only a failure can reorder (it is retried).
            results = await asyncio.gather(*(self._publish(row) for row in rows), return_exceptions=True)
            sent: list[int] = []
            failed: list[int] = []
            error: BaseException | None = None
            for row, result in zip(rows, results, strict=True):
                if result is None:
                    sent.append(row.seq)
                    self.metrics.published(row.event_type)
                elif isinstance(result, PublishError):
                    failed.append(row.seq)
                    error = error or result
                else:
                    raise result
            now = self.db.clock.now()
            if sent:
                await session.execute(update(outbox).where(outbox.c.seq.in_(sent)).values(sent_at=now))
            if failed:
                await session.execute(
                    update(outbox)
                    .where(outbox.c.seq.in_(failed))
                    .values(attempts=outbox.c.attempts + 1, last_error=str(error)[:1000])
                )
        if error is not None:
            raise PublishError(str(error)) from error
        return len(sent)

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
        async with self.db.sessions() as session:
            count = await session.scalar(select(func.count()).where(outbox.c.sent_at.is_(None)))
        self.last_backlog = int(count or 0)
        return self.last_backlog
