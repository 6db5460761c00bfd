"""National ingest: summaries/s through oversikt's real consumer (its own process, RabbitMQ, PostgreSQL)
against the raw confirmed-publish rate of the same broker, measured in the same run.

`national_ingest_ratio` = ingest rate / raw rate (target at least 0.5). Both sides publish the same
summary bodies the same way (persistent, mandatory, confirmed in windows of WINDOW, `user-id` set), so
the ratio is what oversikt's consumer (inbox, upsert, commit, ack) costs on top of the broker alone.
Run on its own: `python -m bench.nasjonal`."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import aio_pika
import asyncpg
from aio_pika.exceptions import DeliveryError

from bench.infra import PG, Server, pg_database, quiet_machine, rabbit_vhost, uvicorn_app
from shared.domain.trusts import rhf_for
from shared.events.common import NasjonalStatus
from shared.events.contracts import SakSammendrag, SakSammendragV2
from shared.events.envelope import Envelope

N = 5000
WINDOW = 200
HF = "HBE"
EXCHANGE = "nasjonal.sammendrag"
USER = "guest"
"""The benchmark publishes as the broker's guest user, so that is the user-id oversikt must expect."""
PROBE = f"{HF}-2026-999999"


def summary(i: int, *, lopenummer: str | None = None) -> SakSammendragV2:
    granted = i % 3 != 0
    return SakSammendragV2(
        lopenummer=lopenummer or f"{HF}-2026-{i:06d}",
        hf=HF,
        rhf=rhf_for(HF),
        sekvens=2,
        type="enkeltpasient",
        kategori=("off_label", "godkjenningsfritak", "unntaksordningen", "tilgangsordningen")[i % 4],
        legemiddel_navn="MabThera",
        virkestoff="rituksimab",
        atc="L01FA01",
        icd10_kode=("G35", "G36.0", "G70.0", "M32.1")[i % 4],
        icd10_tekst="Diagnose",
        status=NasjonalStatus.VEDTATT,
        utfall="innvilget" if granted else "avslatt",
        vurderingsflyt="komplett" if i % 2 else "forenklet",
        sendt_maned=f"2026-{1 + i % 12:02d}",
        vedtak_maned=f"2026-{1 + i % 12:02d}",
        behandlingstid_dager=i % 60,
        aldersgruppe=("18-29", "30-49", "50-66", "67-79")[i % 4],
        kjonn="kvinne" if i % 2 else "mann",
        kostnadsband="100-500k",
        effekt="god" if granted and i % 5 == 0 else None,
    )


def bodies(contract: type[SakSammendrag]) -> list[tuple[str, bytes]]:
    """(routing key, body) of N summaries, as integrasjon's relay would send them in `contract`'s version."""
    out = []
    for i in range(N):
        data = summary(i).model_dump(mode="json", include=set(contract.model_fields))
        envelope = Envelope(
            source=f"/hf/{HF}/integrasjon",
            type=contract.TYPE,
            subject=data["lopenummer"],
            hf=HF,
            correlationid="bench",
            data=data,
        )
        out.append((envelope.routing_key, envelope.to_bytes()))
    return out


async def publish_confirmed(
    exchange: aio_pika.abc.AbstractExchange, messages: Sequence[tuple[str, bytes]]
) -> None:
    for start in range(0, len(messages), WINDOW):
        await asyncio.gather(
            *(
                exchange.publish(
                    aio_pika.Message(
                        body,
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                        content_type="application/cloudevents+json",
                        user_id=USER,
                    ),
                    routing_key=key,
                    mandatory=True,
                )
                for key, body in messages[start : start + WINDOW]
            )
        )


async def raw_publish_confirmed_per_s(messages: Sequence[tuple[str, bytes]]) -> float:
    """The broker alone: the same bodies into one quorum queue, as oversikt's queue is."""
    async with rabbit_vhost() as url:
        connection = await aio_pika.connect(url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
            queue = await channel.declare_queue("raw", durable=True, arguments={"x-queue-type": "quorum"})
            await queue.bind(exchange, "#")
            started = time.perf_counter()
            await publish_confirmed(exchange, messages)
            return len(messages) / (time.perf_counter() - started)


async def ack_only_per_s(messages: Sequence[tuple[str, bytes]]) -> float:
    """The ceiling for any consumer on this machine: the same publishing while `bench.ack_consumer` (its
    own process, as oversikt is) only reads each envelope and acks it; timed until its last ack."""
    async with rabbit_vhost() as url:
        connection = await aio_pika.connect(url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
            queue = await channel.declare_queue("ack", durable=True, arguments={"x-queue-type": "quorum"})
            await queue.bind(exchange, "#")
            consumer = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bench.ack_consumer", url, "ack", str(len(messages)),
                stdout=asyncio.subprocess.PIPE,
            )  # fmt: skip
            assert consumer.stdout is not None
            try:
                if (await consumer.stdout.readline()).strip() != b"ready":
                    raise RuntimeError("bench.ack_consumer did not start")
                await quiet_machine()
                started = time.perf_counter()
                await publish_confirmed(exchange, messages)
                if (await consumer.stdout.readline()).strip() != b"done":
                    raise RuntimeError("bench.ack_consumer stopped before the last message")
                return len(messages) / (time.perf_counter() - started)
            finally:
                if consumer.returncode is None:
                    consumer.kill()
                await consumer.wait()


async def _takes(exchange: aio_pika.abc.AbstractExchange, contract: type[SakSammendrag]) -> bool:
    """Whether oversikt subscribes to `contract`: the broker returns a mandatory message nobody takes."""
    data = summary(0, lopenummer=PROBE).model_dump(mode="json", include=set(contract.model_fields))
    envelope = Envelope(
        source=f"/hf/{HF}/integrasjon",
        type=contract.TYPE,
        subject=PROBE,
        hf=HF,
        correlationid="probe",
        data=data,
    )
    try:
        await publish_confirmed(exchange, [(envelope.routing_key, envelope.to_bytes())])
    except DeliveryError:
        return False
    return True


async def _until_stored(db: asyncpg.Connection, n: int) -> None:
    """Poll oversikt's table until the `n` summaries are committed in it. A count of the table every few
    milliseconds would itself cost PostgreSQL a good part of a core during the ingest it measures, so it
    waits for the last summary published (an index look-up) and only then counts (the probe excluded);
    groups commit about in delivery order, so the count rarely has to be repeated."""
    last = f"{HF}-2026-{n - 1:06d}"
    seen_last = False
    while True:
        if not seen_last:
            seen_last = await db.fetchval(
                "SELECT EXISTS (SELECT 1 FROM sammendrag WHERE lopenummer = $1)", last
            )
        if (
            seen_last
            and await db.fetchval("SELECT count(*) FROM sammendrag WHERE lopenummer <> $1", PROBE) >= n
        ):
            return
        await asyncio.sleep(0.005)


def _oversikt_env(db_url: str, amqp: str, data_dir: str) -> dict[str, str]:
    return {
        "SP_OVERSIKT_DATABASE_URL": db_url,
        "SP_OVERSIKT_BUS_URL": amqp,
        "SP_OVERSIKT_DATA_DIR": data_dir,
        "SP_OVERSIKT_HF": HF,
        "SP_OVERSIKT_EXPECTED_PUBLISHERS": json.dumps({HF: USER}),
        "SP_OVERSIKT_LOG_LEVEL": os.environ.get("BENCH_OVERSIKT_LOG_LEVEL", "WARNING"),
    }


def _oversikt(env: dict[str, str], data_dir: str) -> AbstractAsyncContextManager[Server]:
    """oversikt as the distributed mode runs it, in its own process."""
    return uvicorn_app(
        "oversikt.app:create_standalone_app",
        env=env,
        ready_path="/oversikt/health/ready",
        log=Path(os.environ.get("BENCH_OVERSIKT_LOG", Path(data_dir, "oversikt.log"))),
    )


async def _contract(channel: aio_pika.abc.AbstractChannel) -> type[SakSammendrag]:
    """The newest summary version the running oversikt subscribes to."""
    exchange = await channel.get_exchange(EXCHANGE)
    return SakSammendragV2 if await _takes(exchange, SakSammendragV2) else SakSammendrag


async def ingest_per_s() -> tuple[float, str]:
    """oversikt as the distributed mode runs it; the same N summaries published while it consumes, timed
    until the last one is committed in its database."""
    async with pg_database() as db_url, rabbit_vhost() as amqp:
        with tempfile.TemporaryDirectory() as tmp:
            async with _oversikt(_oversikt_env(db_url, amqp, tmp), tmp):
                connection = await aio_pika.connect(amqp)
                db = await asyncpg.connect(database=db_url.rsplit("/", 1)[1], **PG)
                async with connection:
                    channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
                    contract = await _contract(channel)
                    exchange = await channel.get_exchange(EXCHANGE)
                    messages = bodies(contract)
                    await quiet_machine()
                    started = time.perf_counter()
                    await publish_confirmed(exchange, messages)
                    await _until_stored(db, N)
                    elapsed = time.perf_counter() - started
                await db.close()
    return N / elapsed, contract.TYPE


async def backlog_drain_per_s() -> float:
    """oversikt taking a backlog: the N summaries queued while it was stopped (as after a national outage,
    when the trusts' outboxes empty at once), timed from the first summary it stored to the last. Nothing
    publishes while it drains, as on the national machine, where the trusts publish from their own; the
    broker's delivery and PostgreSQL share the machine with it as they do there. Context for
    `national_ingest_ratio`, which also pays the publisher's CPU on this machine."""
    async with pg_database() as db_url, rabbit_vhost() as amqp:
        with tempfile.TemporaryDirectory() as tmp:
            env = _oversikt_env(db_url, amqp, tmp)
            connection = await aio_pika.connect(amqp)
            db = await asyncpg.connect(database=db_url.rsplit("/", 1)[1], **PG)
            async with connection:
                channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
                async with _oversikt(env, tmp):  # declares its queue and bindings
                    contract = await _contract(channel)
                exchange = await channel.get_exchange(EXCHANGE)
                await publish_confirmed(exchange, bodies(contract))
                await quiet_machine()
                async with _oversikt(env, tmp):
                    await _until_stored(db, N)
                    finished = time.time()
            # The first group's clock is read when its first summary has been delivered and parsed.
            first = await db.fetchval(
                "SELECT extract(epoch FROM min(forste_mottatt_at)) FROM sammendrag WHERE lopenummer <> $1",
                PROBE,
            )
            await db.close()
    return N / (finished - float(first))


async def run() -> dict[str, float]:
    ingest, version = await ingest_per_s()
    await quiet_machine()
    contract = SakSammendragV2 if version == SakSammendragV2.TYPE else SakSammendrag
    raw = await raw_publish_confirmed_per_s(bodies(contract))
    await quiet_machine()
    ack_only = await ack_only_per_s(bodies(contract))
    await quiet_machine()
    drain = await backlog_drain_per_s()
    print(f"  national ingest measured with {version}")
    return {
        "national_raw_publish_confirmed_per_s": round(raw, 1),
        "national_ingest_per_s": round(ingest, 1),
        "national_ingest_ratio": round(ingest / raw, 3),
        # Context for the ratio: a consumer that does nothing but parse and ack, against the same raw rate.
        "national_ack_only_per_s": round(ack_only, 1),
        "national_ack_only_ratio": round(ack_only / raw, 3),
        # Context too: oversikt's own rate when no publisher shares the machine (a backlog drained).
        "national_backlog_drain_per_s": round(drain, 1),
        "national_backlog_drain_ratio": round(drain / raw, 3),
    }


if __name__ == "__main__":
    from shared.platform.observability.logging import configure_logging

    configure_logging(level="WARNING", json=True)
    print(json.dumps(asyncio.run(run()), indent=2))
