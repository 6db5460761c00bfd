"""The consuming side of the flow benchmark, in its own process as in production:
`python -m bench.consumer <amqp url> <database url> <expected events>`."""

from __future__ import annotations

import asyncio
import sys

from sqlalchemy import MetaData

from shared.events.contracts import SoknadTrukket
from shared.events.envelope import Envelope
from shared.platform.bus.base import RetryPolicy, Subscription
from shared.platform.bus.rabbitmq import RabbitBus
from shared.platform.clock import SystemClock
from shared.platform.db.engine import create_engine
from shared.platform.db.tables import add_spine_tables
from shared.platform.db.uow import Database, UnitOfWork
from shared.platform.observability.logging import configure_logging
from shared.platform.outbox.inbox import idempotent

PREFETCH = 200


async def handle(uow: UnitOfWork, event: object, envelope: Envelope) -> None:
    return None


async def main(amqp: str, database_url: str) -> None:
    configure_logging(level="WARNING")
    metadata = MetaData()
    tables = add_spine_tables(metadata)
    engine = create_engine(database_url, pool_size=20)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    db = Database(engine, tables, "bench", SystemClock())
    bus = RabbitBus(amqp, retry=RetryPolicy((0.5,)), connection_name="bench-consumer")
    await bus.connect()
    await bus.declare_exchange("soknad.events")
    subscription = Subscription(
        consumer="bench",
        handler_name="on_trukket",
        exchange="soknad.events",
        event_type=SoknadTrukket.TYPE,
        handler=idempotent(db, consumer="bench.on_trukket", handler=handle),
    )
    await bus.subscribe(subscription, prefetch=PREFETCH)
    print("ready", flush=True)
    await asyncio.Event().wait()  # the benchmark kills this process when it has counted


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
