"""Decisions out to integrators on the in-process bus (the embedded default): the routing keys, the two
variants, and the order an integrator sees (a revocation never before the decision it revokes)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import select

from integrasjon.app import create_app
from integrasjon.integratorer import routing
from integrasjon.settings import IntegrasjonSettings
from shared.platform.bus.base import Message, RetryPolicy, Subscription
from shared.platform.bus.memory import MemoryBus
from tests.support.apps import running
from tests.support.vedtak_events import PASIENT_NAVN, envelope, forankret, opphevet, pasient, vedtak
from tests.support.waiting import wait_until


class Integrator:
    def __init__(self) -> None:
        self.messages: list[tuple[str, Message]] = []

    async def subscribe(self, bus: MemoryBus, exchange: str, key: str) -> None:
        async def handle(message: Message) -> None:
            self.messages.append((exchange, message))

        await bus.subscribe(
            Subscription(
                consumer="test",
                handler_name=f"integrator-{exchange}",
                exchange=exchange,
                event_type="vedtak",
                handler=handle,
                binding_key=key,
            )
        )


@pytest_asyncio.fixture
async def bus() -> AsyncIterator[MemoryBus]:
    bus = MemoryBus(retry=RetryPolicy((0.1, 0.2, 0.4, 0.8, 1.6, 3.2)))
    await bus.connect()
    yield bus
    await bus.close()


@pytest_asyncio.fixture
async def app(tmp_path: Path, bus: MemoryBus) -> AsyncIterator[FastAPI]:
    settings = IntegrasjonSettings(
        data_dir=tmp_path,
        log_json=False,
        bus_retry_delays_s=(0.1, 0.2, 0.4, 0.8, 1.6, 3.2),
        outbox_poll_interval_s=0.05,
        webhook_worker=False,
    )
    async with running(create_app(settings, bus=bus, national_bus=bus)) as app:
        yield app


async def test_decision_then_revocation_on_both_exchanges(app: FastAPI, bus: MemoryBus) -> None:
    integrator = Integrator()
    await integrator.subscribe(bus, routing.EXCHANGE, "HBE.vedtak.#")
    await integrator.subscribe(bus, routing.EXCHANGE_PASIENT, "*.vedtak.*.off_label.HBE-NEVRO.*")
    decision = vedtak("HBE-2026-000101", utfall="innvilget")
    # The revocation first: it waits (is retried) until the decision it revokes has gone out.
    await bus.publish(envelope(opphevet("HBE-2026-000101", decision.vedtak_id)), exchange="beslutning.events")
    await bus.publish(envelope(decision), exchange="beslutning.events")
    await bus.publish(envelope(forankret("HBE-2026-000101")), exchange="soknad.events")
    await wait_until(lambda: len(integrator.messages) == 4, timeout=20)

    keys = [(exchange, m.envelope.type.rsplit(".", 2)[1]) for exchange, m in integrator.messages]
    assert keys == [
        (routing.EXCHANGE, "integrator_vedtak_fattet"),
        (routing.EXCHANGE_PASIENT, "integrator_vedtak_fattet_med_pasient"),
        (routing.EXCHANGE, "integrator_vedtak_opphevet"),
        (routing.EXCHANGE_PASIENT, "integrator_vedtak_opphevet_med_pasient"),
    ]
    for exchange, message in integrator.messages:
        body = message.envelope.model_dump_json()
        assert message.envelope.subject == "HBE-2026-000101"
        if exchange == routing.EXCHANGE:
            assert pasient().fodselsnummer not in body and PASIENT_NAVN not in body
            assert "pasient" not in message.envelope.data
            if message.envelope.data["art"] == "vedtak":
                assert_no_free_text(message.envelope.data)
        else:
            assert message.envelope.data["pasient"]["fodselsnummer"] == pasient().fodselsnummer

    # Each disclosure of the identity (the decision, the revocation) is in the audit log.
    db = app.state.runtime.db
    async with db.sessions() as session:
        rows = (await session.execute(select(db.tables.audit.c.what, db.tables.audit.c.case_ref))).all()
    assert [tuple(r) for r in rows].count(("integrator.utlevering", "HBE-2026-000101")) == 2


FRITEKST = ("Effekten evalueres etter seks måneder.", "1000 mg iv hver 6. måned", "Evaluer effekten.")
"""The free text of `vedtak()`: the conditions as one text, the dose, a condition's wording."""


def assert_no_free_text(data: dict[str, Any]) -> None:
    body = json.dumps(data, ensure_ascii=False)
    for text in FRITEKST:
        assert text not in body
    assert "vilkar_tekst" not in data and "dosering" not in data["omfang"]
    assert all(set(v) == {"type", "dato"} for v in data["vilkar"])


async def test_amendment_on_both_exchanges_after_the_decision_it_amends(app: FastAPI, bus: MemoryBus) -> None:
    integrator = Integrator()
    # The whole routing key an amendment travels under, as the plain exchange's only binding.
    await integrator.subscribe(
        bus, routing.EXCHANGE, "HBE.vedtak.endret.off_label.HBE-REVMA.innvilget_med_vilkar"
    )
    await integrator.subscribe(bus, routing.EXCHANGE_PASIENT, "HBE.vedtak.#")
    lopenummer = "HBE-2026-000102"
    decision = vedtak(lopenummer, utfall="innvilget")
    amendment = vedtak(
        lopenummer,
        art="endring",
        erstatter_vedtak_id=decision.vedtak_id,
        utfall="innvilget_med_vilkar",
        enhet="HBE-REVMA",
    )
    # The amendment first: it waits until the decision it amends has gone out.
    await bus.publish(envelope(amendment), exchange="beslutning.events")
    await bus.publish(envelope(forankret(lopenummer)), exchange="soknad.events")
    await bus.publish(envelope(decision), exchange="beslutning.events")
    await wait_until(lambda: len(integrator.messages) == 3, timeout=20)

    received = [(exchange, m.envelope.data) for exchange, m in integrator.messages]
    # The plain exchange's binding takes the amendment only; the identity-bearing one both, in order.
    assert [(e, d["art"]) for e, d in received] == [
        (routing.EXCHANGE_PASIENT, "vedtak"),
        (routing.EXCHANGE, "endring"),
        (routing.EXCHANGE_PASIENT, "endring"),
    ]
    for _, data in received[1:]:
        assert data["vedtak_id"] == amendment.vedtak_id
        assert data["erstatter_vedtak_id"] == decision.vedtak_id
        assert data["utfall"] == "innvilget_med_vilkar"
    (_, anonym), (_, med) = received[1:]
    assert integrator.messages[1][1].envelope.type.endswith(".integrator_vedtak_fattet.v1")
    assert "pasient" not in anonym
    assert_no_free_text(anonym)
    assert med["pasient"]["fodselsnummer"] == pasient().fodselsnummer
    assert med["vilkar_tekst"] == FRITEKST[0] and med["omfang"]["dosering"] == FRITEKST[1]


def test_routing_keys_and_permissions() -> None:
    assert (
        routing.routing_key(
            hf="HBE", hendelse="fattet", kategori="off_label", enhet="HBE.NEVRO #1", utfall="avslatt"
        )
        == "HBE.vedtak.fattet.off_label.HBE_NEVRO__1.avslatt"
    )
    assert routing.routing_key(
        hf="HBE", hendelse="endret", kategori=None, enhet=None, utfall="innvilget"
    ) == ("HBE.vedtak.endret.ukjent.ukjent.innvilget")
    configure, write, read = routing.permissions("apotek", identitet=False)
    assert configure == write == r"^integrator\-apotek\..*$"
    assert "pasient" not in read
    assert r"integrator\.vedtak\.pasient" in routing.permissions("apotek", identitet=True)[2]
