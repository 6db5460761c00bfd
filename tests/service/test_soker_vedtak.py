"""What the applicant's case page says about a decision: a grant tells them to put the løpenummer on
the prescription; a refusal says what it means, why, and what they can do next, and says nothing about
a prescription."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from fastapi import FastAPI

from shared.platform.bus.memory import MemoryBus
from soknad.app import create_app
from soknad.settings import SoknadSettings
from tests.support.apps import DemoClient, running
from tests.support.register_cases import Case, SettableClock, at, create
from tests.support.visible_text import visible_text

HTML = {"accept": "text/html"}


@pytest_asyncio.fixture
async def decided(tmp_path: Path) -> AsyncIterator[tuple[FastAPI, dict[str, Case]]]:
    bus = MemoryBus()
    await bus.connect()
    clock = SettableClock(at("2026-01-01"))
    async with running(
        create_app(SoknadSettings(data_dir=tmp_path, log_json=False), bus=bus, clock=clock)
    ) as app:
        cases = await create(
            app,
            bus,
            clock,
            [
                Case("innvilget", "hbe-soker", "off_label", "HBE-NEVRO",
                     ("MabThera", "rituksimab", "L01FA01"),
                     ("G35", "Multippel sklerose"), at("2026-01-10"), decided=("innvilget", 2)),
                Case("avslatt", "hbe-soker", "godkjenningsfritak", "HBE-NEVRO",
                     ("Melatonin AGB", "melatonin", "N05CH01"), ("G47.0", "Søvnløshet"), at("2026-01-20"),
                     decided=("avslatt", 4)),
            ],
        )  # fmt: skip
        yield app, cases
    await bus.close()


async def case_page(app: FastAPI, case: Case, user: str = "") -> str:
    async with DemoClient(app, user or case.soker) as reader:
        r = await reader.get(f"/s/{case.id}", headers=HTML)
    assert r.status_code == 200, r.text
    # Only the decision's box: the rest of the page is the application itself.
    section = r.text.split('id="vedtak"', 1)[1].split("</section>", 1)[0]
    return " ".join(visible_text("<section " + section).split())


async def test_a_refusal_explains_itself_and_the_next_steps(decided: tuple[FastAPI, dict[str, Case]]) -> None:
    app, cases = decided
    case = cases["avslatt"]
    text = await case_page(app, case)
    assert "Vedtak: Avslått" in text
    assert "resept" not in text.lower()
    for expected in (
        "Hva avslaget betyr",
        "Helseforetaket dekker ikke behandlingen det er søkt om.",
        "pasienten skal ikke betale for den selv",
        "Begrunnelse",
        "Vurdert etter prioriteringskriteriene.",
        "Hva du kan gjøre nå",
        "be om en ny vurdering",
        "Send da en ny søknad med de nye opplysningene",
        f"vis til løpenummer {case.lopenummer}",
        "Du kan også sende en ny søknad",
        # Whom to contact: the director who decided, by name, in the applicant's trust.
        "kontakt Lars Haugen, fagdirektøren i Helse Bergen",
        "Fattet 24. januar 2026 kl. 11:00 av Lars Haugen.",
    ):
        assert expected in text, (expected, text)


async def test_the_leader_reads_the_refusal_without_the_applicants_next_steps(
    decided: tuple[FastAPI, dict[str, Case]],
) -> None:
    app, cases = decided
    case = cases["avslatt"]
    text = await case_page(app, case, "hbe-leder")
    assert "Hva avslaget betyr" in text and "Vurdert etter prioriteringskriteriene." in text
    assert "Hva du kan gjøre nå" not in text and "Gi pasienten beskjed" not in text
    assert (
        "Søkeren kan be om en ny vurdering med nye opplysninger eller sende en ny søknad, "
        f"med henvisning til løpenummer {case.lopenummer}."
    ) in text
    assert "resept" not in text.lower()


async def test_a_grant_keeps_the_prescription_remark(decided: tuple[FastAPI, dict[str, Case]]) -> None:
    app, cases = decided
    case = cases["innvilget"]
    text = await case_page(app, case)
    assert "Vedtak: Innvilget" in text
    assert f"Husk å skrive løpenummer {case.lopenummer} på resepten." in text
    assert "Hva avslaget betyr" not in text and "ny vurdering" not in text
