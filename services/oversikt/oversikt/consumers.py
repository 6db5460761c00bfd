"""What the national oversikt service subscribes to, with the check of who published each summary.

Built by hand rather than with `Consumes`: the publisher check needs the broker's `user-id`, which
the inbox wrapper does not pass on to handlers. A refused summary is dead-lettered before anything
is stored, not even its inbox row, so an operator can see it and no forged data is ever kept."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import structlog

from oversikt import handlers
from oversikt.domain import known_trusts, publisher_refusal
from oversikt.settings import OversiktSettings
from shared.events.contracts import SakSammendrag, SakSammendragV2
from shared.platform.bus.base import Message, PermanentError, Subscription
from shared.platform.db.uow import Database
from shared.platform.outbox.inbox import idempotent

log = structlog.get_logger(__name__)

CONSUMER = "oversikt"
SUMMARY_TYPES = (SakSammendrag.TYPE, SakSammendragV2.TYPE)
"""Both versions are accepted: trusts move to v2 one by one, and v1 summaries may still be queued."""
INGEST_TRANSACTIONS = 1
"""One group of summaries in a transaction at a time, not the inbox's two: ingest is bound by CPU, not by
the commit's wait, and what arrives while a group commits joins the next, larger group, so the costs
of a transaction are shared by more summaries. Measured with `bench.nasjonal` on two cores: oversikt's
and PostgreSQL's CPU a summary fell by about a seventh."""


def guarded(
    inner: Callable[[Message], Awaitable[None]], settings: OversiktSettings
) -> Callable[[Message], Awaitable[None]]:
    known = known_trusts(settings.expected_publishers)

    async def check_publisher(message: Message) -> None:
        envelope = message.envelope
        # Routing is by key, which the publisher chooses: another event type sent with a summary's key
        # would otherwise reach the summary handler.
        reason = (
            "unexpected event type"
            if envelope.type not in SUMMARY_TYPES
            else publisher_refusal(
                envelope_hf=envelope.hf,
                payload_hf=envelope.data.get("hf"),
                user_id=message.user_id,
                expected_user=settings.expected_publisher(envelope.hf),
                known_hf=known,
                require_user_id=settings.require_user_id,
            )
        )
        if reason is not None:
            # Ids and codes only: a summary has no personal data, and a forged one must not add any to logs.
            log.warning(
                "summary_refused",
                reason=reason,
                event_id=envelope.id,
                type=envelope.type,
                hf=envelope.hf,
                user_id=message.user_id,
            )
            raise PermanentError(f"summary refused: {reason}")
        await inner(message)

    check_publisher.__name__ = f"guarded_{getattr(inner, '__name__', 'handler')}"
    return check_publisher


def national_subscriptions(
    db: Database, settings: OversiktSettings, *, metrics: Any = None
) -> list[Subscription]:
    handler_name = handlers.on_sak_sammendrag.__name__
    inner = idempotent(
        db,
        consumer=f"{CONSUMER}.{handler_name}",
        handler=handlers.on_sak_sammendrag,
        group_handler=handlers.on_sak_sammendrag_gruppe,
        metrics=metrics,
        max_transactions=INGEST_TRANSACTIONS,
    )
    return [
        Subscription(
            consumer=CONSUMER,
            handler_name=handler_name,
            exchange=settings.national_exchange,
            event_type=event_type,
            handler=guarded(inner, settings),
        )
        for event_type in SUMMARY_TYPES
    ]
