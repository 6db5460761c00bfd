"""«Mine søknader» tells the applicant's drafts apart: drug, indication, the patient as initials and age,
and when each was last saved; never the patient's name or number."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest_asyncio
from fastapi import FastAPI

from shared.domain.identifiers import find_personnummer_like
from shared.platform.bus.memory import MemoryBus
from soknad.app import create_app
from soknad.handlers.mine import initials
from soknad.settings import SoknadSettings
from tests.support.apps import DemoClient, running
from tests.support.register_cases import SettableClock
from tests.support.visible_text import visible_text

HTML = {"accept": "text/html"}
FODSELSNUMMER = "15838500002"  # synthetic (Tenor): a woman born 15 March 1985


@pytest_asyncio.fixture
async def app_and_clock(tmp_path: Path) -> AsyncIterator[tuple[FastAPI, SettableClock]]:
    bus = MemoryBus()
    await bus.connect()
    clock = SettableClock(datetime(2026, 12, 3, 9, 12, tzinfo=UTC))
    async with running(
        create_app(SoknadSettings(data_dir=tmp_path, log_json=False), bus=bus, clock=clock)
    ) as app:
        yield app, clock
    await bus.close()


async def draft(client: DemoClient, type_: str, innhold: dict[str, Any]) -> str:
    r = await client.send_json(
        "POST",
        "/api/soknader",
        {"type": type_, "kategori": "off_label", "enhet": "HBE-NEVRO", "innhold": innhold},
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def card(page: str, soknad_id: str) -> str:
    """The visible text of one application's card in the list."""
    item = page.split(f'/s/{soknad_id}"', 1)[1].split("</li>", 1)[0]
    return " ".join(visible_text("<a" + item).split())


async def test_drafts_show_drug_indication_patient_initials_age_and_when_saved(
    app_and_clock: tuple[FastAPI, SettableClock],
) -> None:
    app, clock = app_and_clock
    async with DemoClient(app, "hbe-soker") as soker:
        first = await draft(
            soker,
            "enkeltpasient",
            {
                "pasient_navn": "Test Testesen",
                "pasient_fodselsnummer": FODSELSNUMMER,
                "legemiddel": {"navn": "MabThera", "virkestoff": "rituksimab", "atc": "L01FA01"},
                "indikasjon": {"kode": "G36.0", "tekst": "Nevromyelitis optica"},
            },
        )
        clock.at = datetime(2025, 11, 20, 14, 5, tzinfo=UTC)
        empty = await draft(soker, "enkeltpasient", {})
        clock.at = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
        group = await draft(
            soker,
            "gruppe",
            {"gruppe_storrelse": 20, "legemiddel": {"navn": "Kineret", "virkestoff": "anakinra"}},
        )
        r = await soker.get("/", headers=HTML)
    assert r.status_code == 200
    page = r.text

    assert card(page, first) == (
        "Utkast : MabThera (rituksimab) Indikasjon G36.0 Nevromyelitis optica Pasient T.T., 41 år "
        "Ordning Utenfor godkjent indikasjon (off-label) Status Utkast Fremdrift 1 av 10 deler fullført "
        "Lagret 3. des. kl. 10.12"
    )
    empty_card = card(page, empty)
    assert "Legemiddel ikke fylt ut" in empty_card and "Pasient Ikke fylt ut" in empty_card
    assert "Lagret 20. nov. 2025 kl. 15.05" in empty_card  # another year: the year is shown
    group_card = card(page, group)
    assert "Kineret (anakinra)" in group_card and "Pasientgruppe (ca. 20)" in group_card

    # Minimal personal data: initials and age, never the name or the number, anywhere in the page.
    assert "Test Testesen" not in page and "Testesen" not in page
    assert FODSELSNUMMER not in page and find_personnummer_like(visible_text(page)) == []


def test_initials_take_one_letter_per_name_part() -> None:
    assert initials("Kari Anne Nordmann-Li") == "K.A.N.L."
    assert initials("  øystein   ås ") == "Ø.Å."
    assert initials("") == ""
