"""The way docs/integrators.md tells an integrator in: the admin command makes the user (password shown
once), and the example consumer (examples/integrator_pika.py, pika) receives a decision and its
revocation, with the patient's identity because the user is entitled to it."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

import pika
import pytest
from pika.exceptions import ChannelClosedByBroker

from integrasjon.app import create_app
from integrasjon.integratorer import routing
from integrasjon.settings import IntegrasjonSettings
from shared.platform.bus.base import RetryPolicy
from shared.platform.bus.factory import create_bus
from tests.support.apps import running
from tests.support.rabbit import RABBIT_HOST, RABBIT_PORT, amqp_url, temporary_vhost, vhost_of
from tests.support.vedtak_events import envelope, forankret, opphevet, pasient, vedtak
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "services" / "integrasjon")])}


async def run(*args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=ROOT,
        env=ENV,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()
    return stdout.decode()


def exchange_exists(vhost: str, name: str) -> bool:
    params = pika.ConnectionParameters(
        RABBIT_HOST, RABBIT_PORT, vhost, pika.PlainCredentials("guest", "guest")
    )
    with pika.BlockingConnection(params) as connection:
        try:
            connection.channel().exchange_declare(name, passive=True)
        except ChannelClosedByBroker:
            return False
    return True


def declare_catch_all(vhost: str, exchange: str) -> None:
    params = pika.ConnectionParameters(
        RABBIT_HOST, RABBIT_PORT, vhost, pika.PlainCredentials("guest", "guest")
    )
    with pika.BlockingConnection(params) as connection:
        channel = connection.channel()
        channel.exchange_declare(exchange, "topic", durable=True)
        channel.queue_declare("nasjonal-test", durable=True)
        channel.queue_bind("nasjonal-test", exchange, "#")


@pytest.mark.integration
async def test_the_documented_way_in_works_end_to_end(tmp_path: Path) -> None:
    name = f"apotek{uuid.uuid4().hex[:8]}"
    lopenummer = f"HBE-2026-{uuid.uuid4().int % 1_000_000:06d}"
    with temporary_vhost() as trust_url:
        vhost = vhost_of(trust_url)
        declare_catch_all(vhost, "nasjonal.sammendrag")
        printed = await run("-m", "integrasjon.integratorer", "--vhost", vhost, "add", name, "--identitet")
        try:
            lines = dict(line.split(":", 1) for line in printed.splitlines() if ":" in line)
            password = lines["Passord"].strip()
            assert lines["Bruker"].strip() == routing.broker_user(name)
            assert lines["Exchange"].strip() == routing.EXCHANGE_PASIENT
            assert printed.count(password) == 1
            settings = IntegrasjonSettings(
                data_dir=tmp_path,
                hf=["HBE"],
                bus_url=trust_url,
                national_bus_url=trust_url,
                national_user_template="guest",
                log_json=False,
                bus_retry_delays_s=(0.1, 0.2),
                outbox_poll_interval_s=0.1,
            )
            async with running(create_app(settings)):
                await wait_until(
                    lambda: asyncio.to_thread(exchange_exists, vhost, routing.EXCHANGE_PASIENT), timeout=30
                )
                consumer = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "examples/integrator_pika.py",
                    "--url",
                    amqp_url(vhost, user=routing.broker_user(name), password=password),
                    "--name",
                    name,
                    "--exchange",
                    routing.EXCHANGE_PASIENT,
                    "--bind",
                    "HBE.vedtak.*.off_label.#",
                    "--count",
                    "2",
                    cwd=ROOT,
                    env=ENV,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.PIPE,
                )
                try:
                    assert consumer.stdout is not None
                    ready = json.loads(await asyncio.wait_for(consumer.stdout.readline(), 60))
                    assert ready == {"klar": f"integrator-{name}.vedtak"}
                    bus = create_bus(trust_url, retry=RetryPolicy())
                    await bus.connect()
                    try:
                        await bus.publish(envelope(forankret(lopenummer)), exchange="soknad.events")
                        decision = vedtak(lopenummer)
                        await bus.publish(envelope(decision), exchange="beslutning.events")
                        await bus.publish(
                            envelope(opphevet(lopenummer, decision.vedtak_id)), exchange="beslutning.events"
                        )
                    finally:
                        await bus.close()
                    stdout, stderr = await asyncio.wait_for(consumer.communicate(), 60)
                finally:
                    if consumer.returncode is None:
                        consumer.kill()
                        await consumer.wait()
                assert consumer.returncode == 0, stderr.decode()
                seen: list[dict[str, Any]] = [json.loads(line) for line in stdout.decode().splitlines()]
                assert [(s["hendelse"], s["utfall"]) for s in seen] == [
                    ("vedtak", "innvilget_med_vilkar"),
                    ("opphevet", "opphevet"),
                ]
                assert {s["lopenummer"] for s in seen} == {lopenummer}
                assert seen[0]["atc"] == "L01FA01"
                assert {s["fodselsnummer"] for s in seen} == {pasient().fodselsnummer}
        finally:
            await run("-m", "integrasjon.integratorer", "remove", name)
