"""In a real browser: the demo søker writes a draft guided by the section menu, reloads, the text is still
there; the summary lists what is missing and links straight to it; the søker sends it; the leader sees it
waiting for anchoring. Two co-authors saving at once see both versions, and nothing is lost."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.support.browser import browser, screenshot_path, scripts_ready
from tests.support.embedded_server import EmbeddedServer, embedded_server

__all__ = ["browser"]

pytestmark = pytest.mark.browser

LAGRET = re.compile(r"Lagret \d\d:\d\d")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    with embedded_server(tmp_path / "data") as s:
        yield s


async def login(page: Page, server: EmbeddedServer, user_id: str) -> None:
    await page.goto(server.url + "/")
    await page.locator(f"button[data-bruker='{user_id}']").click()


async def new_application(page: Page, kategori: str = "off_label") -> str:
    await expect(page.get_by_role("heading", name="Mine søknader")).to_be_visible()
    await page.get_by_label("Ordning").select_option(kategori)
    await page.get_by_role("button", name="Start ny søknad").click()
    await expect(page.locator("#lagret-status")).to_contain_text("Versjon 1")
    await scripts_ready(page)
    return page.url


async def version(page: Page) -> str:
    return await page.locator("input[name=versjon]").input_value()


async def saved_after(page: Page, before: str) -> None:
    """Wait until autosave has stored a version newer than `before`."""
    await expect(page.locator("input[name=versjon]")).not_to_have_value(before, timeout=10_000)
    await expect(page.locator("#lagret-status")).to_contain_text(LAGRET, timeout=10_000)


async def choose(page: Page, question: str, value: str) -> None:
    option = page.locator(f"[name='innhold.{question}'][value='{value}']")
    # The form shows and hides conditional questions as answers are saved, so a click at screen
    # coordinates can land on a neighbour while the layout moves; click the element itself.
    await option.dispatch_event("click")
    await expect(option).to_be_checked()


async def fill_off_label_single_patient(page: Page) -> None:
    """Every required answer of an off-label application for one patient, typed as a person would."""
    await page.get_by_label("Fødselsnummer eller D-nummer", exact=True).fill("15838500002")
    await expect(page.locator("[data-avledet-for='pasient_fodselsnummer']")).to_contain_text("år, kvinne")
    await page.get_by_label("Pasientens navn", exact=True).fill("Test Testesen")
    await page.get_by_label("ICD-10-kode", exact=True).fill("G36.0")
    await page.get_by_label("Diagnosetekst", exact=True).fill("Neuromyelitis optica")
    await page.keyboard.press("Escape")
    await choose(page, "alvorlighetsgrad", "alvorlig")
    await page.get_by_label("Beskriv alvorligheten", exact=True).fill("To attakker siste år med synstap.")
    await page.get_by_label("Legemiddelnavn", exact=True).fill("MabThera inf kons 10 mg/ml")
    await page.keyboard.press("Escape")
    await page.get_by_label("Virkestoff", exact=True).fill("rituksimab")
    await page.get_by_label("ATC-kode", exact=True).fill("L01FA01")
    await page.get_by_label("Dose", exact=True).fill("1000 mg")
    await page.get_by_label("Administrasjonsvei", exact=True).select_option("intravenos")
    await page.get_by_label("Doseringsintervall", exact=True).fill("Dag 1 og 15, deretter hver 6. måned")
    await page.get_by_label("Planlagt behandlingsvarighet", exact=True).fill("18 måneder")
    await page.get_by_label("Godkjent bruk", exact=True).fill("Lymfom, KLL, revmatoid artritt og vaskulitt.")
    await page.get_by_label("Tiltenkt bruk, og hvordan den skiller seg fra godkjent bruk", exact=True).fill(
        "NMOSD."
    )
    await page.get_by_label("Tidligere behandling", exact=True).fill("Azatioprin i 12 måneder.")
    await page.get_by_label("Hvorfor virket den ikke, eller hvorfor kan den ikke brukes?", exact=True).fill(
        "Attakker."
    )
    await choose(page, "klinisk_studie", "nei")
    await page.get_by_label("Dokumentasjon for effekt", exact=True).fill(
        "Observasjonsstudier og retningslinjer."
    )
    await choose(page, "dokumentasjon_niva", "observasjonsstudier")
    await page.get_by_label("Forventet effekt", exact=True).fill("Færre attakker.")
    await page.get_by_label("Anslått kostnad per år", exact=True).fill("180 000")
    await page.get_by_label("Hvordan er kostnaden beregnet?", exact=True).fill("2 × 1000 mg hver 6. måned.")
    await page.get_by_label("Hvordan skal effekten evalueres?", exact=True).fill("Attakkfrekvens og MR.")
    await page.get_by_label("Når evalueres behandlingen?", exact=True).fill("Etter 12 måneder")
    await page.get_by_label("Stoppkriterier", exact=True).fill("Nytt attakk.")
    await page.get_by_label("Oppfølging av bivirkninger", exact=True).fill("Blodprøver før hver kur.")
    await choose(page, "register_registrering", "nei")
    await choose(page, "pasient_informert", "ja")
    await choose(page, "skriftlig_samtykke", "nei")


async def test_draft_survives_reload_and_reaches_the_leader(browser: Browser, server: EmbeddedServer) -> None:
    page = await browser.new_page()
    await login(page, server, "hbe-soker")
    await new_application(page)
    menu = page.get_by_role("navigation", name="Deler av søknaden")
    await expect(menu.get_by_role("link", name=re.compile("^Pasient.*Ikke påbegynt"))).to_be_visible()

    await fill_off_label_single_patient(page)
    justification = "Manglende effekt av azatioprin over 12 måneder; to attakker siste år."
    await page.get_by_label("Samlet klinisk begrunnelse").fill(justification)
    await expect(page.locator("#lagret-status")).to_contain_text(LAGRET, timeout=10_000)
    # The section menu follows the autosave: every section is complete, marked in words, not colour only.
    await expect(menu.get_by_role("link", name=re.compile("^Samlet begrunnelse.*Fullført"))).to_be_visible(
        timeout=10_000
    )
    await expect(menu.get_by_role("link", name=re.compile("Mangler svar"))).to_have_count(0)
    # A follow-up question appears when the answer asks for it, without a reload.
    await choose(page, "register_registrering", "ja")
    await expect(page.get_by_label("Hvilket register?")).to_be_visible(timeout=10_000)
    before = await version(page)
    await page.get_by_label("Hvilket register?").fill("Norsk MS-register og biobank")
    await saved_after(page, before)
    await page.screenshot(path=screenshot_path("soker-utkast"), full_page=True)

    await page.reload()
    await expect(page.get_by_label("Samlet klinisk begrunnelse")).to_have_value(justification)
    await expect(page.get_by_label("ICD-10-kode")).to_have_value("G36.0")
    await expect(page.get_by_label("Hvilket register?")).to_have_value("Norsk MS-register og biobank")
    await expect(page.locator("[data-avledet-for='pasient_fodselsnummer']")).to_contain_text("år, kvinne")

    await page.get_by_role("button", name="Send til forankring").click()
    await expect(page.get_by_role("status").filter(has_text="sendt til forankring")).to_be_visible()
    lopenummer = (await page.get_by_role("heading", level=1).inner_text()).split()[1]
    assert lopenummer.startswith("HBE-")
    await page.get_by_role("button", name="Logg ut").click()

    await login(page, server, "hbe-leder")
    await expect(page.get_by_role("heading", name="Søknader til forankring")).to_be_visible()
    await expect(page.get_by_role("link", name=lopenummer)).to_be_visible()
    await page.screenshot(path=screenshot_path("leder-forankring"), full_page=True)


async def test_the_summary_lists_what_is_missing_and_links_to_the_field(
    browser: Browser, server: EmbeddedServer
) -> None:
    page = await browser.new_page()
    await login(page, server, "hbe-soker")
    await new_application(page, "off_label")
    exceptional = page.get_by_label("Hvorfor er pasienten klinisk eksepsjonell?")
    await expect(exceptional).to_be_hidden()
    await page.get_by_label("Pasientens navn").fill("Test Testesen")
    await saved_after(page, "1")
    # Another scheme asks other questions: the page follows without a reload.
    before = await version(page)
    await page.get_by_label("Ordning", exact=True).select_option("unntaksordningen")
    await saved_after(page, before)
    await expect(exceptional).to_be_visible()
    rules = page.locator("#felt-kategori-regler")
    await expect(rules.get_by_role("link", name=re.compile("^Unntaksordningen"))).to_be_visible()
    await expect(rules.get_by_role("link", name=re.compile("^Rammeverk"))).to_be_hidden()
    await page.get_by_role("button", name="Send til forankring").click()

    await expect(page.get_by_role("heading", name="Oppsummering før sending")).to_be_visible()
    missing = page.locator("#mangler")
    await expect(missing).to_contain_text("Hvorfor er pasienten klinisk eksepsjonell?")
    await expect(missing).to_contain_text("Har pasienten gitt skriftlig samtykke?")
    await page.screenshot(path=screenshot_path("soker-oppsummering"), full_page=True)
    await missing.get_by_role("link", name=re.compile("^Hvorfor er pasienten klinisk eksepsjonell")).click()
    field = page.get_by_label("Hvorfor er pasienten klinisk eksepsjonell?")
    await expect(field).to_be_visible()
    await expect(field).to_be_in_viewport()


async def test_invalid_fodselsnummer_shows_a_norwegian_message_next_to_the_field(
    browser: Browser, server: EmbeddedServer
) -> None:
    page = await browser.new_page()
    await login(page, server, "hbe-soker")
    await new_application(page)
    await page.get_by_label("Samlet klinisk begrunnelse").fill("Denne teksten skal lagres likevel.")
    await page.get_by_label("Fødselsnummer eller D-nummer").fill("15838500003")
    await expect(page.locator("[data-feil-for='innhold.pasient_fodselsnummer']")).to_have_text(
        "Kontrollsifrene stemmer ikke.", timeout=10_000
    )
    await expect(page.locator("#lagret-status")).to_contain_text(LAGRET, timeout=10_000)
    await page.reload()
    await expect(page.get_by_label("Samlet klinisk begrunnelse")).to_have_value(
        "Denne teksten skal lagres likevel."
    )


async def test_two_co_authors_saving_at_once_see_both_versions(
    browser: Browser, server: EmbeddedServer
) -> None:
    kari = await browser.new_page()
    await login(kari, server, "hbe-soker")
    url = await new_application(kari)
    await kari.get_by_label("Søk etter en lege i helseforetaket").fill("mona")
    await kari.get_by_role("button", name="Søk", exact=True).click()
    await kari.get_by_role("button", name="Inviter Mona Ruud").click()
    await expect(kari.get_by_role("status").filter(has_text="Medforfatteren er lagt til")).to_be_visible()

    mona_context = await browser.new_context()
    mona = await mona_context.new_page()
    await login(mona, server, "hbe-soker2")
    await mona.goto(url)
    before = await version(mona)
    await mona.get_by_label("Samlet klinisk begrunnelse").fill("Monas begrunnelse.")
    await saved_after(mona, before)

    # Kari's page is one version behind: her save meets Mona's.
    await kari.get_by_label("Samlet klinisk begrunnelse").fill("Karis begrunnelse.")
    panel = kari.locator("#konflikt-panel")
    await expect(panel).to_be_visible(timeout=10_000)
    await expect(panel).to_contain_text("Din tekst")
    await expect(panel).to_contain_text("Karis begrunnelse.")
    await expect(panel).to_contain_text(re.compile(r"Lagret av Mona Ruud kl\. \d\d:\d\d"))
    await expect(panel).to_contain_text("Monas begrunnelse.")
    await expect(kari.get_by_role("textbox", name="Samlet klinisk begrunnelse")).to_have_value(
        "Karis begrunnelse."
    )
    await kari.screenshot(path=screenshot_path("soker-konflikt"), full_page=True)

    before = await version(kari)
    await panel.get_by_role("button", name=re.compile("^Behold min tekst")).click()
    await expect(panel).to_be_hidden()
    await saved_after(kari, before)
    await mona.reload()
    await expect(mona.get_by_label("Samlet klinisk begrunnelse")).to_have_value("Karis begrunnelse.")
    await mona_context.close()
