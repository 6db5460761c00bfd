"""The national overview stores each trust's summaries, refuses forged ones, and shows them to `nasjonal`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest_asyncio
from fastapi import FastAPI

from integrasjon.app import create_app as create_integrasjon
from integrasjon.settings import IntegrasjonSettings
from oversikt.app import create_app
from oversikt.settings import OversiktSettings
from oversikt.store import Sammendrag
from shared.domain.identifiers import synthetic_fodselsnummer, validate_fodselsnummer
from shared.events.common import Forankring, Indikasjon, Legemiddel, Pasient
from shared.events.contracts import SakSammendrag, SoknadForankret
from shared.events.envelope import Envelope
from shared.platform.bus.base import RetryPolicy
from shared.platform.bus.memory import MemoryBus
from tests.support.apps import DemoClient, running
from tests.support.waiting import wait_until

NATIONAL = "nasjonal.sammendrag"
QUEUE = f"evt-{NATIONAL}-{SakSammendrag.TYPE}--oversikt.on_sak_sammendrag"


@pytest_asyncio.fixture
async def bus() -> AsyncIterator[MemoryBus]:
    bus = MemoryBus(retry=RetryPolicy((0.05, 0.1)))
    await bus.connect()
    yield bus
    await bus.close()


@pytest_asyncio.fixture
async def app(tmp_path: Path, bus: MemoryBus) -> AsyncIterator[FastAPI]:
    settings = OversiktSettings(data_dir=tmp_path, log_json=False, bus_retry_delays_s=(0.05, 0.1))
    async with running(create_app(settings, bus=bus)) as app:
        yield app


def summary(**overrides: Any) -> SakSammendrag:
    values: dict[str, Any] = {
        "lopenummer": "HBE-2026-000042",
        "hf": "HBE",
        "rhf": "HV",
        "sekvens": 1,
        "type": "enkeltpasient",
        "kategori": "off_label",
        "legemiddel_navn": "MabThera",
        "virkestoff": "rituksimab",
        "atc": "L01FA01",
        "icd10_kode": "G35",
        "icd10_tekst": "Multippel sklerose",
        "status": "til_vurdering",
        "sendt_maned": "2026-03",
        "aldersgruppe": "30-49",
        "kjonn": "kvinne",
        "kostnadsband": "100-500k",
    }
    return SakSammendrag(**{**values, **overrides})


def envelope(event: SakSammendrag, *, hf: str | None = None) -> Envelope:
    hf = hf or event.hf
    return Envelope(
        source=f"/hf/{hf}/integrasjon",
        type=SakSammendrag.TYPE,
        subject=event.lopenummer,
        hf=hf,
        correlationid="test-correlation",
        data=event.model_dump(mode="json"),
    )


async def publish(bus: MemoryBus, env: Envelope, *, user_id: str | None) -> None:
    await bus.publish(env, exchange=NATIONAL, routing_key=f"{env.hf}.{env.type}", user_id=user_id)
    await bus.drain()


async def stored(app: FastAPI, lopenummer: str = "HBE-2026-000042") -> dict[str, Any] | None:
    """The stored summary (what the pages show of it is generalised: tests/service/test_oversikt_sok.py)."""
    async with app.state.runtime.db.sessions() as session:
        s = await session.get(Sammendrag, lopenummer)
        return None if s is None else {k: getattr(s, k) for k in Sammendrag.__table__.columns.keys()}  # noqa: SIM118


async def test_summary_from_the_trusts_own_publisher_is_stored(app: FastAPI, bus: MemoryBus) -> None:
    await publish(bus, envelope(summary()), user_id="integrasjon-hbe")
    sak = await stored(app)
    assert sak is not None
    assert (sak["hf"], sak["virkestoff"], sak["sekvens"], sak["oppdateringer"]) == ("HBE", "rituksimab", 1, 1)
    assert await bus.dead_letter_count(QUEUE) == 0


async def test_forged_summary_is_refused_and_dead_lettered(app: FastAPI, bus: MemoryBus) -> None:
    # OUS's integrasjon claims to speak for HBE.
    await publish(bus, envelope(summary(utfall="avslatt")), user_id="integrasjon-ous")
    # The payload names another trust than the envelope.
    await publish(
        bus, envelope(summary(lopenummer="OUS-2026-000001", hf="HBE"), hf="OUS"), user_id="integrasjon-ous"
    )
    # No user-id at all.
    await publish(bus, envelope(summary(lopenummer="HBE-2026-000043")), user_id=None)

    assert await stored(app) is None
    assert await stored(app, "OUS-2026-000001") is None
    assert await stored(app, "HBE-2026-000043") is None
    dead = await bus.dead_letters(QUEUE)
    assert len(dead) == 3
    assert all(d.reason.startswith("permanent:") and "summary refused" in d.reason for d in dead)
    async with app.state.runtime.db.sessions() as session:
        inbox = (await session.execute(app.state.runtime.tables.inbox.select())).all()
    assert inbox == []  # refused before the inbox: a replay after a fix is processed normally


async def test_older_sequence_never_overwrites_a_newer_one(app: FastAPI, bus: MemoryBus) -> None:
    newer = summary(
        sekvens=2, status="vedtatt", utfall="innvilget", vedtak_maned="2026-04", behandlingstid_dager=20
    )
    await publish(bus, envelope(newer), user_id="integrasjon-hbe")
    await publish(bus, envelope(summary(sekvens=1)), user_id="integrasjon-hbe")
    sak = await stored(app)
    assert sak is not None
    assert (sak["sekvens"], sak["status"], sak["utfall"], sak["oppdateringer"]) == (
        2,
        "vedtatt",
        "innvilget",
        1,
    )

    await publish(
        bus, envelope(summary(sekvens=3, status="vedtatt", utfall="avslatt")), user_id="integrasjon-hbe"
    )
    sak = await stored(app)
    assert sak is not None and (sak["sekvens"], sak["utfall"], sak["oppdateringer"]) == (3, "avslatt", 2)


async def test_same_event_twice_is_stored_once(app: FastAPI, bus: MemoryBus) -> None:
    env = envelope(summary())
    await publish(bus, env, user_id="integrasjon-hbe")
    await publish(bus, env, user_id="integrasjon-hbe")
    sak = await stored(app)
    assert sak is not None and sak["oppdateringer"] == 1


async def test_national_api_is_for_the_national_role_only(app: FastAPI, bus: MemoryBus) -> None:
    # Three alike in each trust: no row is rarer than the k-anonymity limit, so all are shown as sent.
    for n in (42, 43, 44):
        await publish(bus, envelope(summary(lopenummer=f"HBE-2026-0000{n}")), user_id="integrasjon-hbe")
    for n in (7, 8, 9):
        ous = summary(
            lopenummer=f"OUS-2026-00000{n}",
            hf="OUS",
            rhf="HSO",
            sekvens=1,
            status="vedtatt",
            utfall="avslatt",
        )
        await publish(bus, envelope(ous), user_id="integrasjon-ous")
    hbe_vedtak = summary(sekvens=2, status="vedtatt", utfall="innvilget")
    await publish(bus, envelope(hbe_vedtak), user_id="integrasjon-hbe")

    async with DemoClient(app, "hbe-nasjonal") as nasjonal:
        page = (await nasjonal.get("/api/saker")).json()
        assert page["totalt"] == 6 and page["holdt_tilbake"] == 0
        assert [s["lopenummer"] for s in page["saker"]][:2] == ["OUS-2026-000009", "OUS-2026-000008"]
        filtered = await nasjonal.get(
            "/api/saker", params={"hf": "HBE", "icd10": "g35", "legemiddel": "L01FA"}
        )
        assert [s["lopenummer"] for s in filtered.json()["saker"]] == [
            "HBE-2026-000044",
            "HBE-2026-000043",
            "HBE-2026-000042",
        ]
        assert (await nasjonal.get("/api/saker", params={"utfall": "avslatt"})).json()["totalt"] == 3
        assert (await nasjonal.get("/api/saker", params={"icd10": "not a code"})).status_code == 422

        variasjon = (await nasjonal.get("/api/variasjon")).json()
        assert [(v["hf"], v["innvilget"], v["avslatt"]) for v in variasjon] == [("HBE", 1, 0), ("OUS", 0, 3)]

        html = await nasjonal.get("/", params={"legemiddel": "rituksimab"}, headers={"accept": "text/html"})
        assert html.status_code == 200
        assert "HBE-2026-000042" in html.text
        detail = await nasjonal.get("/sak/OUS-2026-000007", headers={"accept": "text/html"})
        assert detail.status_code == 200 and "Avslått" in detail.text
        assert (await nasjonal.get("/api/saker/HBE-2026-999999")).status_code == 404

    async with DemoClient(app, "hbe-soker") as soker:
        assert (await soker.get("/api/saker")).status_code == 403
        assert (await soker.get("/api/saker/HBE-2026-000042")).status_code == 403
        assert (await soker.get("/api/variasjon")).status_code == 403
        assert (await soker.get("/", headers={"accept": "text/html"})).status_code == 403

    async with DemoClient(app, "ous-nasjonal") as other_trust:
        # The national role of any trust sees every trust's summaries.
        assert (await other_trust.get("/api/saker/HBE-2026-000042")).status_code == 200


async def test_integrasjon_feeds_oversikt_with_default_settings(tmp_path: Path, bus: MemoryBus) -> None:
    # The embedded default's wiring: the default national user of integrasjon is the publisher oversikt
    # expects by default, so a trust's anchored case shows up nationally with no configuration.
    fnr = validate_fodselsnummer(synthetic_fodselsnummer(date(1990, 6, 1), sex="mann"), allow_synthetic=True)
    event = SoknadForankret(
        soknad_id="c0ffee00-0000-4000-8000-000000000007",
        lopenummer="OUS-2026-000007",
        hf="OUS",
        type="enkeltpasient",
        kategori="off_label",
        enhet="OUS-NEVRO",
        soker_id="ous-soker",
        soker_navn="Jonas Bakke",
        pasient=Pasient(
            fodselsnummer=fnr.value, navn="Test Testesen", fodselsdato=fnr.birth_date, kjonn=fnr.sex
        ),
        legemiddel=Legemiddel(navn="Kineret", virkestoff="anakinra", atc="L04AC03", verifisert=True),
        indikasjon=Indikasjon(kode="D76.1", tekst="Hemofagocytisk lymfohistiocytose", verifisert=True),
        begrunnelse="Livstruende HLH.",
        sendt_at=datetime(2026, 5, 4, 9, 0, tzinfo=UTC),
        forankret_at=datetime(2026, 5, 4, 10, 0, tzinfo=UTC),
        forankring=Forankring(
            leder_id="ous-leder", leder_navn="Maria Solberg", begrunnelse="Ok", kostnadssted="1"
        ),
    )
    common: dict[str, Any] = {"log_json": False, "bus_retry_delays_s": (0.05, 0.1)}
    oversikt = create_app(OversiktSettings(data_dir=tmp_path / "o", **common), bus=bus)
    integrasjon = create_integrasjon(
        IntegrasjonSettings(data_dir=tmp_path / "i", **common), bus=bus, national_bus=bus
    )
    async with running(oversikt), running(integrasjon):
        source = Envelope(
            source="/hf/OUS/soknad", type=event.TYPE, subject=event.lopenummer, hf="OUS",
            correlationid="test-correlation", data=event.model_dump(mode="json"),
        )  # fmt: skip
        await bus.publish(source, exchange="soknad.events")
        await wait_until(lambda: stored(oversikt, "OUS-2026-000007"))
        sak = await stored(oversikt, "OUS-2026-000007")
        assert sak is not None and (sak["virkestoff"], sak["aldersgruppe"], sak["kjonn"]) == (
            "anakinra",
            "30-49",
            "mann",
        )
        assert "Test Testesen" not in str(sak) and fnr.value not in str(sak)
        assert await bus.dead_letter_count(QUEUE) == 0
