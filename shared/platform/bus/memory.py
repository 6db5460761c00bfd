"""In-process bus transport with RabbitMQ's routing, ack, retry and dead-letter semantics."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial

import structlog

from shared.events.envelope import Envelope
from shared.platform.bus.base import (
    BusHealth,
    BusMetrics,
    DeadLetter,
    Message,
    NoMetrics,
    PermanentError,
    PublishError,
    RetryPolicy,
    Subscription,
    UnknownQueueError,
)
from shared.platform.bus.common import describe_error, is_being_cancelled, log_context

log = structlog.get_logger(__name__)

DEFAULT_PREFETCH = 32


def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching: words split on '.', `*` is exactly one word, `#` zero or more words."""
    words = pattern.split(".")

    def past_hashes(positions: set[int]) -> set[int]:
        # A `#` may match zero words, so a position on a `#` also stands on the word after it.
        reachable = set(positions)
        pending = list(positions)
        while pending:
            position = pending.pop()
            if position < len(words) and words[position] == "#" and position + 1 not in reachable:
                reachable.add(position + 1)
                pending.append(position + 1)
        return reachable

    positions = past_hashes({0})
    for word in routing_key.split("."):
        advanced: set[int] = set()
        for position in positions:
            if position == len(words):
                continue
            if words[position] == "#":
                advanced.add(position)
            elif words[position] in ("*", word):
                advanced.add(position + 1)
        positions = past_hashes(advanced)
        if not positions:
            return False
    return len(words) in positions


@dataclass(frozen=True)
class _Delivery:
    body: bytes
    attempt: int = 1
    user_id: str | None = None
    redelivered: bool = False


@dataclass(frozen=True)
class _DeadRecord:
    body: bytes
    reason: str
    attempts: int
    user_id: str | None
    at: datetime


@dataclass(eq=False)
class _Consumer:
    subscription: Subscription
    prefetch: int
    in_flight: dict[asyncio.Task[None], _Delivery] = field(default_factory=dict)


@dataclass(eq=False)
class _Queue:
    name: str
    ready: deque[_Delivery] = field(default_factory=deque)
    consumers: list[_Consumer] = field(default_factory=list)
    dead: deque[_DeadRecord] = field(default_factory=deque)
    turn: int = 0


@dataclass(eq=False)
class _PendingRetry:
    queue: _Queue
    delivery: _Delivery
    handle: asyncio.TimerHandle | None = None


class MemoryBus:
    """One instance is the whole broker: every service in the process must share it.

    Messages are kept as serialised bytes, so tests on this transport prove serialisation too.
    `close()` stops the consumers (in-flight handlers are cancelled and their messages requeued as
    redelivered) but keeps exchanges, queues and messages, as a broker would; `connect()` resumes.
    """

    def __init__(
        self,
        *,
        retry: RetryPolicy | None = None,
        metrics: BusMetrics | None = None,
        prefetch: int = DEFAULT_PREFETCH,
    ) -> None:
        self._retry = retry or RetryPolicy()
        self._metrics: BusMetrics = metrics or NoMetrics()
        self._prefetch = prefetch
        self._connected = False
        self._bindings: dict[str, list[tuple[str, str]]] = {}
        self._queues: dict[str, _Queue] = {}
        self._retries: set[_PendingRetry] = set()
        self._state_changed = asyncio.Event()

    async def connect(self) -> None:
        self._connected = True

    async def close(self) -> None:
        self._connected = False
        in_flight: list[asyncio.Task[None]] = []
        for queue in self._queues.values():
            for consumer in queue.consumers:
                in_flight.extend(consumer.in_flight)
            queue.consumers = []
        for task in in_flight:
            task.cancel()
        await asyncio.gather(*in_flight, return_exceptions=True)
        # A broker keeps delayed retries while nobody consumes; here they would be loop timers that
        # outlive the loop, so they go back to their queue now and wait for the next consumer there.
        for pending in list(self._retries):
            if pending.handle is not None:
                pending.handle.cancel()
            self._retries.discard(pending)
            pending.queue.ready.append(pending.delivery)
        self._notify()

    async def declare_exchange(self, exchange: str) -> None:
        if not self._connected:
            raise ConnectionError("memory bus is not connected")
        self._bindings.setdefault(exchange, [])

    async def publish(
        self,
        envelope: Envelope,
        *,
        exchange: str,
        routing_key: str | None = None,
        user_id: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - a per-call confirm deadline, part of the contract
    ) -> None:
        self._route(
            envelope.to_bytes(),
            exchange=exchange,
            routing_key=routing_key or envelope.routing_key,
            user_id=user_id,
        )
        self._metrics.published(envelope.type)

    async def publish_bytes(
        self, body: bytes, *, exchange: str, routing_key: str, user_id: str | None = None
    ) -> None:
        """Publish a raw body, as a foreign or broken producer could; lets tests send undecodable messages."""
        self._route(body, exchange=exchange, routing_key=routing_key, user_id=user_id)

    async def subscribe(self, subscription: Subscription, *, prefetch: int | None = None) -> None:
        if not self._connected:
            raise ConnectionError("memory bus is not connected")
        bindings = self._bindings.setdefault(subscription.exchange, [])
        queue = self._queues.get(subscription.queue)
        if queue is None:
            queue = self._queues[subscription.queue] = _Queue(subscription.queue)
        if queue.consumers:
            return
        binding = (subscription.key, queue.name)
        if binding not in bindings:
            bindings.append(binding)
        queue.consumers.append(_Consumer(subscription, prefetch or self._prefetch))
        self._dispatch(queue)

    async def dead_letters(self, queue: str, *, limit: int = 100) -> list[DeadLetter]:
        records = list(self._queue(queue).dead)[:limit]
        return [
            DeadLetter(
                envelope_json=record.body.decode("utf-8", errors="replace"),
                reason=record.reason,
                attempts=record.attempts,
                dead_lettered_at=record.at,
            )
            for record in records
        ]

    async def replay_dead_letters(self, queue: str, *, limit: int | None = None) -> int:
        target = self._queue(queue)
        count = len(target.dead) if limit is None else min(limit, len(target.dead))
        for _ in range(count):
            record = target.dead.popleft()
            target.ready.append(_Delivery(record.body, attempt=1, user_id=record.user_id))
        self._dispatch(target)
        self._notify()
        return count

    async def dead_letter_count(self, queue: str) -> int:
        return len(self._queue(queue).dead)

    def health(self) -> BusHealth:
        consumers = sum(len(queue.consumers) for queue in self._queues.values())
        return BusHealth(
            connected=self._connected, consumers=consumers, detail="" if self._connected else "closed"
        )

    async def drain(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - the test helper's own API
        """Wait until every consumed queue is empty, no handler runs and no retry is pending.

        Queues nobody consumes are ignored: waiting for them could never end."""
        try:
            async with asyncio.timeout(timeout):
                while not self._is_idle():
                    self._state_changed.clear()
                    await self._state_changed.wait()
        except TimeoutError:
            raise TimeoutError(f"memory bus not drained after {timeout}s: {self._backlog()}") from None

    def _queue(self, name: str) -> _Queue:
        try:
            return self._queues[name]
        except KeyError:
            raise UnknownQueueError(name) from None

    def _route(self, body: bytes, *, exchange: str, routing_key: str, user_id: str | None) -> None:
        if not self._connected:
            raise PublishError("memory bus is not connected")
        bindings = self._bindings.get(exchange)
        if bindings is None:
            raise PublishError(f"no exchange {exchange!r}")
        # A queue bound by two matching patterns still gets one copy, as in AMQP.
        targets = dict.fromkeys(name for pattern, name in bindings if topic_matches(pattern, routing_key))
        if not targets:
            raise PublishError(f"unroutable: no queue bound to {routing_key!r} on {exchange!r}")
        for name in targets:
            queue = self._queues[name]
            queue.ready.append(_Delivery(body, attempt=1, user_id=user_id))
            self._dispatch(queue)
        self._notify()

    def _dispatch(self, queue: _Queue) -> None:
        if not self._connected:
            return
        while queue.ready:
            consumer = self._next_free_consumer(queue)
            if consumer is None:
                return
            delivery = queue.ready.popleft()
            task = asyncio.get_running_loop().create_task(
                self._deliver(queue, consumer, delivery), name=f"memory-bus:{queue.name}"
            )
            consumer.in_flight[task] = delivery
            task.add_done_callback(partial(self._settle, queue, consumer, delivery))

    def _next_free_consumer(self, queue: _Queue) -> _Consumer | None:
        count = len(queue.consumers)
        for offset in range(count):
            consumer = queue.consumers[(queue.turn + offset) % count]
            if len(consumer.in_flight) < consumer.prefetch:
                queue.turn = (queue.turn + offset + 1) % count
                return consumer
        return None

    async def _deliver(self, queue: _Queue, consumer: _Consumer, delivery: _Delivery) -> None:
        try:
            envelope = Envelope.from_bytes(delivery.body)
        except ValueError as exc:
            self._dead_letter(queue, delivery, f"permanent: undecodable message: {describe_error(exc)}")
            return
        message = Message(
            envelope=envelope,
            attempt=delivery.attempt,
            user_id=delivery.user_id,
            redelivered=delivery.redelivered,
        )
        try:
            await consumer.subscription.handler(message)
        except PermanentError as exc:
            self._metrics.failed(envelope.type)
            self._dead_letter(queue, delivery, f"permanent: {describe_error(exc)}", envelope)
        except asyncio.CancelledError as exc:
            if is_being_cancelled():
                raise
            self._metrics.failed(envelope.type)
            self._retry_or_dead_letter(queue, delivery, exc, envelope)
        except Exception as exc:
            self._metrics.failed(envelope.type)
            self._retry_or_dead_letter(queue, delivery, exc, envelope)
        else:
            self._metrics.consumed(envelope.type)

    def _settle(
        self, queue: _Queue, consumer: _Consumer, delivery: _Delivery, task: asyncio.Task[None]
    ) -> None:
        consumer.in_flight.pop(task, None)
        if task.cancelled():
            # Never acked: back to the head of the queue, flagged as AMQP flags a requeued message.
            queue.ready.appendleft(replace(delivery, redelivered=True))
        elif (error := task.exception()) is not None:
            log.error("memory bus delivery failed", queue=queue.name, error=describe_error(error))
            self._dead_letter(queue, delivery, f"permanent: bus error: {describe_error(error)}")
        self._dispatch(queue)
        self._notify()

    def _retry_or_dead_letter(
        self, queue: _Queue, delivery: _Delivery, exc: BaseException, envelope: Envelope
    ) -> None:
        error = describe_error(exc)
        if delivery.attempt >= self._retry.max_attempts:
            self._dead_letter(queue, delivery, f"retries exhausted: {error}", envelope)
            return
        delay = self._retry.delays_s[delivery.attempt - 1]
        pending = _PendingRetry(queue, _Delivery(delivery.body, delivery.attempt + 1, delivery.user_id))
        pending.handle = asyncio.get_running_loop().call_later(delay, self._release_retry, pending)
        self._retries.add(pending)
        log.info(
            "message will be retried",
            queue=queue.name,
            attempt=delivery.attempt,
            delay_s=delay,
            error=error,
            **log_context(envelope),
        )

    def _release_retry(self, pending: _PendingRetry) -> None:
        self._retries.discard(pending)
        pending.queue.ready.append(pending.delivery)
        self._dispatch(pending.queue)
        self._notify()

    def _dead_letter(
        self, queue: _Queue, delivery: _Delivery, reason: str, envelope: Envelope | None = None
    ) -> None:
        queue.dead.append(
            _DeadRecord(
                body=delivery.body,
                reason=reason,
                attempts=delivery.attempt,
                user_id=delivery.user_id,
                at=datetime.now(UTC),
            )
        )
        self._metrics.dead_lettered(queue.name)
        log.warning("message dead-lettered", queue=queue.name, reason=reason, **log_context(envelope))

    def _notify(self) -> None:
        self._state_changed.set()

    def _is_idle(self) -> bool:
        if self._retries:
            return False
        for queue in self._queues.values():
            if any(consumer.in_flight for consumer in queue.consumers):
                return False
            if queue.consumers and queue.ready:
                return False
        return True

    def _backlog(self) -> str:
        in_flight = sum(len(c.in_flight) for q in self._queues.values() for c in q.consumers)
        ready = sum(len(q.ready) for q in self._queues.values() if q.consumers)
        return f"{in_flight} in flight, {ready} ready, {len(self._retries)} retries pending"
