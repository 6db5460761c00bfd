"""Integrators on the trust's real RabbitMQ: an independent client (pika) logs in as an integrator user
made by the admin command, binds to the integrator exchange, receives a decision that went through
integrasjon's consumer and outbox, parses it with the CloudEvents SDK, and can neither publish nor bind
to the identity-bearing exchange unless entitled."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pika
import pytest
from cloudevents.v1.http import from_json
from pika.exceptions import ChannelClosedByBroker
from sqlalchemy import func, select

from integrasjon.app import create_app
from integrasjon.integratorer import brukere, routing
from integrasjon.settings import IntegrasjonSettings
from shared.platform.bus.base import RetryPolicy
from shared.platform.bus.factory import create_bus
from tests.support.apps import running
from tests.support.json_schema import errors
from tests.support.rabbit import RABBIT_HOST, RABBIT_PORT, temporary_vhost, vhost_of
from tests.support.vedtak_events import PASIENT_NAVN, envelope, forankret, pasient, vedtak
from tests.support.waiting import wait_until

NAMED_LIKE_AN_EXCHANGE = "vedtak"
"""With the old queue prefix `integrator.<name>.` its patterns matched `integrator.vedtak.pasient`."""


class Integrator:
    """What an integrator does with pika (blocking, run in a thread)."""

    def __init__(self, vhost: str, user: str, password: str):
        self.params = pika.ConnectionParameters(
            host=RABBIT_HOST,
            port=RABBIT_PORT,
            virtual_host=vhost,
            credentials=pika.PlainCredentials(user, password),
        )

    def bind(self, queue: str, exchange: str, key: str, *, declare_exchange: bool = False) -> None:
        with pika.BlockingConnection(self.params) as connection:
            channel = connection.channel()
            if declare_exchange:
                channel.exchange_declare(exchange, "topic", durable=True)
            channel.queue_declare(queue, durable=True, arguments={"x-queue-type": "quorum"})
            channel.queue_bind(queue, exchange, routing_key=key)

    def delete_exchange(self, exchange: str) -> None:
        with pika.BlockingConnection(self.params) as connection:
            connection.channel().exchange_delete(exchange)

    def get(self, queue: str) -> tuple[Any, bytes] | None:
        with pika.BlockingConnection(self.params) as connection:
            method, properties, body = connection.channel().basic_get(queue, auto_ack=True)
            return None if method is None else (properties, body)

    def publish(self, exchange: str, key: str) -> None:
        with pika.BlockingConnection(self.params) as connection:
            channel = connection.channel()
            channel.confirm_delivery()
            channel.basic_publish(exchange, key, b"{}")


def exchange_exists(integrator: Integrator, exchange: str) -> bool:
    with pika.BlockingConnection(integrator.params) as connection:
        try:
            connection.channel().exchange_declare(exchange, passive=True)
        except ChannelClosedByBroker:
            return False
    return True


def amqp_properties(properties: Any) -> dict[str, Any]:
    names = ("content_type", "delivery_mode", "message_id", "type", "correlation_id", "timestamp", "user_id")
    return {name: getattr(properties, name) for name in names if getattr(properties, name) is not None}


def assert_matches_catalogue(doc: dict[str, Any], message: str, properties: Any, body: bytes) -> None:
    """The real AMQP body, headers and properties against the served document's schemas."""
    described = doc["components"]["messages"][message]
    event = json.loads(body)
    assert errors(event, described["payload"], doc) == []
    assert errors(dict(properties.headers), described["headers"], doc) == []
    assert errors(amqp_properties(properties), described["x-amqp-properties"], doc) == []
    assert properties.message_id == event["id"] and properties.type == event["type"]
    assert properties.correlation_id == event["correlationid"]
    assert properties.timestamp == int(datetime.fromisoformat(event["time"]).timestamp())


async def bind_when_declared(integrator: Integrator, queue: str, exchange: str, key: str) -> None:
    """integrasjon declares the exchanges once its bus is up: until then a bind is refused (404)."""

    async def bound() -> bool:
        try:
            await asyncio.to_thread(integrator.bind, queue, exchange, key)
        except ChannelClosedByBroker as exc:
            if exc.reply_code != 404:
                raise
            return False
        return True

    await wait_until(bound, timeout=30, interval=0.2)


@pytest.mark.integration
async def test_integrator_receives_a_decision_as_a_cloudevent_and_cannot_publish(tmp_path: Path) -> None:
    suffix = uuid.uuid4().hex[:8]
    apotek, statistikk = f"apotek{suffix}", f"statistikk{suffix}"
    lopenummer = f"HBE-2026-{uuid.uuid4().int % 1_000_000:06d}"
    ctl = brukere.Rabbitmqctl()
    with temporary_vhost() as trust_url:
        vhost = vhost_of(trust_url)
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
        # The national overview is not under test: a queue on its exchange keeps the summaries routable.
        admin = Integrator(vhost, "guest", "guest")
        await asyncio.to_thread(
            admin.bind, "nasjonal-test", "nasjonal.sammendrag", "#", declare_exchange=True
        )
        # What beslutning sends, as it travels, to check against the catalogue too.
        await asyncio.to_thread(
            admin.bind, "beslutning-test", "beslutning.events", "#", declare_exchange=True
        )
        app = create_app(settings)
        # Named like the exchanges on purpose (`integrator-vedtak`, a user of the whole broker): a run that
        # died may have left it behind.
        with contextlib.suppress(brukere.BrukerFeil):
            brukere.remove(ctl, name=NAMED_LIKE_AN_EXCHANGE)
        passwords = {
            apotek: brukere.add(ctl, name=apotek, identitet=True, vhost=vhost),
            statistikk: brukere.add(ctl, name=statistikk, identitet=False, vhost=vhost),
            NAMED_LIKE_AN_EXCHANGE: brukere.add(
                ctl, name=NAMED_LIKE_AN_EXCHANGE, identitet=False, vhost=vhost
            ),
        }
        try:
            pharmacy = Integrator(vhost, routing.broker_user(apotek), passwords[apotek])
            stats = Integrator(vhost, routing.broker_user(statistikk), passwords[statistikk])
            async with running(app):
                pharmacy_queue = f"{routing.queue_prefix(apotek)}vedtak"
                stats_queue = f"{routing.queue_prefix(statistikk)}vedtak"
                await bind_when_declared(pharmacy, pharmacy_queue, routing.EXCHANGE_PASIENT, "HBE.vedtak.#")
                await bind_when_declared(stats, stats_queue, routing.EXCHANGE, "*.vedtak.*.off_label.#")

                # Not entitled to the patient's identity: the broker refuses the binding.
                with pytest.raises(ChannelClosedByBroker) as refused:
                    await asyncio.to_thread(
                        stats.bind, f"{routing.queue_prefix(statistikk)}snok", routing.EXCHANGE_PASIENT, "#"
                    )
                assert refused.value.reply_code == 403

                # Nor is one whose name makes its queue prefix look like the exchange's name: it can
                # neither bind to the patient exchange nor delete it.
                lookalike = Integrator(
                    vhost, routing.broker_user(NAMED_LIKE_AN_EXCHANGE), passwords[NAMED_LIKE_AN_EXCHANGE]
                )
                lookalike_queue = f"{routing.queue_prefix(NAMED_LIKE_AN_EXCHANGE)}snok"
                with pytest.raises(ChannelClosedByBroker) as refused:
                    await asyncio.to_thread(lookalike.bind, lookalike_queue, routing.EXCHANGE_PASIENT, "#")
                assert refused.value.reply_code == 403
                with pytest.raises(ChannelClosedByBroker) as refused:
                    await asyncio.to_thread(lookalike.delete_exchange, routing.EXCHANGE_PASIENT)
                assert refused.value.reply_code == 403
                assert await asyncio.to_thread(exchange_exists, admin, routing.EXCHANGE_PASIENT)

                internal = create_bus(trust_url, retry=RetryPolicy())
                await internal.connect()
                try:
                    await internal.publish(envelope(forankret(lopenummer)), exchange="soknad.events")
                    decision = vedtak(lopenummer)
                    await internal.publish(envelope(decision), exchange="beslutning.events")
                finally:
                    await internal.close()

                received: dict[str, tuple[Any, bytes]] = {}

                async def both_received() -> bool:
                    for name, integrator, queue in (
                        ("apotek", pharmacy, pharmacy_queue),
                        ("statistikk", stats, stats_queue),
                    ):
                        if name not in received:
                            got = await asyncio.to_thread(integrator.get, queue)
                            if got is not None:
                                received[name] = got
                    return len(received) == 2

                await wait_until(both_received, timeout=30, interval=0.2)

                properties, body = received["apotek"]
                event = from_json(body)
                assert event["specversion"] == "1.0"
                assert event["type"] == "no.soknadsportal.integrasjon.integrator_vedtak_fattet_med_pasient.v1"
                assert event["subject"] == lopenummer
                assert event["source"] == "/hf/HBE/integrasjon"
                data = event.data
                assert data["pasient"] == {"fodselsnummer": pasient().fodselsnummer, "navn": PASIENT_NAVN}
                assert data["vedtak_id"] == decision.vedtak_id
                assert data["omfang"]["legemiddel"]["atc"] == "L01FA01"
                assert data["omfang"]["legemiddel"]["fest_id"].startswith("ID_")
                assert data["vilkar"][0]["type"] == "evaluering"
                assert (data["gyldig_fra"], data["gyldig_til"]) == ("2026-12-01", "2027-11-30")
                assert data["fattet_av_navn"] == "Fagdirektør Fredrik"
                assert properties.content_type == "application/cloudevents+json"
                assert properties.message_id == event["id"]
                assert properties.delivery_mode == 2
                assert properties.user_id == "guest"  # the publishing user, verified by the broker

                _, stats_body = received["statistikk"]
                stats_event = from_json(stats_body)
                assert stats_event["type"] == "no.soknadsportal.integrasjon.integrator_vedtak_fattet.v1"
                assert "pasient" not in stats_event.data
                assert pasient().fodselsnummer not in stats_body.decode()
                assert PASIENT_NAVN not in stats_body.decode()
                assert "begrunnelse" not in json.loads(stats_body)["data"]

                # The served catalogue describes these messages truthfully: body, headers and properties.
                async with httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url="http://t"
                ) as c:
                    catalogue = (await c.get("/asyncapi.json")).json()
                assert_matches_catalogue(catalogue, "IntegratorVedtakFattetMedPasient", properties, body)
                assert_matches_catalogue(catalogue, "IntegratorVedtakFattet", *received["statistikk"])
                internal_message = await asyncio.to_thread(admin.get, "beslutning-test")
                assert internal_message is not None
                assert_matches_catalogue(catalogue, "VedtakFattet", *internal_message)

                # Read-only: neither our exchanges nor the default exchange take a message from them.
                for exchange in (routing.EXCHANGE, routing.EXCHANGE_PASIENT, ""):
                    with pytest.raises(ChannelClosedByBroker) as denied:
                        await asyncio.to_thread(pharmacy.publish, exchange, "HBE.vedtak.fattet.x.y.z")
                    assert denied.value.reply_code == 403

                # A decision no integrator binds to (statistikk only takes off_label) is not held up in the
                # outbox as unroutable: the alternate exchange takes it.
                other = f"HBE-2026-{uuid.uuid4().int % 1_000_000:06d}"
                internal = create_bus(trust_url, retry=RetryPolicy())
                await internal.connect()
                try:
                    await internal.publish(
                        envelope(forankret(other, kategori="godkjenningsfritak")), exchange="soknad.events"
                    )
                    await internal.publish(
                        envelope(vedtak(other, kategori="godkjenningsfritak")), exchange="beslutning.events"
                    )
                finally:
                    await internal.close()
                runtime = app.state.runtime

                async def pharmacy_got_it() -> bool:
                    got = await asyncio.to_thread(pharmacy.get, pharmacy_queue)
                    return got is not None and from_json(got[1])["subject"] == other

                await wait_until(pharmacy_got_it, timeout=30, interval=0.2)

                outbox = runtime.db.tables.outbox

                async def nothing_unsent() -> bool:
                    async with runtime.db.sessions() as session:
                        unsent = await session.scalar(
                            select(func.count()).where(
                                outbox.c.sent_at.is_(None),
                                outbox.c.exchange.in_([routing.EXCHANGE, routing.EXCHANGE_PASIENT]),
                            )
                        )
                    return unsent == 0

                await wait_until(nothing_unsent, timeout=30, interval=0.2)
                assert await asyncio.to_thread(stats.get, stats_queue) is None
        finally:
            for name in passwords:
                brukere.remove(ctl, name=name)
