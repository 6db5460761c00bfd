"""The national overview in a real browser (Debian's chromium): a komité member of one trust searches all
trusts' cases by period, opens the variation of one combination and the flagged list, reads the
statistics; the public page works without login and axe-core finds no accessibility violation on it.
Screenshots go to test-output/screenshots."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import uvicorn
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, expect

from oversikt.app import create_app
from oversikt.settings import OversiktSettings
from shared.events.contracts import SakSammendrag, SakSammendragV2
from shared.events.envelope import Envelope
from shared.platform.bus.memory import MemoryBus
from shared.platform.web.app import standalone
from tests.support.browser import browser, screenshot_path
from tests.support.embedded_server import free_port
from tests.support.register_cases import SettableClock

__all__ = ["browser"]

pytestmark = pytest.mark.browser

RHF = {"HBE": "HV", "OUS": "HSO", "UNN": "HN", "STOLAV": "HMN"}


ETTER_2026 = datetime(2027, 3, 2, 12, tzinfo=UTC)


def summary(hf: str, n: int, **overrides: Any) -> SakSammendrag:
    values: dict[str, Any] = {
        "lopenummer": f"{hf}-2026-{n:06d}",
        "hf": hf,
        "rhf": RHF[hf],
        "sekvens": 1,
        "type": "enkeltpasient",
        "kategori": "off_label",
        "legemiddel_navn": "MabThera",
        "virkestoff": "rituksimab",
        "atc": "L01FA01",
        "icd10_kode": "G35",
        "icd10_tekst": "Multippel sklerose",
        "status": "vedtatt",
        "utfall": "innvilget",
        "vurderingsflyt": "komplett",
        "sendt_maned": f"2026-{1 + n % 6:02d}",
        "vedtak_maned": f"2026-{2 + n % 6:02d}",
        "behandlingstid_dager": 10 + n % 30,
        "aldersgruppe": "30-49",
        "kjonn": "kvinne" if n % 2 else "mann",
        "kostnadsband": "100-500k",
        **overrides,
    }
    return SakSammendragV2(**values) if "effekt" in overrides else SakSammendrag(**values)


def cases() -> list[SakSammendrag]:
    out: list[SakSammendrag] = []
    for hf, refuse in (("HBE", 2), ("OUS", 3), ("UNN", 18), ("STOLAV", 4)):
        for n in range(1, 25):
            out.append(summary(hf, n, utfall="avslatt" if n <= refuse else "innvilget"))
    for n in range(30, 36):
        out.append(
            summary(
                "OUS",
                n,
                virkestoff="tocilizumab",
                legemiddel_navn="RoActemra",
                atc="L04AC07",
                icd10_kode="M31.4",
                icd10_tekst="Takayasus arteritt",
                effekt="god",
                fortsetter=True,
            )
        )
    out.append(
        summary("HBE", 99, icd10_kode="D76.1", icd10_tekst="HLH", aldersgruppe="0-5", sendt_maned="2025-11")
    )
    return out


@pytest_asyncio.fixture
async def server(tmp_path: Path) -> AsyncIterator[str]:
    bus = MemoryBus()
    await bus.connect()
    # March 2027: the public page publishes a year once it is over, from 1 March the year after.
    app = standalone(
        create_app(
            OversiktSettings(data_dir=tmp_path, log_json=False), bus=bus, clock=SettableClock(ETTER_2026)
        ),
        "oversikt",
    )
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(srv.serve())
    try:
        while not srv.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.05)
        for event in cases():
            env = Envelope(
                source=f"/hf/{event.hf}/integrasjon",
                type=event.TYPE,
                subject=event.lopenummer,
                hf=event.hf,
                correlationid="browser",
                data=event.model_dump(mode="json"),
            )
            await bus.publish(
                env,
                exchange="nasjonal.sammendrag",
                routing_key=f"{event.hf}.{event.TYPE}",
                user_id=f"integrasjon-{event.hf.lower()}",
            )
        await bus.drain()
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await bus.close()


async def login(browser: Browser, url: str, user: str, *, width: int = 1280) -> Page:
    context = await browser.new_context(locale="nb-NO", viewport={"width": width, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(15_000)
    await page.goto(url + "/")
    await page.locator(f"button[data-bruker='{user}']").click()
    await page.goto(url + "/oversikt/")
    return page


async def test_a_committee_member_searches_compares_and_reads_the_flags(
    browser: Browser, server: str
) -> None:
    page = await login(browser, server, "ous-komite")
    await expect(page.get_by_role("heading", name="Nasjonal oversikt", level=1)).to_be_visible()

    # Search by period: the filters go into the address, and every row names its trust.
    await page.get_by_label("Fra måned").fill("2026-02")
    await page.get_by_label("Til og med måned").fill("2026-02")
    await page.get_by_label("Region (RHF)").select_option("HN")
    await page.get_by_role("button", name="Søk", exact=True).click()
    await expect(page).to_have_url(re.compile(r"fra=2026-02.*rhf=HN|rhf=HN.*fra=2026-02"))
    rows = page.locator("table tbody tr")
    await expect(rows.first).to_contain_text("UNN-2026-")
    await expect(rows.first).to_contain_text("Universitetssykehuset Nord-Norge")
    await page.screenshot(path=screenshot_path("oversikt-sok"), full_page=True)

    # A bad month is a Norwegian message that leads to the field.
    await page.get_by_label("Fra måned").fill("2026-13")
    await page.get_by_role("button", name="Søk", exact=True).click()
    await expect(page.get_by_role("alert")).to_contain_text("ÅÅÅÅ-MM")
    await page.get_by_role("alert").get_by_role("link").first.click()
    await expect(page.get_by_label("Fra måned")).to_be_focused()

    # Variation of rituximab for MS: UNN refuses what the others grant.
    await (
        page.get_by_role("navigation", name="Nasjonal oversikt").get_by_role("link", name="Variasjon").click()
    )
    await page.get_by_label("Virkestoff").fill("rituksimab")
    await page.get_by_label("Diagnosekode (ICD-10)").fill("G35")
    await page.get_by_role("button", name="Vis variasjon").click()
    await expect(page.get_by_role("status").filter(has_text="Ulik praksis")).to_contain_text("Ulik praksis")
    await expect(page.locator("figure svg title").first).to_have_text("Andel innvilget per helseforetak")
    unn = page.locator("#tabell-variasjon-hf tr", has_text="Universitetssykehuset Nord-Norge")
    await expect(unn).to_contain_text("Avviker")
    await page.screenshot(path=screenshot_path("oversikt-variasjon"), full_page=True)

    # The flagged list: the disagreement and the repeated single-patient applications.
    await (
        page.get_by_role("navigation", name="Nasjonal oversikt").get_by_role("link", name="Flaggede").click()
    )
    await expect(page.locator("#tabell-ulik-praksis")).to_contain_text("rituksimab – G35")
    await expect(page.locator("#tabell-gjentatte")).to_contain_text("Mangler")
    await page.screenshot(path=screenshot_path("oversikt-flagg"), full_page=True)

    # Statistics: charts with their numbers as tables.
    await (
        page.get_by_role("navigation", name="Nasjonal oversikt")
        .get_by_role("link", name="Statistikk", exact=True)
        .click()
    )
    await expect(page.get_by_role("heading", name="Nasjonal statistikk", level=1)).to_be_visible()
    await expect(page.locator("#tabell-helseforetak")).to_contain_text("Helse Nord")
    assert await page.locator("figure.diagram svg[role=img]").count() == 3
    await page.screenshot(path=screenshot_path("oversikt-statistikk"), full_page=True)


async def test_the_public_page_without_login_has_no_accessibility_violations(
    browser: Browser, server: str
) -> None:
    context = await browser.new_context(locale="nb-NO", viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(15_000)
    await page.goto(server + "/oversikt/offentlig")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("2026")
    await expect(page.get_by_role("link", name="Norsk lisens for offentlige data (NLOD) 2.0")).to_be_visible()
    # The lone 2025 case is its own year: every figure of it is below 3 and hidden.
    await page.get_by_label("Vis tall for").select_option("2025")
    await page.get_by_role("button", name="Vis").click()
    await expect(page.locator("#tabell-maned_kategori tbody")).to_contain_text("skjult")
    await page.get_by_label("Vis tall for").select_option("2026")
    await page.get_by_role("button", name="Vis").click()
    await page.screenshot(path=screenshot_path("oversikt-offentlig"), full_page=True)
    results = await Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    phone = await browser.new_context(locale="nb-NO", viewport={"width": 375, "height": 800})
    small = await phone.new_page()
    await small.goto(server + "/oversikt/offentlig")
    too_wide = await small.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    await small.screenshot(path=screenshot_path("oversikt-offentlig-telefon"), full_page=True)
    assert not too_wide
    results = await Axe().run(small)
    assert results.violations_count == 0, results.generate_report()
