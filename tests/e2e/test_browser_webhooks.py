"""The admin's webhook pages in a browser on a phone: register an endpoint with the plain form,
see its secret once, the list and the delivery log; no page scrolls sideways, and axe finds
no WCAG 2.1 A/AA violation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, ViewportSize, expect

from tests.support.browser import browser, screenshot_path
from tests.support.embedded_server import EmbeddedServer, embedded_server

__all__ = ["browser"]

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}
LONG_URL = "https://apotek-integrasjon.sykehusapoteket.example/api/v2/mottak/vedtak/" + "x" * 60
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    with embedded_server(tmp_path / "data") as s:
        yield s


async def check(page: Page, name: str, failures: list[str]) -> None:
    await page.screenshot(path=screenshot_path(f"webhooks-{name}"), full_page=True)
    widths: dict[str, Any] = await page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, width: window.innerWidth})"
    )
    if widths["scroll"] > widths["width"]:
        failures.append(f"{name}: {widths['scroll'] - widths['width']} px too wide")
    results = await Axe().run(page, options=WCAG)
    if results.violations_count:
        failures.append(f"{name}: {results.generate_report()}")


async def test_webhook_pages_on_a_phone(browser: Browser, server: EmbeddedServer) -> None:
    context = await browser.new_context(viewport=PHONE, locale="nb-NO")
    page = await context.new_page()
    page.set_default_timeout(10_000)
    await page.goto(server.url + "/")
    await page.locator("button[data-bruker='hbe-admin']").click()
    await expect(page.get_by_role("button", name="Logg ut")).to_be_visible()
    failures: list[str] = []

    await page.goto(server.url + "/integrasjon/webhooks")
    await expect(page.get_by_role("heading", name="Webhooks for eksterne systemer")).to_be_visible()
    await page.get_by_label("Navn på systemet").fill("Sykehusapotekets system")
    await page.get_by_label("Adresse").fill("ikke en adresse")
    await page.get_by_role("button", name="Registrer").click()
    await expect(page.get_by_role("alert")).to_contain_text("fullstendig http- eller https-adresse")
    await check(page, "feil", failures)

    # FHIR names the patient: refused without the identity, with the reason beside the choice.
    await page.get_by_label("Adresse").fill(LONG_URL)
    await page.get_by_label("FHIR (ClaimResponse)").check()
    await page.get_by_role("button", name="Registrer").click()
    await expect(page.get_by_role("alert")).to_contain_text("FHIR kan bare velges")
    await expect(page.locator("#feil-format")).to_contain_text("navngir pasienten")
    await expect(page.get_by_label("FHIR (ClaimResponse)")).to_be_checked()
    await check(page, "fhir-feil", failures)

    await page.locator("#felt-identitet").get_by_label("Ja").check()
    await page.get_by_role("button", name="Registrer").click()
    await expect(page.get_by_role("heading", name="Sykehusapotekets system er registrert")).to_be_visible()
    await expect(page.locator("main")).to_contain_text("whsec_")
    await check(page, "hemmelighet", failures)

    await page.get_by_role("link", name="Gå til leveringsloggen").click()
    await expect(
        page.get_by_role("heading", name="Leveringslogg for Sykehusapotekets system")
    ).to_be_visible()
    await expect(page.locator("main dl")).to_contain_text("FHIR (ClaimResponse)")
    await check(page, "logg", failures)
    await page.get_by_role("link", name="← Webhooks").click()
    await expect(page.get_by_role("link", name="Sykehusapotekets system")).to_be_visible()
    await expect(page.locator("main table")).to_contain_text("FHIR (ClaimResponse)")
    await expect(page.locator("main")).not_to_contain_text("whsec_")
    await check(page, "liste", failures)
    await context.close()
    assert failures == []
