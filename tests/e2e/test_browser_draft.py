"""In a real browser: the demo søker writes a draft, reloads, the text is still there; sends it;
the leader sees it waiting for anchoring."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.support.browser import browser, screenshot_path
from tests.support.embedded_server import EmbeddedServer, embedded_server

__all__ = ["browser"]

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    with embedded_server(tmp_path / "data") as s:
        yield s


async def login(page: Page, server: EmbeddedServer, user_id: str) -> None:
    await page.goto(server.url + "/")
    await page.locator(f"button[data-bruker='{user_id}']").click()


async def test_draft_survives_reload_and_reaches_the_leader(browser: Browser, server: EmbeddedServer) -> None:
    page = await browser.new_page()
    await login(page, server, "hbe-soker")
    await expect(page.get_by_role("heading", name="Mine søknader")).to_be_visible()
    await page.get_by_label("Ordning").select_option("off_label")
    await page.get_by_role("button", name="Start ny søknad").click()

    await page.get_by_label("Fødselsnummer eller D-nummer").fill("15838500002")
    await page.get_by_label("Pasientens navn").fill("Test Testesen")
    await page.get_by_label("Legemiddel (navn, form og styrke)").fill("MabThera inf kons 10 mg/ml")
    await page.get_by_label("Virkestoff").fill("rituksimab")
    await page.get_by_label("ATC-kode").fill("L01FA01")
    await page.get_by_label("ICD-10-kode").fill("G36.0")
    await page.get_by_label("Diagnose").fill("Neuromyelitis optica")
    justification = "Manglende effekt av azatioprin over 12 måneder; to attakker siste år."
    await page.get_by_label("Klinisk begrunnelse").fill(justification)
    await expect(page.locator("#lagret-status")).to_contain_text("Lagret", timeout=10_000)
    await page.screenshot(path=screenshot_path("soker-utkast"), full_page=True)

    await page.reload()
    await expect(page.get_by_label("Klinisk begrunnelse")).to_have_value(justification)
    await expect(page.get_by_label("ICD-10-kode")).to_have_value("G36.0")

    await page.get_by_role("button", name="Send til forankring").click()
    await expect(page.get_by_role("status").filter(has_text="sendt til forankring")).to_be_visible()
    lopenummer = (await page.get_by_role("heading", level=1).inner_text()).split()[1]
    assert lopenummer.startswith("HBE-")
    await page.get_by_role("button", name="Logg ut").click()

    await login(page, server, "hbe-leder")
    await expect(page.get_by_role("heading", name="Søknader til forankring")).to_be_visible()
    await expect(page.get_by_role("link", name=lopenummer)).to_be_visible()
    await page.screenshot(path=screenshot_path("leder-forankring"), full_page=True)


async def test_invalid_fodselsnummer_shows_a_norwegian_message_next_to_the_field(
    browser: Browser, server: EmbeddedServer
) -> None:
    page = await browser.new_page()
    await login(page, server, "hbe-soker")
    await page.get_by_role("button", name="Start ny søknad").click()
    await page.get_by_label("Klinisk begrunnelse").fill("Denne teksten skal lagres likevel.")
    await page.get_by_label("Fødselsnummer eller D-nummer").fill("15838500003")
    await expect(page.locator("[data-feil-for='innhold.pasient_fodselsnummer']")).to_have_text(
        "Kontrollsifrene stemmer ikke.", timeout=10_000
    )
    await expect(page.locator("#lagret-status")).to_contain_text("Lagret", timeout=10_000)
    await page.reload()
    await expect(page.get_by_label("Klinisk begrunnelse")).to_have_value("Denne teksten skal lagres likevel.")
