"""The bus interface: one contract, two transports (`memory` and `rabbitmq`) with the same semantics.

Semantics both transports honour (tests/integration/test_bus_contract.py runs on both):
- exchanges are topic exchanges; a message's routing key is `<hf>.<event type>`
  and a subscription binds `*.<event type>` (or an explicit pattern);
- `publish` returns only after the broker confirmed the message (persistent, `mandatory`);
  it raises `PublishError` on a nack, an unroutable message or a timeout;
- a consumer queue per subscription, named `evt-<exchange>-<event type>--<consumer>.<handler>`;
- the handler runs, and the message is acked only after it returned (the handler commits first);
- `PermanentError` (or an undecodable body) sends the message to the queue's dead-letter queue at once;
- any other exception is retried after the delays in `RetryPolicy`, then dead-lettered;
- a message that was delivered but never acked (consumer crashed) is redelivered;
- a poison message never blocks the messages behind it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from shared.events.envelope import Envelope


class PermanentError(Exception):
    """The message can never be processed (invalid payload, unknown type): dead-letter it at once."""


class PublishError(Exception):
    """The broker did not confirm a message (nack, unroutable, timeout, no connection)."""


class UnknownQueueError(LookupError):
    """An operator asked about a consumer queue (or its dead-letter queue) that does not exist."""


@dataclass(frozen=True)
class Message:
    """What a handler receives."""

    envelope: Envelope
    attempt: int
    """1 for the first delivery, incremented by each delayed retry."""
    user_id: str | None = None
    """The AMQP `user-id` property; RabbitMQ guarantees it equals the publishing connection's user."""
    redelivered: bool = False


Handler = Callable[[Message], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    delays_s: tuple[float, ...] = (1.0, 5.0, 30.0)

    @property
    def max_attempts(self) -> int:
        return len(self.delays_s) + 1


@dataclass(frozen=True)
class Subscription:
    consumer: str
    """The consuming service, e.g. `vurdering`."""
    handler_name: str
    """e.g. `on_soknad_forankret`."""
    exchange: str
    """The producer's exchange, e.g. `soknad.events`."""
    event_type: str
    handler: Handler = field(compare=False)
    binding_key: str | None = None
    """Defaults to `*.<event_type>` (every trust)."""

    @property
    def queue(self) -> str:
        return f"evt-{self.exchange}-{self.event_type}--{self.consumer}.{self.handler_name}"

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.queue}.dlq"

    @property
    def key(self) -> str:
        return self.binding_key or f"*.{self.event_type}"


@dataclass(frozen=True)
class DeadLetter:
    envelope_json: str
    reason: str
    """`permanent: <error>` or `retries exhausted: <error>` or `delivery limit`."""
    attempts: int
    dead_lettered_at: datetime | None = None


@dataclass(frozen=True)
class BusHealth:
    connected: bool
    consumers: int
    detail: str = ""


class BusMetrics(Protocol):
    def published(self, event_type: str) -> None: ...
    def consumed(self, event_type: str) -> None: ...
    def failed(self, event_type: str) -> None: ...
    def dead_lettered(self, queue: str) -> None: ...


class NoMetrics:
    def published(self, event_type: str) -> None:
        pass

    def consumed(self, event_type: str) -> None:
        pass

    def failed(self, event_type: str) -> None:
        pass

    def dead_lettered(self, queue: str) -> None:
        pass


def exchange_for(service: str) -> str:
    return f"{service}.events"


class Bus(Protocol):
    async def connect(self) -> None:
        """Connect (RabbitMQ: with automatic reconnect). Idempotent."""

    async def close(self) -> None: ...

    async def declare_exchange(self, exchange: str) -> None:
        """Durable topic exchange. Producers declare their own exchange at start-up."""

    async def publish(
        self,
        envelope: Envelope,
        *,
        exchange: str,
        routing_key: str | None = None,
        user_id: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - a per-call confirm deadline, part of the contract
    ) -> None:
        """Publish persistently; return after the broker's confirm. Raise `PublishError` otherwise."""

    async def subscribe(self, subscription: Subscription, *, prefetch: int | None = None) -> None:
        """Declare exchange, queue, retry and dead-letter queues, bind, and start consuming.

        At most `prefetch` messages (default: the transport's) are in the handler at once.
        Consumers are restored after a reconnect. Subscribing again to a queue this bus already
        consumes does nothing, so a start-up sequence that failed half-way can simply be repeated."""

    async def dead_letters(self, queue: str, *, limit: int = 100) -> list[DeadLetter]:
        """Peek at the dead letters of a consumer queue without removing them.

        Raises `UnknownQueueError` when the consumer queue was never declared."""

    async def replay_dead_letters(self, queue: str, *, limit: int | None = None) -> int:
        """Move dead letters back to their consumer queue with a fresh attempt count; return how many."""

    async def dead_letter_count(self, queue: str) -> int:
        """Raises `UnknownQueueError` when the consumer queue was never declared."""

    def health(self) -> BusHealth: ...
