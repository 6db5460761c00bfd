"""Watch what services publish on a bus, as a consumer of its own would."""

from __future__ import annotations

from collections.abc import Iterable

from shared.events.base import EventContract
from shared.events.envelope import Envelope
from shared.platform.bus.base import Bus, Message, Subscription


async def record_events(bus: Bus, events: Iterable[tuple[str, type[EventContract]]]) -> list[Envelope]:
    """Subscribe a recorder to each (exchange, contract); the returned list fills as they arrive. A
    subscription also makes the event routable when its real consumer is not running in the test."""
    seen: list[Envelope] = []

    async def record(message: Message) -> None:
        seen.append(message.envelope)

    for exchange, contract in events:
        await bus.declare_exchange(exchange)
        await bus.subscribe(
            Subscription(
                consumer="test",
                handler_name="record",
                exchange=exchange,
                event_type=contract.TYPE,
                handler=record,
            )
        )
    return seen
