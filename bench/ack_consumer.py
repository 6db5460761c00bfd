"""The national ingest benchmark's ceiling: a consumer that only reads each summary's envelope and acks it,
with aio-pika as oversikt uses it (prefetch 200, the acks of one turn of the event loop sent together as
the bus transport sends them), in its own process:
`python -m bench.ack_consumer <amqp url> <queue> <expected messages>`. Prints `ready`, then `done` when it
has acked them all. Whatever oversikt does on top (publisher check, inbox, upsert, counts, commit) can
only make ingest slower than this."""

from __future__ import annotations

import asyncio
import sys

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from shared.events.envelope import Envelope
from shared.platform.bus.rabbitmq import Acks

PREFETCH = 200


async def main(amqp: str, queue_name: str, expected: int) -> None:
    connection = await aio_pika.connect(amqp)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=PREFETCH)
        queue = await channel.get_queue(queue_name)
        done = asyncio.Event()
        acks = Acks()
        acked = 0

        async def on_message(message: AbstractIncomingMessage) -> None:
            nonlocal acked
            Envelope.from_bytes(message.body)
            await acks.ack(message)
            acked += 1
            if acked >= expected:
                done.set()

        await queue.consume(on_message)
        print("ready", flush=True)
        await done.wait()
        print("done", flush=True)


if __name__ == "__main__":
    try:
        import uvloop  # as uvicorn runs oversikt

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
