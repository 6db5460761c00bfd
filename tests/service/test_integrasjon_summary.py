"""integrasjon turns a trust's case events into anonymised national summaries on the national exchange."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest_asyncio
from fastapi import FastAPI

from integrasjon.app import create_app
from integrasjon.settings import IntegrasjonSettings
from shared.domain.identifiers import find_personnummer_like, synthetic_fodselsnummer, validate_fodselsnummer
from shared.events.base import EventContract
from shared.events.common import Forankring, Indikasjon, Legemiddel, Pasient
from shared.events.contracts import SakSammendragV2, SoknadForankret, SoknadTrukket, VedtakFattet
from shared.events.envelope import Envelope
from shared.platform.bus.base import Message, RetryPolicy, Subscription
from shared.platform.bus.memory import MemoryBus
from tests.support.apps import DemoClient, running
from tests.support.waiting import wait_until

NATIONAL = "nasjonal.sammendrag"
BORN = date(1985, 3, 15)
FNR = synthetic_fodselsnummer(BORN, sex="kvinne")
NAVN = "Testine Sammendragsen"


class Captured:
    """A stand-in for the national overview: one queue on the national exchange, every trust's keys."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle(self, message: Message) -> None:
        self.messages.append(message)


@pytest_asyncio.fixture
async def bus() -> AsyncIterator[MemoryBus]:
    bus = MemoryBus(retry=RetryPolicy((0.05, 0.1, 0.2)))
    await bus.connect()
    yield bus
    await bus.close()


@pytest_asyncio.fixture
async def national(bus: MemoryBus) -> Captured:
    captured = Captured()
    await bus.subscribe(
        Subscription(
            consumer="test",
            handler_name="capture",
            exchange=NATIONAL,
            event_type=SakSammendragV2.TYPE,
            handler=captured.handle,
            binding_key="#",
        )
    )
    return captured


@pytest_asyncio.fixture
async def app(tmp_path: Path, bus: MemoryBus, national: Captured) -> AsyncIterator[FastAPI]:
    settings = IntegrasjonSettings(data_dir=tmp_path, log_json=False, bus_retry_delays_s=(0.05, 0.1, 0.2))
    async with running(create_app(settings, bus=bus, national_bus=bus)) as app:
        yield app


def envelope(event: EventContract, *, hf: str = "HBE", subject: str = "HBE-2026-000042") -> Envelope:
    return Envelope(
        source=f"/hf/{hf}/{event.PRODUCER}",
        type=event.TYPE,
        subject=subject,
        hf=hf,
        correlationid="test-correlation",
        data=event.model_dump(mode="json"),
    )


def forankret(**overrides: Any) -> SoknadForankret:
    fnr = validate_fodselsnummer(FNR, allow_synthetic=True)
    values: dict[str, Any] = {
        "soknad_id": "3f2c6a4e-1111-4000-8000-000000000042",
        "lopenummer": "HBE-2026-000042",
        "hf": "HBE",
        "type": "enkeltpasient",
        "kategori": "off_label",
        "enhet": "HBE-NEVRO",
        "soker_id": "hbe-soker",
        "soker_navn": "Kari Nordmann",
        "pasient": Pasient(fodselsnummer=fnr.value, navn=NAVN, fodselsdato=fnr.birth_date, kjonn=fnr.sex),
        "legemiddel": Legemiddel(navn="MabThera", virkestoff="rituksimab", atc="L01FA01", verifisert=True),
        "indikasjon": Indikasjon(kode="G36.0", tekst="Neuromyelitis optica", verifisert=True),
        "begrunnelse": f"{NAVN} har hatt to attakker på azatioprin.",
        "estimert_kostnad_nok": 650_000,
        "sendt_at": datetime(2026, 4, 1, 8, 0, tzinfo=UTC),
        "forankret_at": datetime(2026, 4, 3, 12, 0, tzinfo=UTC),
        "forankring": Forankring(
            leder_id="hbe-leder", leder_navn="Per Hansen", begrunnelse="Faglig enig.", kostnadssted="4100"
        ),
    }
    return SoknadForankret(**{**values, **overrides})


def vedtatt(**overrides: Any) -> VedtakFattet:
    values: dict[str, Any] = {
        "vedtak_id": "vedtak-42",
        "soknad_id": "3f2c6a4e-1111-4000-8000-000000000042",
        "lopenummer": "HBE-2026-000042",
        "utfall": "innvilget",
        "begrunnelse": "Oppfyller kriteriene.",
        "vurderingsflyt": "komplett",
        "fattet_av": "hbe-fagdirektor",
        "fattet_at": datetime(2026, 4, 24, 13, 0, tzinfo=UTC),
    }
    return VedtakFattet(**{**values, **overrides})


def assert_anonymous(message: Message) -> None:
    body = message.envelope.model_dump_json()
    assert find_personnummer_like(body) == []
    for secret in (FNR, NAVN, "Sammendragsen", BORN.isoformat(), "15.03.1985", "Kari Nordmann", "azatioprin"):
        assert secret not in body, secret


async def test_anchoring_then_decision_send_two_anonymous_summaries(
    app: FastAPI, bus: MemoryBus, national: Captured
) -> None:
    await bus.publish(envelope(forankret()), exchange="soknad.events")
    await wait_until(lambda: len(national.messages) == 1)
    await bus.publish(envelope(vedtatt()), exchange="beslutning.events")
    await wait_until(lambda: len(national.messages) == 2)

    first, second = (SakSammendragV2.model_validate(m.envelope.data) for m in national.messages)
    assert [m.user_id for m in national.messages] == ["integrasjon-hbe", "integrasjon-hbe"]
    assert all(m.envelope.hf == "HBE" and m.envelope.type == SakSammendragV2.TYPE for m in national.messages)
    assert (first.sekvens, first.status, first.utfall, first.behandlingstid_dager) == (
        1,
        "til_vurdering",
        None,
        None,
    )
    assert (first.aldersgruppe, first.kjonn, first.kostnadsband) == ("30-49", "kvinne", "500k-1M")
    assert (second.sekvens, second.status, second.utfall) == (2, "vedtatt", "innvilget")
    assert (second.sendt_maned, second.vedtak_maned, second.behandlingstid_dager) == (
        "2026-04",
        "2026-04",
        23,
    )
    for message in national.messages:
        assert_anonymous(message)


async def test_decision_before_its_anchoring_waits_for_it(
    app: FastAPI, bus: MemoryBus, national: Captured
) -> None:
    # Separate queues: the decision may arrive first; it is retried until the anchoring is there.
    await bus.publish(envelope(vedtatt(utfall="avslatt")), exchange="beslutning.events")
    await bus.publish(envelope(forankret()), exchange="soknad.events")
    await wait_until(lambda: len(national.messages) == 2)
    await bus.drain()
    last = SakSammendragV2.model_validate(national.messages[-1].envelope.data)
    assert (last.sekvens, last.status, last.utfall) == (2, "vedtatt", "avslatt")


async def test_withdrawal_is_summarised_and_a_later_decision_ignored(
    app: FastAPI, bus: MemoryBus, national: Captured
) -> None:
    await bus.publish(envelope(forankret()), exchange="soknad.events")
    await wait_until(lambda: len(national.messages) == 1)
    trukket = SoknadTrukket(
        soknad_id="3f2c6a4e-1111-4000-8000-000000000042",
        lopenummer="HBE-2026-000042",
        trukket_at=datetime(2026, 4, 5, tzinfo=UTC),
    )
    await bus.publish(envelope(trukket), exchange="soknad.events")
    await wait_until(lambda: len(national.messages) == 2)
    await bus.publish(envelope(vedtatt()), exchange="beslutning.events")
    await bus.drain()
    assert [SakSammendragV2.model_validate(m.envelope.data).status for m in national.messages] == [
        "til_vurdering",
        "trukket",
    ]


async def test_same_event_twice_sends_one_summary(app: FastAPI, bus: MemoryBus, national: Captured) -> None:
    event = envelope(forankret())
    await bus.publish(event, exchange="soknad.events")
    await bus.publish(event, exchange="soknad.events")
    await wait_until(lambda: len(national.messages) >= 1)
    await bus.drain()
    assert len(national.messages) == 1


async def test_catalogue_lookups(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-soker") as client:
        drugs = (await client.get("/api/legemidler", params={"q": "rituximab"})).json()
        assert {d["navn"] for d in drugs} == {"MabThera", "Truxima"}
        assert all(d["fest_id"].startswith("ID_") and d["atc"] == "L01FA01" for d in drugs)
        melatonin = (await client.get("/api/legemidler", params={"q": "N05CH"})).json()
        assert [d["krever_godkjenningsfritak"] for d in melatonin] == [True]
        assert melatonin[0]["smpc_url"] is None
        one = await client.get(f"/api/legemidler/{drugs[0]['fest_id']}")
        assert one.status_code == 200 and one.json() == drugs[0]
        assert (await client.get("/api/legemidler/ID_UKJENT")).status_code == 404

        assert [d["kode"] for d in (await client.get("/api/diagnoser", params={"q": "G360"})).json()] == [
            "G36.0"
        ]
        by_code = (await client.get("/api/diagnoser", params={"q": "M33"})).json()
        assert [d["kode"] for d in by_code] == ["M33.0", "M33.1", "M33.2"]
        by_text = (await client.get("/api/diagnoser", params={"q": "multippel"})).json()
        assert by_text == [
            {"kode": "G35", "tekst": "Multippel sklerose", "system": "icd10", "versjon": "2026"}
        ]
        assert (await client.get("/api/diagnoser", params={"q": "x" * 101})).status_code == 422


async def test_status_page_counts_summaries(app: FastAPI, bus: MemoryBus, national: Captured) -> None:
    await bus.publish(envelope(forankret()), exchange="soknad.events")
    await wait_until(lambda: len(national.messages) == 1)
    await wait_until(lambda: _all_sent(app))
    async with DemoClient(app, "hbe-admin") as client:
        page = await client.get("/", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "Sammendrag sendt</dt><dd>1</dd>" in page.text
    assert FNR not in page.text and NAVN not in page.text


async def _all_sent(app: FastAPI) -> bool:
    return int(await app.state.runtime.backlog()) == 0
