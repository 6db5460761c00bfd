"""A broker restart writes warnings, not errors: the bus reconnects and restores its consumer, and not
one line of aio-pika's or aiormq's reaches error level (alerts read errors).

On a private RabbitMQ node (tests/support/rabbit_node.py), so the machine's broker is never restarted."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest

from shared.platform.bus.base import Message, RetryPolicy, Subscription
from shared.platform.bus.rabbitmq import RabbitBus
from shared.platform.observability.logging import configure_logging
from tests.support.rabbit_node import RabbitNode
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(("aio_pika", "aiormq")):
            # Formatted now, as a real handler does: some arguments do not survive the call.
            self.records.append((record.levelno, f"{record.name}: {record.getMessage()}"))

    def at(self, level: int) -> list[str]:
        return [message for levelno, message in self.records if levelno == level]


@pytest.fixture
def library_log() -> Iterator[Collect]:
    configure_logging(level="INFO", json=True)
    collect = Collect()
    logging.getLogger().addHandler(collect)
    yield collect
    logging.getLogger().removeHandler(collect)


async def ignore(_message: Message) -> None:
    return None


async def test_a_broker_restart_logs_warnings_and_no_errors(
    rabbit_node: RabbitNode, library_log: Collect
) -> None:
    bus = RabbitBus(
        f"amqp://guest:guest@127.0.0.1:{rabbit_node.port}/", retry=RetryPolicy((1.0,)), reconnect_interval=0.5
    )
    await bus.connect()
    try:
        await bus.subscribe(
            Subscription(
                consumer="logtest",
                handler_name="on_x",
                exchange="logtest.events",
                event_type="x.v1",
                handler=ignore,
            )
        )
        assert bus.health().consumers == 1

        await asyncio.to_thread(rabbit_node.restart)
        await wait_until(lambda: not bus.health().connected or library_log.at(logging.WARNING), timeout=30)
        await wait_until(lambda: bus.health().connected and bus.health().consumers == 1, timeout=90)
    finally:
        await bus.close()

    assert library_log.at(logging.ERROR) == []
    assert library_log.at(logging.CRITICAL) == []
    # The restart was seen: at least the lost connection is a warning.
    assert library_log.at(logging.WARNING), library_log.records
