"""The national subscriptions' prefetch: a bus that subscribes with oversikt's own prefetch.

Every trust's summaries arrive on one queue per version, and the inbox handles the messages in the
consumer at the same time as one transaction (`shared.platform.outbox.inbox`, up to 100). The runtime
subscribes with the transport's default prefetch (32), which caps those groups at a third of that;
`ServiceRuntime` has no per-subscription prefetch, so oversikt's runtime gets this bus in front of its
own, which passes `prefetch` on subscribing and delegates everything else unchanged."""

from __future__ import annotations

from shared.events.envelope import Envelope
from shared.platform.bus.base import Bus, BusHealth, DeadLetter, Subscription

NATIONAL_PREFETCH = 200
"""Two groups of the inbox's largest size in flight: while one group commits, the next one arrives."""


class PrefetchBus:
    def __init__(self, inner: Bus, prefetch: int) -> None:
        self.inner = inner
        self.prefetch = prefetch

    async def connect(self) -> None:
        await self.inner.connect()

    async def close(self) -> None:
        await self.inner.close()

    async def declare_exchange(self, exchange: str) -> None:
        await self.inner.declare_exchange(exchange)

    async def publish(
        self,
        envelope: Envelope,
        *,
        exchange: str,
        routing_key: str | None = None,
        user_id: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the Bus protocol's per-call confirm deadline
    ) -> None:
        await self.inner.publish(
            envelope, exchange=exchange, routing_key=routing_key, user_id=user_id, timeout=timeout
        )

    async def subscribe(self, subscription: Subscription, *, prefetch: int | None = None) -> None:
        await self.inner.subscribe(subscription, prefetch=prefetch or self.prefetch)

    async def dead_letters(self, queue: str, *, limit: int = 100) -> list[DeadLetter]:
        return await self.inner.dead_letters(queue, limit=limit)

    async def replay_dead_letters(self, queue: str, *, limit: int | None = None) -> int:
        return await self.inner.replay_dead_letters(queue, limit=limit)

    async def dead_letter_count(self, queue: str) -> int:
        return await self.inner.dead_letter_count(queue)

    def health(self) -> BusHealth:
        return self.inner.health()
