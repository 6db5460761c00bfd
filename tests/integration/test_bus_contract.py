"""The bus contract (shared/platform/bus/base.py), run against both transports: in-process and RabbitMQ."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aio_pika
import pytest

from shared.events.envelope import Envelope
from shared.platform.bus.base import (
    Bus,
    Message,
    PermanentError,
    PublishError,
    RetryPolicy,
    Subscription,
    UnknownQueueError,
)
from shared.platform.bus.factory import create_bus
from shared.platform.bus.memory import MemoryBus
from shared.platform.bus.rabbitmq import Acks, RabbitBus
from shared.platform.bus.replay import main as replay_cli
from tests.support.rabbit import close_connections, rabbitmqctl, vhost_of
from tests.support.waiting import wait_until

RETRY = RetryPolicy(delays_s=(0.05, 0.1))
EXCHANGE = "soknad.events"
FORANKRET = "no.soknadsportal.soknad.soknad_forankret.v1"
TRUKKET = "no.soknadsportal.soknad.soknad_trukket.v1"
FORANKRET_V2 = "no.soknadsportal.soknad.soknad_forankret.v2"
# RabbitMQ validates `user-id` against the connection's user; both transports then hand it over.
PUBLISHER = "guest"


def make_envelope(event_type: str = FORANKRET, *, hf: str = "HBE", **data: Any) -> Envelope:
    return Envelope(
        source=f"/hf/{hf}/soknad",
        type=event_type,
        hf=hf,
        correlationid=str(uuid.uuid4()),
        subject="2026-000001",
        data=data,
    )


class Recorder:
    """A handler that records what it received and then does what `behaviour` says."""

    def __init__(self, behaviour: Callable[[Message], Awaitable[None]] | None = None) -> None:
        self.messages: list[Message] = []
        self.times: list[float] = []
        self._behaviour = behaviour

    async def __call__(self, message: Message) -> None:
        self.messages.append(message)
        self.times.append(asyncio.get_running_loop().time())
        if self._behaviour is not None:
            await self._behaviour(message)

    def ids(self) -> list[str]:
        return [message.envelope.id for message in self.messages]

    async def wait_for(self, count: int) -> None:
        await wait_until(lambda: len(self.messages) >= count, timeout=10)


def subscription(
    handler: Callable[[Message], Awaitable[None]],
    *,
    consumer: str = "vurdering",
    handler_name: str = "on_soknad_forankret",
    event_type: str = FORANKRET,
    binding_key: str | None = None,
) -> Subscription:
    return Subscription(
        consumer=consumer,
        handler_name=handler_name,
        exchange=EXCHANGE,
        event_type=event_type,
        handler=handler,
        binding_key=binding_key,
    )


async def fail_always(message: Message) -> None:
    raise RuntimeError(f"database unavailable for {message.envelope.id}")


async def block_forever(message: Message) -> None:
    await asyncio.Event().wait()


@dataclass
class MemoryTransport:
    """The memory bus instance is the broker, so every 'new bus' is that instance reconnected."""

    name: str = "memory"
    broker: MemoryBus = field(default_factory=lambda: MemoryBus(retry=RETRY))

    async def open_bus(self, **options: Any) -> Bus:
        await self.broker.connect()
        return self.broker

    async def kill(self, bus: Bus) -> None:
        await bus.close()

    async def publish_raw(self, body: bytes, *, routing_key: str) -> None:
        await self.broker.publish_bytes(body, exchange=EXCHANGE, routing_key=routing_key)

    async def settle(self, bus: Bus, queues: list[str]) -> None:
        await self.broker.drain()

    async def aclose(self) -> None:
        await self.broker.close()


@dataclass
class RabbitTransport:
    url: str
    name: str = "rabbitmq"
    buses: list[RabbitBus] = field(default_factory=list)

    async def open_bus(self, **options: Any) -> Bus:
        bus = RabbitBus(
            self.url,
            retry=RETRY,
            metrics=None,
            publish_timeout=5.0,
            connection_name=f"test-{len(self.buses)}",
            reconnect_interval=0.2,
            **options,
        )
        await bus.connect()
        self.buses.append(bus)
        return bus

    async def kill(self, bus: Bus) -> None:
        await bus.close()

    async def publish_raw(
        self, body: bytes, *, routing_key: str, headers: dict[str, Any] | None = None
    ) -> None:
        async with await aio_pika.connect(self.url) as connection:
            channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
            exchange = await channel.get_exchange(EXCHANGE, ensure=False)
            await exchange.publish(aio_pika.Message(body, headers=headers or {}), routing_key, mandatory=True)

    async def queue_depth(self, queue: str) -> int:
        async with await aio_pika.connect(self.url) as connection:
            channel = await connection.channel()
            declared = await channel.declare_queue(queue, passive=True)
            return declared.declaration_result.message_count or 0

    async def settle(self, bus: Bus, queues: list[str]) -> None:
        # Publishes were confirmed, so every copy is already in its queue. Stopping the consumer puts
        # back whatever it still held; an empty queue then means every copy reached its handler.
        await bus.close()
        assert [await self.queue_depth(queue) for queue in queues] == [0] * len(queues)

    async def aclose(self) -> None:
        for bus in self.buses:
            await bus.close()


Transport = MemoryTransport | RabbitTransport


@pytest.fixture(params=["memory", pytest.param("rabbitmq", marks=pytest.mark.integration)])
async def transport(request: pytest.FixtureRequest) -> AsyncIterator[Transport]:
    chosen: Transport
    if request.param == "memory":
        chosen = MemoryTransport()
    else:
        chosen = RabbitTransport(request.getfixturevalue("rabbit_vhost_url"))
    yield chosen
    await chosen.aclose()


@pytest.fixture
async def rabbit(rabbit_vhost_url: str) -> AsyncIterator[RabbitTransport]:
    chosen = RabbitTransport(rabbit_vhost_url)
    yield chosen
    await chosen.aclose()


async def dead_letter_count_reaches(bus: Bus, queue: str, count: int) -> None:
    async def reached() -> bool:
        return await bus.dead_letter_count(queue) >= count

    await wait_until(reached, timeout=10)


async def test_routing_follows_amqp_topic_rules(transport: Transport) -> None:
    bus = await transport.open_bus()
    await bus.declare_exchange(EXCHANGE)
    patterns = {
        "any_trust": None,  # the default: `*.<event type>`
        "any_trust_second_consumer": None,
        "hbe_only": "HBE.#",
        "everything": "#",
        "soknad_v1": "*.no.soknadsportal.soknad.*.v1",
        "hnt_forankret": f"HNT.{FORANKRET}",
        "hash_matches_zero_words": f"HBE.#.{FORANKRET}",
        "trukket": None,
    }
    recorders = {name: Recorder() for name in patterns}
    subscriptions = [
        subscription(
            recorders[name],
            consumer="oversikt" if name == "any_trust_second_consumer" else "vurdering",
            handler_name=f"on_{name}",
            event_type=TRUKKET if name == "trukket" else FORANKRET,
            binding_key=pattern,
        )
        for name, pattern in patterns.items()
    ]
    for sub in subscriptions:
        await bus.subscribe(sub, prefetch=1)

    hbe_forankret = make_envelope(FORANKRET, hf="HBE")
    hnt_forankret = make_envelope(FORANKRET, hf="HNT")
    hbe_trukket = make_envelope(TRUKKET, hf="HBE")
    hnt_forankret_v2 = make_envelope(FORANKRET_V2, hf="HNT")
    for envelope in (hbe_forankret, hnt_forankret, hbe_trukket, hnt_forankret_v2):
        await bus.publish(envelope, exchange=EXCHANGE)

    expected = {
        "any_trust": {hbe_forankret.id, hnt_forankret.id},
        "any_trust_second_consumer": {hbe_forankret.id, hnt_forankret.id},
        "hbe_only": {hbe_forankret.id, hbe_trukket.id},
        "everything": {hbe_forankret.id, hnt_forankret.id, hbe_trukket.id, hnt_forankret_v2.id},
        "soknad_v1": {hbe_forankret.id, hnt_forankret.id, hbe_trukket.id},
        "hnt_forankret": {hnt_forankret.id},
        "hash_matches_zero_words": {hbe_forankret.id},
        "trukket": {hbe_trukket.id},
    }
    for name, ids in expected.items():
        await recorders[name].wait_for(len(ids))
    await transport.settle(bus, [sub.queue for sub in subscriptions])
    assert {name: set(recorder.ids()) for name, recorder in recorders.items()} == expected
    assert all(len(recorder.messages) == len(expected[name]) for name, recorder in recorders.items())
    received = recorders["any_trust"].messages[0]
    assert received.envelope in (hbe_forankret, hnt_forankret)
    assert received.attempt == 1
    assert received.redelivered is False


async def test_unroutable_or_undeclared_publish_raises(transport: Transport) -> None:
    bus = await transport.open_bus()
    with pytest.raises(PublishError):
        await bus.publish(make_envelope(), exchange="never.declared")
    await bus.declare_exchange(EXCHANGE)
    with pytest.raises(PublishError):
        await bus.publish(make_envelope(), exchange=EXCHANGE)

    recorder = Recorder()
    await bus.subscribe(subscription(recorder))
    with pytest.raises(PublishError):
        await bus.publish(make_envelope(TRUKKET), exchange=EXCHANGE)
    # The errors above leave the bus usable.
    routable = make_envelope()
    await bus.publish(routable, exchange=EXCHANGE)
    await recorder.wait_for(1)
    assert recorder.ids() == [routable.id]


async def test_unacked_message_is_redelivered_after_the_consumer_dies(transport: Transport) -> None:
    publisher = await transport.open_bus()
    await publisher.declare_exchange(EXCHANGE)
    consumer = await transport.open_bus()
    cancelled = asyncio.Event()

    async def block_until_cancelled(message: Message) -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    blocked = Recorder(block_until_cancelled)
    await consumer.subscribe(subscription(blocked))
    envelope = make_envelope(request="first")
    await publisher.publish(envelope, exchange=EXCHANGE, user_id=PUBLISHER)
    await blocked.wait_for(1)

    await transport.kill(consumer)
    await asyncio.wait_for(cancelled.wait(), 5)

    survivor = await transport.open_bus()
    recorder = Recorder()
    await survivor.subscribe(subscription(recorder))
    await recorder.wait_for(1)
    redelivered = recorder.messages[0]
    assert redelivered.envelope == envelope
    assert redelivered.redelivered is True
    assert redelivered.attempt == 1
    assert redelivered.user_id == PUBLISHER
    assert blocked.messages[0].redelivered is False


async def test_transient_failure_is_retried_with_delays_then_dead_lettered(transport: Transport) -> None:
    bus = await transport.open_bus()
    failing = Recorder(fail_always)
    sub = subscription(failing)
    await bus.subscribe(sub)
    envelope = make_envelope()
    await bus.publish(envelope, exchange=EXCHANGE, user_id=PUBLISHER)

    await dead_letter_count_reaches(bus, sub.queue, 1)
    assert [message.attempt for message in failing.messages] == [1, 2, 3]
    assert [message.user_id for message in failing.messages] == [PUBLISHER] * 3
    assert all(message.envelope == envelope for message in failing.messages)
    gaps = [later - earlier for earlier, later in zip(failing.times, failing.times[1:], strict=False)]
    assert gaps[0] >= RETRY.delays_s[0] * 0.9
    assert gaps[1] >= RETRY.delays_s[1] * 0.9

    [letter] = await bus.dead_letters(sub.queue)
    assert letter.reason.startswith("retries exhausted: RuntimeError: database unavailable")
    assert letter.attempts == RETRY.max_attempts
    assert letter.dead_lettered_at is not None
    assert Envelope.model_validate_json(letter.envelope_json) == envelope


async def test_permanent_error_dead_letters_after_one_attempt(transport: Transport) -> None:
    bus = await transport.open_bus()

    async def reject(message: Message) -> None:
        raise PermanentError("unknown diagnosis code")

    rejecting = Recorder(reject)
    sub = subscription(rejecting)
    await bus.subscribe(sub)
    envelope = make_envelope()
    await bus.publish(envelope, exchange=EXCHANGE)

    await dead_letter_count_reaches(bus, sub.queue, 1)
    assert len(rejecting.messages) == 1
    first_peek = await bus.dead_letters(sub.queue)
    # A peek puts the message back; a quorum queue applies that through its log, a moment later.
    await dead_letter_count_reaches(bus, sub.queue, 1)
    second_peek = await bus.dead_letters(sub.queue)
    await dead_letter_count_reaches(bus, sub.queue, 1)
    assert [letter.reason for letter in first_peek] == ["permanent: PermanentError: unknown diagnosis code"]
    assert first_peek[0].attempts == 1
    assert json.loads(first_peek[0].envelope_json)["id"] == envelope.id
    assert [letter.envelope_json for letter in second_peek] == [first_peek[0].envelope_json]
    assert await bus.dead_letter_count(sub.queue) == 1


async def test_undecodable_message_is_dead_lettered_unhandled(
    transport: Transport,
) -> None:
    bus = await transport.open_bus()
    recorder = Recorder()
    sub = subscription(recorder)
    await bus.subscribe(sub)
    await transport.publish_raw(b'{"not": "an envelope"', routing_key=f"HBE.{FORANKRET}")

    await dead_letter_count_reaches(bus, sub.queue, 1)
    [letter] = await bus.dead_letters(sub.queue)
    assert letter.reason.startswith("permanent: undecodable message")
    assert letter.envelope_json == '{"not": "an envelope"'
    assert recorder.messages == []


async def test_handler_raising_cancelled_error_itself_is_retried(
    transport: Transport,
) -> None:
    bus = await transport.open_bus()

    async def cancel_once(message: Message) -> None:
        if message.attempt == 1:
            raise asyncio.CancelledError

    recorder = Recorder(cancel_once)
    await bus.subscribe(subscription(recorder))
    await bus.publish(make_envelope(), exchange=EXCHANGE)
    await recorder.wait_for(2)
    assert [(m.attempt, m.redelivered) for m in recorder.messages] == [(1, False), (2, False)]


async def test_poison_message_never_blocks_the_queue(transport: Transport) -> None:
    bus = await transport.open_bus()
    poison = make_envelope(poison=True)

    async def choke_on_poison(message: Message) -> None:
        if message.envelope.id == poison.id:
            raise RuntimeError("cannot digest")

    recorder = Recorder(choke_on_poison)
    sub = subscription(recorder)
    # One message in flight at a time: a poison message that held its place would stop everything.
    await bus.subscribe(sub, prefetch=1)
    good = [make_envelope(number=number) for number in range(20)]
    for envelope in [poison, *good]:
        await bus.publish(envelope, exchange=EXCHANGE)

    await dead_letter_count_reaches(bus, sub.queue, 1)
    await wait_until(lambda: {e.id for e in good} <= set(recorder.ids()), timeout=10)
    assert recorder.ids().count(poison.id) == RETRY.max_attempts
    assert sorted(recorder.ids()) == sorted([e.id for e in good] + [poison.id] * RETRY.max_attempts)
    [letter] = await bus.dead_letters(sub.queue)
    assert json.loads(letter.envelope_json)["id"] == poison.id


async def test_replay_delivers_dead_letters_again(transport: Transport) -> None:
    bus = await transport.open_bus()
    seen: set[str] = set()

    async def reject_first_time(message: Message) -> None:
        if message.envelope.id not in seen:
            seen.add(message.envelope.id)
            raise PermanentError("the referenced søknad is not known yet")

    recorder = Recorder(reject_first_time)
    sub = subscription(recorder)
    await bus.subscribe(sub)
    envelopes = [make_envelope(number=number) for number in range(3)]
    for envelope in envelopes:
        await bus.publish(envelope, exchange=EXCHANGE, user_id=PUBLISHER)
    await dead_letter_count_reaches(bus, sub.queue, 3)

    assert await bus.replay_dead_letters(sub.queue, limit=2) == 2
    await recorder.wait_for(5)
    assert await bus.dead_letter_count(sub.queue) == 1
    assert await bus.replay_dead_letters(sub.queue) == 1
    await recorder.wait_for(6)
    assert await bus.dead_letter_count(sub.queue) == 0

    replayed = recorder.messages[3:]
    assert sorted(m.envelope.id for m in replayed) == sorted(e.id for e in envelopes)
    assert all(m.attempt == 1 and m.user_id == PUBLISHER for m in replayed)
    assert await bus.replay_dead_letters(sub.queue) == 0


async def test_operator_calls_on_an_unknown_queue_raise(transport: Transport) -> None:
    bus = await transport.open_bus()
    with pytest.raises(UnknownQueueError):
        await bus.dead_letter_count("evt-nothing-here--nobody.on_nothing")
    with pytest.raises(UnknownQueueError):
        await bus.dead_letters("evt-nothing-here--nobody.on_nothing")
    with pytest.raises(UnknownQueueError):
        await bus.replay_dead_letters("evt-nothing-here--nobody.on_nothing")


async def test_health_reports_connection_and_consumers(transport: Transport) -> None:
    bus = await transport.open_bus()
    await bus.subscribe(subscription(Recorder()))
    await bus.subscribe(subscription(Recorder(), event_type=TRUKKET, handler_name="on_soknad_trukket"))
    health = bus.health()
    assert health.connected is True
    assert health.consumers == 2
    await bus.close()
    assert bus.health().connected is False


async def test_subscribing_twice_to_the_same_queue_is_harmless(transport: Transport) -> None:
    bus = await transport.open_bus()
    recorder = Recorder()
    sub = subscription(recorder)
    await bus.subscribe(sub)
    await bus.subscribe(sub)
    assert bus.health().consumers == 1
    await bus.publish(make_envelope(), exchange=EXCHANGE)
    await recorder.wait_for(1)
    await transport.settle(bus, [sub.queue])
    assert len(recorder.messages) == 1


# RabbitMQ only: what the in-process transport has no counterpart for.


@pytest.mark.integration
async def test_consumers_are_restored_after_the_broker_closes_connections(rabbit: RabbitTransport) -> None:
    bus = await rabbit.open_bus()
    first = make_envelope(request="in flight when the connection dies")
    started = asyncio.Event()

    async def block_first(message: Message) -> None:
        started.set()
        if message.envelope.id == first.id and not message.redelivered:
            await asyncio.Event().wait()

    recorder = Recorder(block_first)
    await bus.subscribe(subscription(recorder))
    await bus.publish(first, exchange=EXCHANGE)
    await asyncio.wait_for(started.wait(), 5)

    await asyncio.to_thread(close_connections, vhost_of(rabbit.url))

    await recorder.wait_for(2)
    assert recorder.messages[1].envelope == first
    assert recorder.messages[1].redelivered is True
    await wait_until(lambda: bus.health().connected and bus.health().consumers == 1, timeout=10)

    later = make_envelope(request="after the reconnect")
    await bus.publish(later, exchange=EXCHANGE)
    await recorder.wait_for(3)
    assert recorder.messages[2].envelope == later


@pytest.mark.integration
async def test_crash_loop_is_stopped_by_the_delivery_limit(rabbit: RabbitTransport) -> None:
    publisher = await rabbit.open_bus()
    sub = subscription(Recorder())
    envelope = make_envelope()
    for crash in range(2):
        # Each consumer takes the message and dies without an ack; with a limit of one redelivery
        # the second death sends it to the dead-letter queue instead of to a third consumer.
        recorder = Recorder(block_forever)
        consumer = await rabbit.open_bus(delivery_limit=1)
        await consumer.subscribe(subscription(recorder))
        if crash == 0:
            await publisher.publish(envelope, exchange=EXCHANGE)
        await recorder.wait_for(1)
        assert recorder.messages[0].redelivered is (crash > 0)
        await rabbit.kill(consumer)

    await dead_letter_count_reaches(publisher, sub.queue, 1)
    [letter] = await publisher.dead_letters(sub.queue)
    assert letter.reason == "delivery limit"
    assert Envelope.model_validate_json(letter.envelope_json) == envelope


@pytest.mark.integration
async def test_message_properties_and_queue_types_on_the_broker(rabbit: RabbitTransport) -> None:
    bus = await rabbit.open_bus()
    sub = subscription(Recorder())
    await bus.subscribe(sub)
    await bus.close()

    envelope = make_envelope()
    publisher = await rabbit.open_bus()
    await publisher.publish(envelope, exchange=EXCHANGE, user_id=PUBLISHER)
    async with await aio_pika.connect(rabbit.url) as connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(sub.queue, passive=True)
        raw = await queue.get(no_ack=True, timeout=5)
    assert raw.message_id == envelope.id
    assert raw.type == envelope.type
    assert raw.content_type == "application/cloudevents+json"
    assert raw.correlation_id == envelope.correlationid
    assert raw.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    assert raw.user_id == PUBLISHER
    assert raw.timestamp is not None
    # Quorum queues add x-delivery-count on delivery.
    assert {k: v for k, v in raw.headers.items() if k != "x-delivery-count"} == {"hf": "HBE", "x-attempt": 1}
    assert raw.routing_key == envelope.routing_key
    assert Envelope.from_bytes(raw.body) == envelope

    listed = await asyncio.to_thread(
        rabbitmqctl,
        "list_queues",
        "-p",
        vhost_of(rabbit.url),
        "--no-table-headers",
        "name",
        "type",
        "durable",
    )
    types = {row.split("\t")[0]: tuple(row.split("\t")[1:]) for row in listed.splitlines() if row}
    assert types == {
        sub.queue: ("quorum", "true"),
        sub.dead_letter_queue: ("quorum", "true"),
        f"{sub.queue}.retry.50": ("classic", "true"),
        f"{sub.queue}.retry.100": ("classic", "true"),
    }


@pytest.mark.integration
async def test_identity_headers_from_producers_are_not_believed(rabbit: RabbitTransport) -> None:
    bus = await rabbit.open_bus()
    recorder = Recorder()
    await bus.subscribe(subscription(recorder))
    envelope = make_envelope()
    await rabbit.publish_raw(
        envelope.to_bytes(),
        routing_key=envelope.routing_key,
        headers={"x-user-id": "soknad-HBE", "x-attempt": 3},
    )
    await recorder.wait_for(1)
    assert recorder.messages[0].user_id is None
    assert recorder.messages[0].attempt == 1


@pytest.mark.integration
async def test_publish_with_someone_elses_user_id_is_refused(rabbit: RabbitTransport) -> None:
    bus = await rabbit.open_bus()
    recorder = Recorder()
    await bus.subscribe(subscription(recorder))
    with pytest.raises(PublishError):
        await bus.publish(make_envelope(), exchange=EXCHANGE, user_id="soknad-HBE")
    await bus.publish(make_envelope(), exchange=EXCHANGE, user_id=PUBLISHER)
    await recorder.wait_for(1)


@pytest.mark.integration
async def test_replay_cli_counts_lists_and_replays(
    rabbit: RabbitTransport, capsys: pytest.CaptureFixture[str]
) -> None:
    bus = await rabbit.open_bus()

    async def reject(message: Message) -> None:
        if message.envelope.data.get("bad"):
            raise PermanentError("bad payload")

    recorder = Recorder(reject)
    sub = subscription(recorder)
    await bus.subscribe(sub)
    envelope = make_envelope(bad=True)
    await bus.publish(envelope, exchange=EXCHANGE)
    await dead_letter_count_reaches(bus, sub.queue, 1)
    capsys.readouterr()

    def cli(*args: str) -> tuple[int, list[str]]:
        code = replay_cli(["--url", rabbit.url, *args])
        # The bus's own structlog lines share stdout with the CLI's output.
        return code, capsys.readouterr().out.splitlines()

    code, counted = await asyncio.to_thread(cli, "count", sub.queue)
    assert code == 0
    assert f"       1  {sub.dead_letter_queue}" in counted
    code, listing = await asyncio.to_thread(cli, "list-dead-letters", sub.queue)
    assert code == 0
    assert any(envelope.id in line for line in listing)
    assert "    reason: permanent: PermanentError: bad payload" in listing
    assert "1 dead letter(s) shown from " + sub.dead_letter_queue in listing
    code, replayed = await asyncio.to_thread(cli, "replay", sub.queue, "--limit", "5")
    assert code == 0
    assert f"replayed 1 dead letter(s) from {sub.dead_letter_queue} to {sub.queue}" in replayed
    await recorder.wait_for(2)
    code, _ = await asyncio.to_thread(cli, "count", "evt-unknown--nobody.on_nothing")
    assert code == 1


@pytest.mark.integration
async def test_a_handler_that_never_finishes_holds_back_no_other_ack(rabbit: RabbitTransport) -> None:
    """Acks go out together where they can, but never for a message still in its handler, and never
    held back behind it."""
    bus = await rabbit.open_bus()
    stuck = make_envelope(request="never finishes")

    async def hold_stuck(message: Message) -> None:
        if message.envelope.id == stuck.id and not message.redelivered:
            await asyncio.Event().wait()

    recorder = Recorder(hold_stuck)
    sub = subscription(recorder)
    await bus.subscribe(sub, prefetch=50)
    others = [make_envelope(number=number) for number in range(30)]
    for envelope in [stuck, *others]:
        await bus.publish(envelope, exchange=EXCHANGE)
    await recorder.wait_for(31)

    def unacked() -> int:
        listed = rabbitmqctl(
            "list_queues", "-p", vhost_of(rabbit.url), "--no-table-headers", "name", "messages_unacknowledged"
        )
        counts = dict(row.split("\t") for row in listed.splitlines() if row)
        return int(counts[sub.queue])

    await wait_until(lambda: unacked() == 1, timeout=30, interval=0.5)
    await bus.close()  # the stuck message was never acked: it goes back to the queue
    survivor = await rabbit.open_bus()
    again = Recorder()
    await survivor.subscribe(subscription(again))
    await again.wait_for(1)
    await rabbit.settle(survivor, [sub.queue])
    assert [(m.envelope.id, m.redelivered) for m in again.messages] == [(stuck.id, True)]


class SentAcks:
    """Stands in for aio-pika's incoming messages in the test of the ack rule alone."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, bool]] = []

    def message(self, tag: int) -> Any:
        sent = self.sent

        class Incoming:
            delivery_tag = tag

            async def ack(self, multiple: bool = False) -> None:
                sent.append((tag, multiple))

        return Incoming()


async def test_acks_finished_together_go_out_as_one_multiple_ack_up_to_the_first_gap() -> None:
    acks, wire = Acks(), SentAcks()
    m = {tag: wire.message(tag) for tag in range(1, 12)}
    # 1-3 and 5-6 finish in the same turn; 4 is still in its handler.
    await asyncio.gather(*(acks.ack(m[tag]) for tag in (3, 1, 2, 6, 5)))
    assert wire.sent == [(3, True), (5, False), (6, False)]
    # 4 finishes alone: acked alone, and 1-6 are now settled.
    await acks.ack(m[4])
    assert wire.sent[-1] == (4, False)
    # 7 is nacked back to the queue (a failed move): it is settled, so it breaks no run.
    acks.settled_otherwise(m[7])
    await asyncio.gather(acks.ack(m[9]), acks.ack(m[8]))
    assert wire.sent[-1] == (9, True)
    # 10 was delivered but not seen yet: 11 cannot be covered by a multiple ack.
    await acks.ack(m[11])
    assert wire.sent[-1] == (11, False)
    assert len(wire.sent) == 6


def test_create_bus_picks_the_transport_from_the_url() -> None:
    assert isinstance(create_bus("memory://", retry=RETRY), MemoryBus)
    assert isinstance(create_bus("amqp://guest:guest@127.0.0.1/", retry=RETRY), RabbitBus)
    assert isinstance(create_bus("amqps://broker.example/", retry=RETRY), RabbitBus)
    with pytest.raises(ValueError, match="unsupported") as raised:
        create_bus("redis://user:secret@host/0", retry=RETRY)
    assert "secret" not in str(raised.value)


# In-process transport only.


async def test_memory_handler_cancelled_mid_flight_is_redelivered() -> None:
    bus = MemoryBus(retry=RETRY)
    await bus.connect()
    handler_tasks: list[asyncio.Task[Any]] = []

    async def hang_first_time(message: Message) -> None:
        if not message.redelivered:
            task = asyncio.current_task()
            assert task is not None
            handler_tasks.append(task)
            await asyncio.Event().wait()

    recorder = Recorder(hang_first_time)
    await bus.subscribe(subscription(recorder))
    await bus.publish(make_envelope(), exchange=EXCHANGE)
    await recorder.wait_for(1)
    handler_tasks[0].cancel()
    await bus.drain()
    assert [m.redelivered for m in recorder.messages] == [False, True]
    await bus.close()


async def test_memory_drain_waits_for_retries_and_times_out_on_a_stuck_handler() -> None:
    bus = MemoryBus(retry=RETRY)
    await bus.connect()
    failing = Recorder(fail_always)
    sub = subscription(failing)
    await bus.subscribe(sub)
    await bus.publish(make_envelope(), exchange=EXCHANGE)
    await bus.drain()
    assert len(failing.messages) == RETRY.max_attempts
    assert await bus.dead_letter_count(sub.queue) == 1

    await bus.subscribe(subscription(Recorder(block_forever), event_type=TRUKKET, handler_name="on_trukket"))
    await bus.publish(make_envelope(TRUKKET), exchange=EXCHANGE)
    with pytest.raises(TimeoutError, match="1 in flight"):
        await bus.drain(timeout=0.1)
    await bus.close()


async def test_memory_bus_refuses_to_publish_before_connect() -> None:
    bus = MemoryBus()
    with pytest.raises(PublishError):
        await bus.publish(make_envelope(), exchange=EXCHANGE)
