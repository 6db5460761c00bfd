"""Helpers both bus transports share: error text, cancellation test, log context."""

from __future__ import annotations

import asyncio

from shared.events.envelope import Envelope

MAX_ERROR_LENGTH = 500


def describe_error(exc: BaseException) -> str:
    text = str(exc)
    described = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return described[:MAX_ERROR_LENGTH]


def is_being_cancelled() -> bool:
    """True when the running task was cancelled, as opposed to a handler raising CancelledError itself.

    Only a real cancellation (consumer stopped) leaves a message unacked for redelivery; a handler that
    raises CancelledError on its own is a failure like any other, or it would be redelivered forever."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def log_context(envelope: Envelope | None) -> dict[str, str]:
    if envelope is None:
        return {}
    return {
        "event_id": envelope.id,
        "type": envelope.type,
        "hf": envelope.hf,
        "correlation_id": envelope.correlationid,
    }
