"""Builds the bus transport a URL names: `memory://` in-process, `amqp://`/`amqps://` RabbitMQ."""

from __future__ import annotations

from shared.platform.bus.base import Bus, BusMetrics, RetryPolicy
from shared.platform.bus.memory import MemoryBus
from shared.platform.bus.rabbitmq import RabbitBus


def create_bus(
    url: str,
    *,
    retry: RetryPolicy,
    metrics: BusMetrics | None = None,
    connection_name: str = "soknadsportal",
) -> Bus:
    """A new transport per call: with `memory://` the composition root must hand the same instance to
    every service in the process, because that instance is the whole broker."""
    scheme, separator, _ = url.partition("://")
    scheme = scheme.lower()
    if separator and scheme == "memory":
        return MemoryBus(retry=retry, metrics=metrics)
    if separator and scheme in ("amqp", "amqps"):
        return RabbitBus(url, retry=retry, metrics=metrics, connection_name=connection_name)
    # The URL itself is not echoed: it may carry a password.
    raise ValueError(f"unsupported bus URL scheme {scheme!r}: use memory://, amqp:// or amqps://")
