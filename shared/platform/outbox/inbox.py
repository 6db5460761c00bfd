"""Idempotent consumers: the event id is recorded in the handler's own transaction (the inbox),
so a redelivered event is acked and skipped with no second effect."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy.exc import IntegrityError

from shared.events.base import EventContract, InvalidEventPayload, UnknownEventType, parse_event
from shared.events.envelope import Envelope
from shared.platform.bus.base import Message, PermanentError, Subscription, exchange_for
from shared.platform.db.uow import Database, UnitOfWork, is_unique_violation
from shared.platform.errors import DomainError, StaleVersion
from shared.platform.observability.logging import bind_correlation_id

log = structlog.get_logger(__name__)

EventHandler = Callable[[UnitOfWork, Any, Envelope], Awaitable[None]]


@dataclass(frozen=True)
class Consumes:
    """One line of a service's subscription table (`consumers.py`)."""

    contract: type[EventContract]
    handler: EventHandler
    exchange: str | None = None
    """Defaults to the producing service's exchange."""

    @property
    def handler_name(self) -> str:
        return getattr(self.handler, "__name__", "handle")


def subscriptions(
    db: Database, consumer: str, table: list[Consumes], *, metrics: Any = None
) -> list[Subscription]:
    return [
        Subscription(
            consumer=consumer,
            handler_name=row.handler_name,
            exchange=row.exchange or exchange_for(row.contract.PRODUCER),
            event_type=row.contract.TYPE,
            handler=idempotent(
                db, consumer=f"{consumer}.{row.handler_name}", handler=row.handler, metrics=metrics
            ),
        )
        for row in table
    ]


def idempotent(
    db: Database, *, consumer: str, handler: EventHandler, metrics: Any = None
) -> Callable[[Message], Awaitable[None]]:
    async def handle(message: Message) -> None:
        envelope = message.envelope
        bind_correlation_id(envelope.correlationid)
        bound = log.bind(event_id=envelope.id, type=envelope.type, hf=envelope.hf, consumer=consumer)
        try:
            event = parse_event(envelope)
        except (UnknownEventType, InvalidEventPayload) as exc:
            bound.error("event_rejected", error=str(exc))
            raise PermanentError(str(exc)) from exc
        try:
            async with db.unit_of_work() as uow:
                if not await uow.mark_processed(
                    consumer=consumer, event_id=envelope.id, event_type=envelope.type
                ):
                    bound.info("event_duplicate_skipped")
                    return
                await handler(uow, event, envelope)
                await uow.commit()
        except IntegrityError as exc:
            if is_unique_violation(exc) and "inbox" in str(exc).lower():
                bound.info("event_duplicate_skipped", race=True)
                return
            raise
        except StaleVersion:
            # Someone else changed the row first: a retry reads the new version and can succeed.
            if metrics is not None:
                metrics.failed(envelope.type)
            raise
        except DomainError as exc:
            # The case's state refuses this event; retrying cannot help, an operator must look.
            bound.error("event_refused_by_domain", error=exc.message)
            if metrics is not None:
                metrics.failed(envelope.type)
            raise PermanentError(exc.message) from exc
        except Exception:
            if metrics is not None:
                metrics.failed(envelope.type)
            raise
        if metrics is not None:
            metrics.consumed(envelope.type)
        bound.info("event_handled", attempt=message.attempt)

    handle.__name__ = f"inbox_{consumer}"
    return handle
