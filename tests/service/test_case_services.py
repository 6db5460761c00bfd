"""vurdering and beslutning in-process (SQLite, memory bus): a typed number that is not a number is a
readable 4xx, and a lost race on the case's version is translated once, by the unit of work, into the
use case's 409 with both versions."""

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
from sqlalchemy import update

from beslutning import handlers as beslutning_handlers
from beslutning.app import create_app as create_beslutning
from beslutning.domain import VedtakInput
from beslutning.settings import BeslutningSettings
from beslutning.store import Sak as BeslutningSak
from shared.domain.identifiers import synthetic_fodselsnummer
from shared.events.common import Forankring, Indikasjon, Komitemedlem, Legemiddel, Pasient
from shared.events.contracts import SakSendtTilKomite, SoknadForankret
from shared.events.envelope import Envelope
from shared.platform.auth.demo import DEMO_USERS
from shared.platform.auth.principal import Principal
from shared.platform.bus.memory import MemoryBus
from shared.platform.db.uow import Database
from shared.platform.errors import StaleVersion
from tests.support.apps import DemoClient, running
from tests.support.waiting import wait_until
from vurdering import handlers as vurdering_handlers
from vurdering.app import create_app as create_vurdering
from vurdering.domain import AnbefalingInput
from vurdering.settings import VurderingSettings
from vurdering.store import Sak as VurderingSak

ANBEFALING: dict[str, Any] = {
    "anbefaling": "innvilge",
    "begrunnelse": "God dokumentasjon.",
    "kriterier": {"alvorlighet": 3, "nytte": 3, "ressursbruk": 1, "evidenskvalitet": 2},
}


@dataclass
class Services:
    bus: MemoryBus
    vurdering: FastAPI
    beslutning: FastAPI


@pytest_asyncio.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    bus = MemoryBus()
    await bus.connect()
    await bus.declare_exchange("soknad.events")
    common: dict[str, Any] = {"log_json": False, "outbox_poll_interval_s": 0.05}
    vurdering = create_vurdering(VurderingSettings(data_dir=tmp_path / "v", **common), bus=bus)
    beslutning = create_beslutning(BeslutningSettings(data_dir=tmp_path / "b", **common), bus=bus)
    async with running(vurdering), running(beslutning):
        yield Services(bus=bus, vurdering=vurdering, beslutning=beslutning)
    await bus.close()


def forankret() -> SoknadForankret:
    now = datetime.now(UTC)
    born = date(1985, 3, 15)
    return SoknadForankret(
        soknad_id=str(uuid.uuid4()),
        lopenummer=f"HBE-2026-{uuid.uuid4().int % 1_000_000:06d}",
        hf="HBE",
        type="enkeltpasient",
        kategori="off_label",
        enhet="HBE-NEVRO",
        soker_id="hbe-soker",
        soker_navn="Kari Nordmann",
        pasient=Pasient(
            fodselsnummer=synthetic_fodselsnummer(born, sex="kvinne"),
            navn="Testa Testesen",
            fodselsdato=born,
            kjonn="kvinne",
        ),
        legemiddel=Legemiddel(navn="MabThera", virkestoff="rituksimab", atc="L01FA01", verifisert=True),
        indikasjon=Indikasjon(kode="G35", tekst="Multippel sklerose", verifisert=True),
        begrunnelse="Attakker tross to linjer behandling.",
        sendt_at=now - timedelta(days=1),
        forankret_at=now,
        forankring=Forankring(
            leder_id="hbe-leder", leder_navn="Per Hansen", begrunnelse="Enig.", kostnadssted="4100"
        ),
    )


async def anchored(services: Services) -> SoknadForankret:
    event = forankret()
    envelope = Envelope(
        source="/hf/HBE/soknad",
        type=event.TYPE,
        hf="HBE",
        subject=event.lopenummer,
        correlationid="t",
        data=event.model_dump(mode="json"),
    )
    await services.bus.publish(envelope, exchange="soknad.events")
    await services.bus.drain()
    # The director's triage to the complete flow puts the case in the committee's queue.
    sendt = SakSendtTilKomite(
        soknad_id=event.soknad_id,
        lopenummer=event.lopenummer,
        medlemmer=[Komitemedlem(id="hbe-komite", navn="Ingrid Berg")],
        frist=date.today() + timedelta(days=14),
        sendt_av="hbe-fagdirektor",
        sendt_av_navn="Lars Haugen",
        sendt_at=datetime.now(UTC),
    )
    await services.bus.publish(
        Envelope(
            source="/hf/HBE/beslutning",
            type=sendt.TYPE,
            hf="HBE",
            subject=event.lopenummer,
            correlationid="t",
            data=sendt.model_dump(mode="json"),
        ),
        exchange="beslutning.events",
    )
    await services.bus.drain()
    return event


async def case_id(client: DemoClient, lopenummer: str) -> str:
    found: list[str] = []

    async def listed() -> bool:
        saker = (await client.get("/api/saker")).json()
        found.extend(s["id"] for s in saker if s["lopenummer"] == lopenummer)
        return bool(found)

    await wait_until(listed)
    return found[0]


def db_of(app: FastAPI) -> Database:
    db: Database = app.state.runtime.db
    return db


def principal(user_id: str) -> Principal:
    return DEMO_USERS[user_id]


@pytest.mark.parametrize("versjon", ["²", "1" * 5_000, "-3"])
async def test_a_version_that_is_not_a_plain_number_is_a_readable_422_on_the_committee_page(
    services: Services, versjon: str
) -> None:
    event = await anchored(services)
    async with DemoClient(services.vurdering, "hbe-komite") as komite:
        sak_id = await case_id(komite, event.lopenummer)
        form = {"csrf_token": await komite.csrf(), "versjon": versjon}
        form.update({k: v for k, v in ANBEFALING.items() if isinstance(v, str)})
        form.update({f"kriterier.{k}": str(v) for k, v in ANBEFALING["kriterier"].items()})
        page = await komite.post(f"/sak/{sak_id}/anbefaling", data=form)
        assert page.status_code == 422
        assert "«versjon»" in page.text
        # Nothing was recorded: the case can still be recommended.
        assert (await komite.get(f"/api/saker/{sak_id}")).json()["status"] == "til_vurdering"


@pytest.mark.parametrize("versjon", ["²", "1" * 5_000])
async def test_a_version_that_is_not_a_plain_number_is_a_readable_422_on_the_decision_page(
    services: Services, versjon: str
) -> None:
    event = await anchored(services)
    async with DemoClient(services.beslutning, "hbe-fagdirektor") as direktor:
        sak_id = await case_id(direktor, event.lopenummer)
        form = {
            "csrf_token": await direktor.csrf(),
            "versjon": versjon,
            "utfall": "avslatt",
            "begrunnelse": "Godkjent alternativ er ikke prøvd.",
        }
        page = await direktor.post(f"/sak/{sak_id}/vedtak", data=form)
        assert page.status_code == 422
        assert "«versjon»" in page.text
        assert "Godkjent alternativ er ikke prøvd." in page.text  # what was typed is kept
        assert (await direktor.get(f"/api/saker/{sak_id}")).json()["vedtak"] is None


async def _lose_race(db: Database, model: type[Any], sak_id: str) -> int:
    """Bump the case's version behind the back of a unit of work that has already read it."""
    async with db.unit_of_work() as other:
        await other.session.execute(
            update(model).where(model.id == sak_id).values(versjon=model.versjon + 1, endret_at=other.now)
        )
        await other.commit()
    async with db.unit_of_work() as uow:
        sak = await uow.session.get(model, sak_id)
        assert sak is not None
        return int(sak.versjon)


async def test_a_recommendation_that_loses_the_race_is_a_409_with_both_versions(services: Services) -> None:
    event = await anchored(services)
    async with DemoClient(services.vurdering, "hbe-komite") as komite:
        sak_id = await case_id(komite, event.lopenummer)
    db = db_of(services.vurdering)
    anbefaling = AnbefalingInput.model_validate(ANBEFALING)
    with pytest.raises(StaleVersion) as exc:
        async with db.unit_of_work() as uow:
            seen = await uow.session.get(VurderingSak, sak_id)
            assert seen is not None
            read_version = seen.versjon
            # End the read transaction but keep the loaded (soon stale) case in the session.
            await uow.session.commit()
            saved = await _lose_race(db, VurderingSak, sak_id)
            await vurdering_handlers.record_anbefaling.within(
                uow, principal("hbe-komite"), sak_id, anbefaling=anbefaling, versjon=read_version
            )
    assert exc.value.status == 409
    assert exc.value.extra == {"din_versjon": read_version, "lagret_versjon": saved}


async def test_a_decision_that_loses_the_race_is_a_409_with_both_versions(services: Services) -> None:
    event = await anchored(services)
    async with DemoClient(services.beslutning, "hbe-fagdirektor") as direktor:
        sak_id = await case_id(direktor, event.lopenummer)
    db = db_of(services.beslutning)
    vedtak = VedtakInput(utfall="avslatt", begrunnelse="Godkjent alternativ er ikke prøvd.")
    with pytest.raises(StaleVersion) as exc:
        async with db.unit_of_work() as uow:
            seen = await uow.session.get(BeslutningSak, sak_id)
            assert seen is not None
            read_version = seen.versjon
            await uow.session.commit()
            saved = await _lose_race(db, BeslutningSak, sak_id)
            await beslutning_handlers.decide.within(
                uow, principal("hbe-fagdirektor"), sak_id, vedtak=vedtak, versjon=read_version
            )
    assert exc.value.extra == {"din_versjon": read_version, "lagret_versjon": saved}
    async with DemoClient(services.beslutning, "hbe-fagdirektor") as direktor:
        assert (await direktor.get(f"/api/saker/{sak_id}")).json()["vedtak"] is None
