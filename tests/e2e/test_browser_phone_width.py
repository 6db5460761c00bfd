"""On a phone (390 px wide) no page scrolls sideways: «Mine søknader», a draft with long words, the
register and one of its cases, the leader's inbox, and a case page of the committee and of the medical
director. Wide tables scroll inside their own labelled box instead of widening the page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, ViewportSize, expect

from tests.support.browser import browser, screenshot_path, scripts_ready
from tests.support.embedded_server import EmbeddedServer, embedded_server

__all__ = ["browser"]

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}
WAIT = 10_000
LONG_WORD = "Trastuzumabderukstekan-biosimilarpreparatsammenligningsstudie" * 2

# How wide the page is, and the outermost elements that stick out (for a readable failure).
MEASURE = """() => {
  const width = window.innerWidth;
  const sticksOut = (el) => el.getBoundingClientRect().right > width + 0.5;
  const clipped = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(p).overflowX)) { return true; }
    }
    return false;
  };
  const classes = (el) => typeof el.className === "string" ? el.className.trim().split(/\\s+/) : [];
  const name = (el) => [el.tagName.toLowerCase() + (el.id ? "#" + el.id : ""), ...classes(el)]
    .filter(Boolean).join(".");
  const wide = [...document.body.querySelectorAll("*")]
    .filter((el) => sticksOut(el) && !clipped(el) && !(el.parentElement && sticksOut(el.parentElement)))
    .map((el) => name(el) + " → " + Math.round(el.getBoundingClientRect().right));
  return { scrollWidth: document.documentElement.scrollWidth, width, wide: wide.slice(0, 8) };
}"""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    with embedded_server(tmp_path / "data", seed=True) as s:
        yield s


async def phone(browser: Browser, server: EmbeddedServer, user_id: str) -> Page:
    context = await browser.new_context(viewport=PHONE, locale="nb-NO")
    page = await context.new_page()
    page.set_default_timeout(WAIT)
    await page.goto(server.url + "/")
    await page.locator(f"button[data-bruker='{user_id}']").click()
    await expect(page.get_by_role("button", name="Logg ut")).to_be_visible()
    return page


async def overflow(page: Page) -> dict[str, Any]:
    return dict(await page.evaluate(MEASURE))


async def check(page: Page, name: str, failures: list[str]) -> None:
    await page.screenshot(path=screenshot_path(f"mobil-{name}"), full_page=True)
    measured = await overflow(page)
    if measured["scrollWidth"] > measured["width"]:
        failures.append(
            f"{name}: {measured['scrollWidth'] - measured['width']} px too wide; {measured['wide']}"
        )


async def test_no_page_scrolls_sideways_on_a_phone(browser: Browser, server: EmbeddedServer) -> None:
    failures: list[str] = []

    soker = await phone(browser, server, "hbe-soker")
    await expect(soker.get_by_role("heading", name="Mine søknader")).to_be_visible()
    await soker.get_by_label("Ordning").select_option("off_label")
    await soker.get_by_role("button", name="Start ny søknad").click()
    await expect(soker.locator("#lagret-status")).to_contain_text("Versjon 1")
    await scripts_ready(soker)
    await soker.get_by_label("Legemiddelnavn", exact=True).fill(LONG_WORD)
    await soker.keyboard.press("Escape")
    await soker.get_by_label("Virkestoff", exact=True).fill("rituksimab")
    await soker.get_by_label("ATC-kode", exact=True).fill("L01FA01")
    await soker.get_by_label("ICD-10-kode", exact=True).fill("G36.0")
    await soker.keyboard.press("Escape")
    await soker.get_by_label("Diagnosetekst", exact=True).fill(LONG_WORD)
    await soker.keyboard.press("Escape")
    await soker.get_by_label("Pasientens navn", exact=True).fill("Syntetisk Testpasient")
    await expect(soker.locator("#lagret-status")).to_contain_text(re.compile(r"Lagret \d\d:\d\d"))
    await soker.reload()
    # Earlier decisions for this drug and indication (the seeded grant), with the national table.
    await expect(soker.locator("#presedens table.presedens-tabell")).to_be_visible()
    await check(soker, "utkast", failures)
    await soker.get_by_role("link", name="← Mine søknader").click()
    await expect(soker.get_by_role("heading", name="Mine søknader")).to_be_visible()
    # The draft is told apart from the others by its drug, indication, patient (initials and age only)
    # and when it was saved.
    card = soker.get_by_role("listitem").filter(has_text=LONG_WORD[:40])
    await expect(card).to_contain_text("Pasient S.T.", use_inner_text=True)
    await expect(card).to_contain_text(re.compile(r"Indikasjon\s+G36\.0\s"), use_inner_text=True)
    await expect(card).to_contain_text(re.compile(r"Lagret \d{1,2}\. [a-z]+\.? kl\. \d\d\.\d\d"))
    await expect(card).not_to_contain_text("Syntetisk")
    await check(soker, "mine-soknader", failures)

    leder = await phone(browser, server, "hbe-leder")
    await expect(leder.get_by_role("heading", name="Søknader til forankring")).to_be_visible()
    await check(leder, "forankring", failures)
    await leder.goto(server.url + "/soknad/register")
    await expect(leder.get_by_role("heading", name="Register over søknader")).to_be_visible()
    await check(leder, "register-leder", failures)

    direktor = await phone(browser, server, "hbe-fagdirektor")
    await direktor.goto(server.url + "/soknad/register")
    await expect(direktor.get_by_role("heading", name="Register over søknader")).to_be_visible()
    await expect(direktor.locator("table.register")).to_be_visible()
    await check(direktor, "register", failures)
    await direktor.locator("table.register a[href*='/register/']").first.click()
    await expect(direktor.locator("h1")).to_contain_text(re.compile(r"HBE-\d{4}-\d{6}"))
    await check(direktor, "register-sak", failures)
    # The lists and one case page each of beslutning and vurdering (the seeded cases went through both).
    await direktor.goto(server.url + "/beslutning/")
    await check(direktor, "beslutning-saker", failures)
    await direktor.locator("main table a").first.click()
    await expect(direktor.locator("h1")).to_contain_text(re.compile(r"HBE-\d{4}-\d{6}"))
    await check(direktor, "beslutning-sak", failures)

    komite = await phone(browser, server, "hbe-komite")
    await komite.goto(server.url + "/vurdering/")
    await check(komite, "vurdering-saker", failures)
    await komite.locator("main table a").first.click()
    await expect(komite.locator("h1")).to_contain_text(re.compile(r"HBE-\d{4}-\d{6}"))
    await check(komite, "vurdering-sak", failures)

    assert failures == []
