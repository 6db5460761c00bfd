"""Spine figures: raw confirmed publishing vs. events through outbox → RabbitMQ → inbox on PostgreSQL."""

from __future__ import annotations

import asyncio
import sys
import time

import aio_pika
from sqlalchemy import MetaData, text

from bench.infra import pg_database, rabbit_vhost
from shared.events.contracts import SoknadTrukket
from shared.events.envelope import Envelope
from shared.platform.bus.base import RetryPolicy
from shared.platform.bus.rabbitmq import RabbitBus
from shared.platform.clock import SystemClock
from shared.platform.db.engine import create_engine
from shared.platform.db.tables import add_spine_tables
from shared.platform.db.uow import Database
from shared.platform.outbox.relay import OutboxRelay

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
    """N events staged by units of work, relayed with confirms by this process, consumed into an inbox by
    a consumer process (as the services run), both sides on PostgreSQL."""
    async with pg_database() as producer_url, pg_database() as consumer_url, rabbit_vhost() as amqp:
        metadata = MetaData()
        tables = add_spine_tables(metadata)
        engine = create_engine(producer_url)
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        clock = SystemClock()
        producer = Database(engine, tables, "soknad", clock)
        consumer = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.consumer", amqp, consumer_url, stdout=asyncio.subprocess.PIPE
        )
        try:
            assert consumer.stdout is not None
            await asyncio.wait_for(consumer.stdout.readline(), 60)  # "ready": its queue is bound
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
            bus = RabbitBus(amqp, retry=RetryPolicy((0.5,)), connection_name="bench-relay")
            await bus.connect()
            relay = OutboxRelay(producer, {"local": bus}, batch_size=WINDOW, poll_interval_s=0.05)
            inbox_engine = create_engine(consumer_url)
            started = time.perf_counter()
            relay.start()
            async with inbox_engine.connect() as conn:
                while (await conn.scalar(text("SELECT count(*) FROM inbox")) or 0) < N:
                    await conn.commit()
                    await asyncio.sleep(0.01)
            elapsed = time.perf_counter() - started
            await relay.stop()
            await bus.close()
            await inbox_engine.dispose()
        finally:
            consumer.kill()
            await consumer.wait()
            await engine.dispose()
        return N / elapsed


async def run() -> dict[str, float]:
    raw = await raw_publish_confirmed_per_s()
    flow = await flow_events_per_s()
    return {
        "bus_raw_publish_confirmed_per_s": round(raw, 1),
        "flow_events_per_s": round(flow, 1),
        "flow_ratio": round(flow / raw, 3),
    }
