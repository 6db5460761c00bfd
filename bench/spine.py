"""Spine figures: raw confirmed publishing vs. events through outbox → RabbitMQ → inbox on PostgreSQL."""

from __future__ import annotations

import asyncio
import time

import aio_pika
from sqlalchemy import MetaData, func, select

from bench.infra import pg_database, rabbit_vhost
from shared.bus.base import RetryPolicy, Subscription
from shared.bus.rabbitmq import RabbitBus
from shared.clock import SystemClock
from shared.db.engine import create_engine
from shared.db.tables import add_spine_tables
from shared.db.uow import Database, UnitOfWork
from shared.events.contracts import SoknadTrukket
from shared.events.envelope import Envelope
from shared.outbox.inbox import idempotent
from shared.outbox.relay import OutboxRelay

N = 5000
WINDOW = 200


async def raw_publish_confirmed_per_s() -> float:
    """aio-pika alone: persistent, mandatory, confirmed, in windows of WINDOW like the relay's batches."""
    async with rabbit_vhost() as url:
        connection = await aio_pika.connect(url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.declare_exchange("raw.events", aio_pika.ExchangeType.TOPIC, durable=True)
            queue = await channel.declare_queue("raw", durable=True, arguments={"x-queue-type": "quorum"})
            await queue.bind(exchange, "#")
            body = Envelope(
                source="/bench", type="bench.v1", hf="HBE", correlationid="b", data={"x": 1}
            ).to_bytes()
            started = time.perf_counter()
            for start in range(0, N, WINDOW):
                await asyncio.gather(
                    *(
                        exchange.publish(
                            aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                            routing_key="HBE.bench.v1",
                            mandatory=True,
                        )
                        for _ in range(min(WINDOW, N - start))
                    )
                )
            return N / (time.perf_counter() - started)


async def flow_events_per_s() -> float:
    """N events staged by units of work, relayed with confirms, consumed into an inbox, all on PostgreSQL."""
    async with pg_database() as producer_url, pg_database() as consumer_url, rabbit_vhost() as amqp:
        producer_meta, consumer_meta = MetaData(), MetaData()
        producer_tables, consumer_tables = add_spine_tables(producer_meta), add_spine_tables(consumer_meta)
        producer_engine, consumer_engine = create_engine(producer_url), create_engine(consumer_url)
        for engine, meta in ((producer_engine, producer_meta), (consumer_engine, consumer_meta)):
            async with engine.begin() as conn:
                await conn.run_sync(meta.create_all)
        clock = SystemClock()
        producer = Database(producer_engine, producer_tables, "soknad", clock)
        consumer = Database(consumer_engine, consumer_tables, "bench", clock)
        bus = RabbitBus(amqp, retry=RetryPolicy((0.5,)), connection_name="bench")
        await bus.connect()
        await bus.declare_exchange("soknad.events")

        async def handle(uow: UnitOfWork, event: object, envelope: Envelope) -> None:
            return None

        await bus.subscribe(
            Subscription(
                consumer="bench",
                handler_name="on_trukket",
                exchange="soknad.events",
                event_type=SoknadTrukket.TYPE,
                handler=idempotent(consumer, consumer="bench.on_trukket", handler=handle),
            ),
            prefetch=WINDOW,
        )
        for start in range(0, N, 500):
            async with producer.unit_of_work() as uow:
                for i in range(start, min(start + 500, N)):
                    uow.publish(
                        SoknadTrukket(
                            soknad_id=str(i), lopenummer=f"HBE-2026-{i:06d}", trukket_at=clock.now()
                        ),
                        hf="HBE",
                        subject=None,
                    )
                await uow.commit()
        relay = OutboxRelay(producer, {"local": bus}, batch_size=WINDOW, poll_interval_s=0.05)
        started = time.perf_counter()
        relay.start()
        inbox = consumer_tables.inbox
        relayed_at = None
        while True:
            if relayed_at is None and relay.last_backlog == 0 and await relay.backlog() == 0:
                relayed_at = time.perf_counter() - started
                print(f"  relay done after {relayed_at:.2f} s")
            async with consumer.sessions() as session:
                done = await session.scalar(select(func.count()).select_from(inbox))
            if (done or 0) >= N:
                break
            await asyncio.sleep(0.02)
        elapsed = time.perf_counter() - started
        await relay.stop()
        await bus.close()
        await producer_engine.dispose()
        await consumer_engine.dispose()
        return N / elapsed


async def run() -> dict[str, float]:
    raw = await raw_publish_confirmed_per_s()
    flow = await flow_events_per_s()
    return {
        "bus_raw_publish_confirmed_per_s": round(raw, 1),
        "flow_events_per_s": round(flow, 1),
        "flow_ratio": round(flow / raw, 3),
    }
