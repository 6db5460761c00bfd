"""RabbitMQ bus transport (aio-pika): confirmed persistent publishes, quorum queues, delay-queue retries.

Topology per subscription, all declared by `subscribe`:
- `<queue>`: quorum queue bound to the producer's topic exchange; its `x-delivery-limit` dead-letters
  a message that keeps coming back without an ack (a consumer crash loop) to `<queue>.dlq`;
- `<queue>.retry.<ms>`: classic durable delay queue; a message expires after `<ms>` and is dead-lettered
  through the default exchange back to `<queue>` (quorum queues honour message TTL poorly on 3.10);
- `<queue>.dlq`: quorum dead-letter queue an operator inspects and replays.

Retries and dead letters are copies published with a confirm *before* the original is acked, so a crash
in between duplicates a message (the inbox absorbs it) but never loses one.

`Message.user_id` is the broker-validated `user-id` property. A copy we republish cannot carry it (the
broker only accepts our own user there), so it travels in the `x-user-id` header, and that header is
believed only on messages that arrived through the default exchange: producers write to their topic
exchange, and only the consumers (and the broker's dead-lettering) write through the default exchange.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

import aio_pika
import structlog
from aio_pika.abc import (
    AbstractChannel,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustChannel,
    AbstractRobustConnection,
)
from aio_pika.exceptions import CONNECTION_EXCEPTIONS, ChannelNotFoundEntity, DeliveryError
from aio_pika.exceptions import PublishError as ReturnedError

from shared.events.envelope import CONTENT_TYPE, Envelope
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
ATTEMPT_HEADER = "x-attempt"
USER_HEADER = "x-user-id"
LAST_ERROR_HEADER = "x-last-error"
DEATH_REASON_HEADER = "x-death-reason"
DEAD_AT_HEADER = "x-dead-lettered-at"
# Added by the broker (dead-lettering, quorum redelivery); a republished copy must not carry them.
_BROKER_HEADERS = ("x-death", "x-delivery-count")
_BROKER_HEADER_PREFIXES = ("x-first-death-", "x-last-death-")


def retry_queue_name(queue: str, delay_s: float) -> str:
    return f"{queue}.retry.{_milliseconds(delay_s)}"


ACK_RUN_LIMIT = 10_000
"""Tags remembered past a gap (a handler that does not finish) before a channel's acks go out one by one."""


class Acks:
    """The acks of one consumer channel, sent together where that is safe.

    Acks of messages whose handlers finished in the same turn of the event loop (a group the inbox
    committed together) go out as one `basic.ack multiple` for the part whose delivery tags, together
    with the tags already settled, follow on without a gap from the last tag settled; the others go out
    one by one at once, so a handler that never finishes delays no other message's ack. Delivery tags
    are consecutive per channel, so a message not seen yet, or still being handled, is a gap: a multiple
    ack never covers a message whose handler has not returned."""

    def __init__(self) -> None:
        self._settled_up_to = 0
        """Every tag up to this one is settled (acked, or nacked back to the queue)."""
        self._settled_above: set[int] = set()
        self._pending: dict[int, tuple[AbstractIncomingMessage, asyncio.Future[None]]] = {}
        self._flushing = False
        self._one_by_one = False

    async def ack(self, incoming: AbstractIncomingMessage) -> None:
        """Return once the ack covering `incoming` was written; raise as `IncomingMessage.ack` does."""
        tag = incoming.delivery_tag
        if self._one_by_one or tag is None:
            await incoming.ack()
            return
        future = asyncio.get_running_loop().create_future()
        self._pending[tag] = (incoming, future)
        if self._flushing:
            await future
            return
        self._flushing = True
        try:
            await asyncio.sleep(0)  # the handlers that finished in this turn add their acks
            while self._pending:
                batch, self._pending = self._pending, {}
                await self._send(batch)
        finally:
            self._flushing = False
            for _, waiting in self._pending.values():
                if not waiting.done():
                    waiting.set_exception(ConnectionError("acks not sent: consumer stopping"))
            self._pending.clear()
        await future

    def settled_otherwise(self, incoming: AbstractIncomingMessage) -> None:
        """`incoming` was nacked or rejected: its tag no longer breaks a run."""
        if incoming.delivery_tag is not None:
            self._mark_settled(incoming.delivery_tag)

    async def _send(self, batch: dict[int, tuple[AbstractIncomingMessage, asyncio.Future[None]]]) -> None:
        try:
            last_of_run: int | None = None
            tag = self._settled_up_to + 1
            while tag in batch or tag in self._settled_above:
                if tag in batch:
                    last_of_run = tag
                tag += 1
            if last_of_run is not None:
                await batch[last_of_run][0].ack(multiple=last_of_run > self._settled_up_to + 1)
                for covered in range(self._settled_up_to + 1, last_of_run + 1):
                    self._settled_above.discard(covered)
                self._settled_up_to = last_of_run
                self._advance()
            for tag in sorted(batch):
                if tag > (last_of_run or 0):
                    await batch[tag][0].ack()
                    self._mark_settled(tag)
            if len(self._settled_above) > ACK_RUN_LIMIT:
                self._one_by_one = True
        except BaseException as exc:
            error = exc if isinstance(exc, Exception) else ConnectionError("acks not sent: consumer stopping")
            for _, future in batch.values():
                if not future.done():
                    future.set_exception(error)
            if not isinstance(exc, Exception):
                raise
        else:
            for _, future in batch.values():
                if not future.done():
                    future.set_result(None)

    def _mark_settled(self, tag: int) -> None:
        if tag > self._settled_up_to:
            self._settled_above.add(tag)
            self._advance()

    def _advance(self) -> None:
        while self._settled_up_to + 1 in self._settled_above:
            self._settled_up_to += 1
            self._settled_above.discard(self._settled_up_to)


@dataclass(frozen=True)
class _Consumer:
    subscription: Subscription
    channel: AbstractRobustChannel


class RabbitBus:
    def __init__(
        self,
        url: str,
        *,
        retry: RetryPolicy,
        metrics: BusMetrics | None = None,
        publish_timeout: float = 10.0,
        delivery_limit: int = 20,
        prefetch: int = DEFAULT_PREFETCH,
        connection_name: str = "soknadsportal",
        reconnect_interval: float = 1.0,
        connect_timeout: float = 10.0,
    ) -> None:
        self._url = url
        self._retry = retry
        self._metrics: BusMetrics = metrics or NoMetrics()
        self._publish_timeout = publish_timeout
        self._delivery_limit = delivery_limit
        self._prefetch = prefetch
        self._connection_name = connection_name
        self._reconnect_interval = reconnect_interval
        self._connect_timeout = connect_timeout
        self._connection: AbstractRobustConnection | None = None
        self._publisher: AbstractChannel | None = None
        self._publisher_lock = asyncio.Lock()
        self._connect_lock = asyncio.Lock()
        self._consumers: list[_Consumer] = []
        # One per consumer channel; a channel reopened after a reconnect starts its tags again at 1.
        self._acks: weakref.WeakKeyDictionary[object, Acks] = weakref.WeakKeyDictionary()

    async def connect(self) -> None:
        async with self._connect_lock:
            if self._connection is not None and not self._connection.is_closed:
                return
            self._connection = await aio_pika.connect_robust(
                self._url,
                client_properties={"connection_name": self._connection_name},
                reconnect_interval=self._reconnect_interval,
                timeout=self._connect_timeout,
            )

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        self._consumers.clear()
        self._publisher = None
        # Closing the connection cancels handlers still running; their messages were never acked,
        # so the broker redelivers them.
        if connection is not None and not connection.is_closed:
            await connection.close()

    async def declare_exchange(self, exchange: str) -> None:
        async with self._channel() as channel:
            await channel.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC, durable=True)

    async def publish(
        self,
        envelope: Envelope,
        *,
        exchange: str,
        routing_key: str | None = None,
        user_id: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - a per-call confirm deadline, part of the contract
    ) -> None:
        message = aio_pika.Message(
            envelope.to_bytes(),
            content_type=CONTENT_TYPE,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=envelope.id,
            type=envelope.type,
            correlation_id=envelope.correlationid,
            timestamp=envelope.time,
            headers={"hf": envelope.hf, ATTEMPT_HEADER: 1},
            user_id=user_id,
        )
        await self._publish(
            message,
            exchange=exchange,
            routing_key=routing_key or envelope.routing_key,
            deadline_s=timeout,
        )
        self._metrics.published(envelope.type)

    async def subscribe(self, subscription: Subscription, *, prefetch: int | None = None) -> None:
        connection = self._require_connection()
        if any(consumer.subscription.queue == subscription.queue for consumer in self._consumers):
            return
        # A robust channel of its own: aio-pika re-declares its queues and restarts its consumer after a
        # reconnect, and its prefetch bounds this subscription only.
        channel = await connection.channel(publisher_confirms=False)
        try:
            await channel.set_qos(prefetch_count=prefetch or self._prefetch)
            exchange = await channel.declare_exchange(
                subscription.exchange, aio_pika.ExchangeType.TOPIC, durable=True
            )
            await channel.declare_queue(
                subscription.dead_letter_queue, durable=True, arguments={"x-queue-type": "quorum"}
            )
            for delay in sorted(set(self._retry.delays_s)):
                await channel.declare_queue(
                    retry_queue_name(subscription.queue, delay),
                    durable=True,
                    arguments={
                        "x-message-ttl": _milliseconds(delay),
                        "x-dead-letter-exchange": "",
                        "x-dead-letter-routing-key": subscription.queue,
                    },
                )
            queue = await channel.declare_queue(
                subscription.queue,
                durable=True,
                arguments={
                    "x-queue-type": "quorum",
                    "x-delivery-limit": self._delivery_limit,
                    "x-dead-letter-exchange": "",
                    "x-dead-letter-routing-key": subscription.dead_letter_queue,
                },
            )
            await queue.bind(exchange, subscription.key)
            await queue.consume(partial(self._on_message, subscription))
        except BaseException:
            with suppress(*CONNECTION_EXCEPTIONS):
                await channel.close()
            raise
        self._consumers.append(_Consumer(subscription, channel))

    async def dead_letters(self, queue: str, *, limit: int = 100) -> list[DeadLetter]:
        async with self._channel() as channel:
            dlq = await self._dead_letter_queue(channel, queue)
            held: list[AbstractIncomingMessage] = []
            try:
                for _ in range(limit):
                    incoming = await dlq.get(no_ack=False, fail=False)
                    if incoming is None:
                        break
                    held.append(incoming)
                return [_dead_letter_of(incoming) for incoming in held]
            finally:
                # A peek takes nothing: every message goes back (closing the channel would too).
                for incoming in held:
                    with suppress(*CONNECTION_EXCEPTIONS):
                        await incoming.nack(requeue=True)

    async def replay_dead_letters(self, queue: str, *, limit: int | None = None) -> int:
        async with self._channel() as channel:
            dlq = await self._dead_letter_queue(channel, queue)
            # Bounded by what is there now, so a message that fails again during the replay and
            # returns to the dead-letter queue is not replayed twice.
            available = dlq.declaration_result.message_count or 0
            budget = available if limit is None else min(limit, available)
            moved = 0
            for _ in range(budget):
                incoming = await dlq.get(no_ack=False, fail=False)
                if incoming is None:
                    break
                headers = _republished_headers(incoming.headers)
                for header in (DEATH_REASON_HEADER, DEAD_AT_HEADER, LAST_ERROR_HEADER):
                    headers.pop(header, None)
                headers[ATTEMPT_HEADER] = 1
                user_id = incoming.user_id or _text(incoming.headers.get(USER_HEADER))
                if user_id:
                    headers[USER_HEADER] = user_id
                try:
                    await self._publish(_copy(incoming, headers), exchange="", routing_key=queue)
                except PublishError:
                    with suppress(*CONNECTION_EXCEPTIONS):
                        await incoming.nack(requeue=True)
                    raise
                await incoming.ack()
                moved += 1
            log.info("dead letters replayed", queue=queue, count=moved)
            return moved

    async def dead_letter_count(self, queue: str) -> int:
        async with self._channel() as channel:
            dlq = await self._dead_letter_queue(channel, queue)
            return dlq.declaration_result.message_count or 0

    def health(self) -> BusHealth:
        connection = self._connection
        if connection is None:
            return BusHealth(connected=False, consumers=0, detail="not connected")
        connected = not connection.is_closed and connection.connected.is_set()
        consumers = sum(1 for consumer in self._consumers if not consumer.channel.is_closed)
        return BusHealth(
            connected=connected,
            consumers=consumers if connected else 0,
            detail="" if connected else "reconnecting",
        )

    def _require_connection(self) -> AbstractRobustConnection:
        if self._connection is None or self._connection.is_closed:
            raise ConnectionError("RabbitMQ bus is not connected; call connect() first")
        return self._connection

    async def _publish(
        self,
        message: aio_pika.Message,
        *,
        exchange: str,
        routing_key: str,
        deadline_s: float | None = None,
    ) -> None:
        deadline_s = deadline_s or self._publish_timeout
        where = f"{exchange or '(default)'}/{routing_key}"
        try:
            async with asyncio.timeout(deadline_s):
                channel = await self._publisher_channel()
                target = (
                    channel.default_exchange
                    if exchange == ""
                    else await channel.get_exchange(exchange, ensure=False)
                )
                await target.publish(message, routing_key, mandatory=True)
        except ReturnedError as exc:
            raise PublishError(f"unroutable: no queue bound for {where}") from exc
        except DeliveryError as exc:
            raise PublishError(f"not confirmed (nack) for {where}") from exc
        except TimeoutError as exc:
            raise PublishError(f"no confirm within {deadline_s}s for {where}") from exc
        except ConnectionError as exc:
            raise PublishError(f"publish to {where} failed: {exc}") from exc
        except CONNECTION_EXCEPTIONS as exc:
            # A channel-level error (no such exchange, access refused, wrong user-id) closes the
            # publishing channel; the next publish opens a fresh one.
            raise PublishError(f"publish to {where} failed: {describe_error(exc)}") from exc

    async def _publisher_channel(self) -> AbstractChannel:
        async with self._publisher_lock:
            channel = self._publisher
            if channel is None or channel.is_closed:
                channel = self._publisher = await self._open_channel()
            return channel

    async def _open_channel(self) -> AbstractChannel:
        # A plain (not robust) channel: after a channel error or a reconnect we open a new one
        # instead of waiting for aio-pika to restore this one.
        connection = self._require_connection()
        await connection.ready()
        channel = aio_pika.Channel(connection, publisher_confirms=True, on_return_raises=True)
        await channel
        return channel

    @asynccontextmanager
    async def _channel(self) -> AsyncIterator[AbstractChannel]:
        channel = await self._open_channel()
        try:
            yield channel
        finally:
            if not channel.is_closed:
                with suppress(*CONNECTION_EXCEPTIONS):
                    await channel.close()

    async def _dead_letter_queue(self, channel: AbstractChannel, queue: str) -> AbstractQueue:
        try:
            await channel.declare_queue(queue, passive=True)
            return await channel.declare_queue(f"{queue}.dlq", passive=True)
        except ChannelNotFoundEntity:
            raise UnknownQueueError(queue) from None

    async def _on_message(self, subscription: Subscription, incoming: AbstractIncomingMessage) -> None:
        headers = incoming.headers or {}
        via_default_exchange = incoming.exchange == ""
        attempt = _integer(headers.get(ATTEMPT_HEADER), 1) if via_default_exchange else 1
        user_id = incoming.user_id or (_text(headers.get(USER_HEADER)) if via_default_exchange else None)
        try:
            envelope = Envelope.from_bytes(incoming.body)
        except ValueError as exc:
            await self._dead_letter(
                subscription,
                incoming,
                attempt,
                user_id,
                f"permanent: undecodable message: {describe_error(exc)}",
            )
            return
        context = log_context(envelope)
        message = Message(
            envelope=envelope, attempt=attempt, user_id=user_id, redelivered=bool(incoming.redelivered)
        )
        try:
            await subscription.handler(message)
        except PermanentError as exc:
            self._metrics.failed(envelope.type)
            await self._dead_letter(
                subscription, incoming, attempt, user_id, f"permanent: {describe_error(exc)}", context
            )
        except asyncio.CancelledError as exc:
            if is_being_cancelled():
                raise
            self._metrics.failed(envelope.type)
            await self._retry_or_dead_letter(subscription, incoming, attempt, user_id, exc, context)
        except Exception as exc:
            self._metrics.failed(envelope.type)
            await self._retry_or_dead_letter(subscription, incoming, attempt, user_id, exc, context)
        else:
            await self._settle(incoming, context)
            self._metrics.consumed(envelope.type)

    async def _retry_or_dead_letter(
        self,
        subscription: Subscription,
        incoming: AbstractIncomingMessage,
        attempt: int,
        user_id: str | None,
        exc: BaseException,
        context: Mapping[str, str],
    ) -> None:
        error = describe_error(exc)
        if attempt >= self._retry.max_attempts:
            await self._dead_letter(
                subscription, incoming, attempt, user_id, f"retries exhausted: {error}", context
            )
            return
        delay = self._retry.delays_s[attempt - 1]
        headers = _republished_headers(incoming.headers)
        headers.update({ATTEMPT_HEADER: attempt + 1, LAST_ERROR_HEADER: error})
        if user_id:
            headers[USER_HEADER] = user_id
        log.info(
            "message will be retried",
            queue=subscription.queue,
            attempt=attempt,
            delay_s=delay,
            error=error,
            **context,
        )
        await self._forward(incoming, headers, retry_queue_name(subscription.queue, delay), context)

    async def _dead_letter(
        self,
        subscription: Subscription,
        incoming: AbstractIncomingMessage,
        attempt: int,
        user_id: str | None,
        reason: str,
        context: Mapping[str, str] | None = None,
    ) -> None:
        headers = _republished_headers(incoming.headers)
        headers.update(
            {
                ATTEMPT_HEADER: attempt,
                DEATH_REASON_HEADER: reason,
                DEAD_AT_HEADER: datetime.now(UTC).isoformat(),
            }
        )
        if user_id:
            headers[USER_HEADER] = user_id
        context = context or {}
        if await self._forward(incoming, headers, subscription.dead_letter_queue, context):
            self._metrics.dead_lettered(subscription.queue)
            log.warning("message dead-lettered", queue=subscription.queue, reason=reason, **context)

    async def _forward(
        self,
        incoming: AbstractIncomingMessage,
        headers: dict[str, Any],
        queue: str,
        context: Mapping[str, str],
    ) -> bool:
        """Move the message to `queue`: confirmed copy first, then the ack."""
        try:
            await self._publish(_copy(incoming, headers), exchange="", routing_key=queue)
        except PublishError as exc:
            # Not acked, so not lost: requeued now, and the queue's delivery limit dead-letters it
            # if this keeps happening.
            log.error("could not move message", target=queue, error=str(exc), **context)
            with suppress(*CONNECTION_EXCEPTIONS):
                await incoming.nack(requeue=True)
                self._acks_of(incoming).settled_otherwise(incoming)
            return False
        await self._settle(incoming, context)
        return True

    def _acks_of(self, incoming: AbstractIncomingMessage) -> Acks:
        channel = incoming.channel  # raises when the channel is closed
        acks = self._acks.get(channel)
        if acks is None:
            acks = self._acks[channel] = Acks()
        return acks

    async def _settle(self, incoming: AbstractIncomingMessage, context: Mapping[str, str]) -> None:
        try:
            await self._acks_of(incoming).ack(incoming)
        except CONNECTION_EXCEPTIONS as exc:
            # The channel is gone, so the broker redelivers the message; the inbox makes that harmless.
            log.warning("ack failed", error=describe_error(exc), **context)


def _milliseconds(delay_s: float) -> int:
    return round(delay_s * 1000)


def _republished_headers(headers: Mapping[str, Any] | None) -> dict[str, Any]:
    return {
        name: value
        for name, value in (headers or {}).items()
        if name not in _BROKER_HEADERS
        and name != USER_HEADER
        and not name.startswith(_BROKER_HEADER_PREFIXES)
    }


def _copy(incoming: AbstractIncomingMessage, headers: dict[str, Any]) -> aio_pika.Message:
    return aio_pika.Message(
        incoming.body,
        content_type=incoming.content_type,
        content_encoding=incoming.content_encoding,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=incoming.message_id,
        type=incoming.type,
        correlation_id=incoming.correlation_id,
        timestamp=incoming.timestamp,
        app_id=incoming.app_id,
        headers=headers,
    )


def _dead_letter_of(incoming: AbstractIncomingMessage) -> DeadLetter:
    headers = incoming.headers or {}
    reason = _text(headers.get(DEATH_REASON_HEADER))
    if reason is None:
        # Dead-lettered by the broker itself, not by a consumer.
        broker_reason = _text(headers.get("x-first-death-reason"))
        reason = "delivery limit" if broker_reason == "delivery_limit" else f"broker: {broker_reason}"
    return DeadLetter(
        envelope_json=incoming.body.decode("utf-8", errors="replace"),
        reason=reason,
        attempts=_integer(headers.get(ATTEMPT_HEADER), 1),
        dead_lettered_at=_dead_lettered_at(headers),
    )


def _dead_lettered_at(headers: Mapping[str, Any]) -> datetime | None:
    text = _text(headers.get(DEAD_AT_HEADER))
    if text is not None:
        with suppress(ValueError):
            return datetime.fromisoformat(text)
    deaths = headers.get("x-death")
    if isinstance(deaths, list) and deaths and isinstance(deaths[0], Mapping):
        time = deaths[0].get("time")
        if isinstance(time, datetime):
            return time
    return None


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value if isinstance(value, str) else None


def _integer(value: object, default: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    return default
