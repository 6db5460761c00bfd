"""The privacy officer in a real browser on the embedded default with its demo data: logs in, types a
patient's number into the form, reads the access log across the services, and downloads it as CSV; the
number is never in an address the browser visits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.async_api import Browser, Request, expect

from shared.domain.identifiers import synthetic_fodselsnummer
from tests.support.browser import browser, screenshot_path
from tests.support.embedded_server import EmbeddedServer, embedded_server

__all__ = ["browser"]

pytestmark = pytest.mark.browser

# The first demo case of Helse Bergen (services/embedded/seed.py): sent, recommended and decided.
FNR = synthetic_fodselsnummer(date(1979, 4, 12), sex="kvinne", serial=0)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    with embedded_server(tmp_path / "data", seed=True) as s:
        yield s


async def test_the_privacy_officer_reads_and_downloads_a_patients_access_log(
    browser: Browser, server: EmbeddedServer, tmp_path: Path
) -> None:
    context = await browser.new_context(locale="nb-NO", accept_downloads=True)
    page = await context.new_page()
    page.set_default_timeout(10_000)
    visited: list[str] = []

    def remember(request: Request) -> None:
        visited.append(request.url)

    page.on("request", remember)
    await page.goto(server.url + "/")
    await page.locator("button[data-bruker='hbe-personvern']").click()
    await expect(page.get_by_role("heading", name="Tilgangslogg", level=1)).to_be_visible()
    await expect(
        page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Tilgangslogg")
    ).to_be_visible()

    await page.get_by_label("Fødselsnummer eller D-nummer").fill(f"{FNR[:6]} {FNR[6:]}")
    await page.get_by_role("button", name="Vis pasientens tilgangslogg").click()
    await expect(page.get_by_role("heading", name="Pasientens tilgangslogg")).to_be_visible()
    table = page.get_by_role("table")
    for text in ("Opprettet søknaden", "Forankret søknaden", "Ga anbefaling", "Fattet vedtak"):
        await expect(table.get_by_text(text).first).to_be_visible()
    decided = table.get_by_role("row").filter(has_text="Fattet vedtak")
    await expect(decided).to_contain_text("Lars Haugen")
    await expect(decided).to_contain_text("Fagdirektør")
    await expect(decided).to_contain_text("Beslutning")
    await page.screenshot(path=screenshot_path("personvern-tilgangslogg"), full_page=True)

    async with page.expect_download() as download_info:
        await page.get_by_role("button", name="Last ned som CSV").click()
    download = await download_info.value
    assert download.suggested_filename == "tilgangslogg.csv"
    saved = tmp_path / "tilgangslogg.csv"
    await download.save_as(saved)
    text = saved.read_text(encoding="utf-8-sig")
    assert text.startswith("Tidspunkt;Løpenummer;Tjeneste;Navn;Rolle")
    assert "Fattet vedtak" in text and "Lars Haugen" in text
    assert FNR not in text

    assert visited and not any(FNR in url or FNR[:6] in url for url in visited)
    assert FNR not in server.log.read_text()
    await context.close()
