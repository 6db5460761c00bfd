"""Least privilege: the trust's admin configures and reads no clinical content; the controller sees
billing lines of granted treatments (løpenummer, unit, drug, cost, decision, validity, cost centre),
never an application and never a refused case."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from fastapi import FastAPI

from beslutning.app import create_app as create_beslutning
from beslutning.settings import BeslutningSettings
from shared.domain.identifiers import synthetic_fodselsnummer
from shared.events.common import Forankring, Indikasjon, Legemiddel, Pasient
from shared.events.contracts import SoknadForankret
from shared.events.envelope import Envelope
from shared.platform.bus.memory import MemoryBus
from soknad.app import create_app as create_soknad
from soknad.settings import SoknadSettings
from tests.support.apps import DemoClient, running
from tests.support.register_cases import Case, SettableClock, at, create

HTML = {"accept": "text/html"}
PATIENT = "Testa Fakturasen"


@pytest_asyncio.fixture
async def bus() -> AsyncIterator[MemoryBus]:
    bus = MemoryBus()
    await bus.connect()
    yield bus
    await bus.close()


# -- soknad: nobody but the case's people reads the application ----------------------------------


@dataclass
class Soknader:
    app: FastAPI
    granted: Case
    refused: Case


@pytest_asyncio.fixture
async def soknader(tmp_path: Path, bus: MemoryBus) -> AsyncIterator[Soknader]:
    clock = SettableClock(at("2026-01-10"))
    settings = SoknadSettings(data_dir=tmp_path, log_json=False)
    async with running(create_soknad(settings, bus=bus, clock=clock)) as app:
        drug = ("MabThera", "rituksimab", "L01FA01")
        cases = await create(
            app,
            bus,
            clock,
            [
                Case("innvilget", "hbe-soker", "off_label", "HBE-NEVRO", drug, ("G35", "Multippel sklerose"),
                     at("2026-01-10"), decided=("innvilget", 2)),
                Case("avslatt", "hbe-soker", "off_label", "HBE-NEVRO", drug, ("G35", "Multippel sklerose"),
                     at("2026-01-11"), decided=("avslatt", 2)),
            ],
        )  # fmt: skip
        yield Soknader(app=app, granted=cases["innvilget"], refused=cases["avslatt"])


@pytest.mark.parametrize("user", ["hbe-admin", "hbe-controller"])
async def test_admin_and_controller_read_no_application(soknader: Soknader, user: str) -> None:
    async with DemoClient(soknader.app, user) as client:
        for case in (soknader.granted, soknader.refused):
            api = await client.get(f"/api/soknader/{case.id}")
            assert api.status_code in (403, 404), (case.key, api.text)
            page = await client.get(f"/s/{case.id}", headers=HTML)
            assert page.status_code in (403, 404), case.key
            register = await client.get(f"/api/register/{case.id}")
            assert register.status_code in (403, 404), case.key
            for answer in (api, page, register):
                assert case.patient_name not in answer.text
                assert case.fodselsnummer not in answer.text
        assert (await client.get("/api/register")).status_code == 403
        assert (await client.get("/register", headers=HTML)).status_code == 403


async def test_the_people_of_the_case_still_read_it(soknader: Soknader) -> None:
    for user in ("hbe-soker", "hbe-leder", "hbe-komite", "hbe-fagdirektor"):
        async with DemoClient(soknader.app, user) as client:
            r = await client.get(f"/api/soknader/{soknader.granted.id}")
            assert r.status_code == 200, (user, r.text)


async def test_the_admin_still_configures_help_texts(soknader: Soknader) -> None:
    async with DemoClient(soknader.app, "hbe-admin") as admin:
        start = await admin.get("/", headers=HTML)
        assert start.status_code == 303
        page = await admin.get(start.headers["location"], headers=HTML)
    assert page.status_code == 200
    nav = page.text.split('aria-label="Hovedmeny"')[1].split("</nav>")[0]
    assert ">Hjelpetekster<" in nav and ">Register<" not in nav


# -- beslutning: the controller's billing lines ----------------------------------------------------


def forankret(lopenummer: str, *, kostnad: int) -> SoknadForankret:
    now = datetime.now(UTC)
    born = date(1985, 3, 15)
    return SoknadForankret(
        soknad_id=str(uuid.uuid4()),
        lopenummer=lopenummer,
        hf="HBE",
        type="enkeltpasient",
        kategori="godkjenningsfritak",
        enhet="HBE-NEVRO",
        soker_id="hbe-soker",
        soker_navn="Kari Nordmann",
        pasient=Pasient(
            fodselsnummer=synthetic_fodselsnummer(born, sex="kvinne"), navn=PATIENT, fodselsdato=born
        ),
        legemiddel=Legemiddel(
            navn="Ocrevus 300 mg", virkestoff="okrelizumab", atc="L04AG08", verifisert=True
        ),
        indikasjon=Indikasjon(kode="G35", tekst="Multippel sklerose", verifisert=True),
        begrunnelse="Klinisk begrunnelse som bare søknadens folk skal lese.",
        estimert_kostnad_nok=kostnad,
        sendt_at=now - timedelta(days=2),
        forankret_at=now,
        forankring=Forankring(
            leder_id="hbe-leder", leder_navn="Per Hansen", begrunnelse="Enig.", kostnadssted="4711"
        ),
    )


async def anchored_case(app: FastAPI, bus: MemoryBus, event: SoknadForankret) -> str:
    envelope = Envelope(
        source="/hf/HBE/soknad",
        type=event.TYPE,
        hf="HBE",
        subject=event.lopenummer,
        correlationid="t",
        data=event.model_dump(mode="json"),
    )
    await bus.publish(envelope, exchange="soknad.events")
    await bus.drain()
    async with DemoClient(app, "hbe-fagdirektor") as direktor:
        cases = (await direktor.get("/api/saker")).json()
    return str(next(c["id"] for c in cases if c["lopenummer"] == event.lopenummer))


async def test_the_controller_sees_billing_lines_of_granted_cases_only(
    tmp_path: Path, bus: MemoryBus
) -> None:
    await bus.declare_exchange("soknad.events")
    settings = BeslutningSettings(data_dir=tmp_path, log_json=False)
    async with running(create_beslutning(settings, bus=bus)) as app:
        granted = forankret("HBE-2026-000101", kostnad=250_000)
        refused = forankret("HBE-2026-000102", kostnad=90_000)
        granted_id = await anchored_case(app, bus, granted)
        refused_id = await anchored_case(app, bus, refused)
        gyldig_til = (datetime.now(UTC).date() + timedelta(days=180)).isoformat()
        async with DemoClient(app, "hbe-fagdirektor") as direktor:
            grant = {"utfall": "innvilget", "begrunnelse": "Godt dokumentert.", "gyldig_til": gyldig_til}
            decisions: list[tuple[str, dict[str, Any]]] = [
                (granted_id, grant),
                (refused_id, {"utfall": "avslatt", "begrunnelse": "Ikke dokumentert."}),
            ]
            for sak_id, vedtak in decisions:
                r = await direktor.send_json("POST", f"/api/saker/{sak_id}/vedtak", vedtak)
                assert r.status_code == 201, r.text

        async with DemoClient(app, "hbe-controller") as controller:
            lines = await controller.get("/api/fakturering")
            page = await controller.get("/fakturering", headers=HTML)
            full = [await controller.get(f"/api/saker/{sak_id}") for sak_id in (granted_id, refused_id)]
            pages = [
                await controller.get(f"/sak/{sak_id}", headers=HTML) for sak_id in (granted_id, refused_id)
            ]
        async with DemoClient(app, "hbe-soker") as soker:
            not_theirs = await soker.get("/api/fakturering")

    assert lines.status_code == 200, lines.text
    assert lines.json() == [
        {
            "vedtak_id": lines.json()[0]["vedtak_id"],
            "lopenummer": "HBE-2026-000101",
            "enhet": "HBE-NEVRO",
            "legemiddel": "Ocrevus 300 mg",
            "virkestoff": "okrelizumab",
            "atc": "L04AG08",
            "estimert_kostnad_nok": 250_000,
            "kostnadssted": "4711",
            "faktureringsrutine": None,
            "utfall": "innvilget",
            "gyldig_fra": None,
            "gyldig_til": gyldig_til,
            "vedtatt_at": lines.json()[0]["vedtatt_at"],
            "fakturert_at": None,
        }
    ]
    assert page.status_code == 200
    assert "HBE-2026-000101" in page.text and "4711" in page.text and "250" in page.text
    assert "HBE-2026-000102" not in page.text
    for answer in (lines, page):
        assert PATIENT not in answer.text
        assert granted.pasient is not None and granted.pasient.fodselsnummer not in answer.text
        assert "Klinisk begrunnelse" not in answer.text
    assert [r.status_code for r in full] == [403, 403]
    assert [r.status_code for r in pages] == [403, 403]
    assert all(PATIENT not in r.text for r in [*full, *pages])
    assert not_theirs.status_code == 403


@pytest.mark.parametrize("user", ["hbe-admin", "hbe-controller"])
async def test_admin_and_controller_see_the_trusts_statistics_but_no_case(
    soknader: Soknader, user: str
) -> None:
    async with DemoClient(soknader.app, user) as client:
        api = await client.get("/api/statistikk", params={"fra": "2026-01-01", "til": "2026-01-31"})
        assert api.status_code == 200, api.text
        # Counts of the whole trust (both cases), never a row of one.
        assert api.json()["totalt"] == 2
        page = await client.get("/statistikk", headers=HTML)
        assert page.status_code == 200
        assert "alle søknader i" in page.text
        for case in (soknader.granted, soknader.refused):
            assert case.patient_name not in api.text + page.text
            assert case.id not in api.text + page.text
