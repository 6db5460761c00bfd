"""The whole way of one `unntaksordningen` application in a real browser, on the embedded default run as a
real process: the søker writes it with live look-ups and a co-author, the server is SIGKILLed mid-typing
and restarted on the same data (nothing typed before the last «Lagret» is lost; the page shows a visible,
retried error while the server is down, and the retry saves the rest), the søker sends it through the
summary, the leader returns it with a comment, the søker sees it in the notifications, fixes it and
sends again, the leader anchors it, and the register finds it with its whole history."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Locator, Page, Route, expect

from tests.support.browser import browser, screenshot_path, scripts_ready
from tests.support.demo_personer import person, reload_until_visible
from tests.support.embedded_server import EmbeddedServer, embedded_server

__all__ = ["browser"]

pytestmark = pytest.mark.browser

LAGRET = re.compile(r"Lagret \d\d:\d\d")
WAIT = 10_000  # ms: an autosave, a look-up, or an event through the outbox and the in-process bus

BEGRUNNELSE = "Samlet klinisk begrunnelse"
KLINISK_EKSEPSJONELL = (
    "Pasienten er 15 år og har hatt total alopesi i to år med alvorlig depresjon og skolevegring; "
    "Nye metoder vurderte voksne med mindre utbredt sykdom."
)
MONAS_TILLEGG = " Tilleggsopplysning fra Mona Ruud: oppfølgingsdata fra BRAVE-AA viser vedvarende effekt."
RETUR_KOMMENTAR = (
    "Skriv dosene og varigheten av behandlingene som er forsøkt, slik at vi ser at de er prøvd godt nok."
)
RETTET_BEHANDLING = "Metotreksat 15 mg ukentlig i 6 måneder og prednisolon 0,5 mg/kg i 3 måneder."


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    with embedded_server(tmp_path / "data") as s:
        yield s


async def go(page: Page, menu_item: str) -> None:
    await page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name=menu_item).click()


def status(page: Page) -> Locator:
    return page.locator("#lagret-status")


async def version(page: Page) -> str:
    return await page.locator("input[name=versjon]").input_value()


async def saved_after(page: Page, before: str) -> None:
    """Autosave has stored a version newer than `before`."""
    await expect(page.locator("input[name=versjon]")).not_to_have_value(before, timeout=WAIT)
    await expect(status(page)).to_contain_text(LAGRET, timeout=WAIT)


async def choose(page: Page, question: str, value: str) -> None:
    option = page.locator(f"[name='innhold.{question}'][value='{value}']")
    # The form shows and hides conditional questions as answers are saved, so a click at screen
    # coordinates can land on a neighbour while the layout moves; click the element itself.
    await option.dispatch_event("click")
    await expect(option).to_be_checked()


def field(page: Page, label: str) -> Locator:
    return page.get_by_label(label, exact=True)


# --- the application ---------------------------------------------------------------------------------------
async def fill_unntaksordningen_single_patient(page: Page) -> None:
    """Every question unntaksordningen asks for one patient, as a clinician fills it in; drug and
    diagnosis chosen in the live look-ups (real HTTP requests to integrasjon's catalogue)."""
    await field(page, "Fødselsnummer eller D-nummer").fill("15838500002")
    await expect(page.locator("[data-avledet-for='pasient_fodselsnummer']")).to_contain_text(
        "år, kvinne", timeout=WAIT
    )
    await field(page, "Pasientens navn").fill("Syntetisk Testpasient")

    code = page.get_by_role("combobox", name="ICD-10-kode")
    await code.press_sequentially("L63", delay=30)
    diagnoses = page.get_by_role("listbox", name="Diagnoser i ICD-10")
    await diagnoses.get_by_role("option", name=re.compile(r"^L63\.9 ")).click()
    await expect(code).to_have_value("L63.9")
    await expect(field(page, "Diagnosetekst")).to_have_value("Uspesifisert alopecia areata")
    await expect(page.locator("[data-verifisering-for=indikasjon]")).to_have_text(
        "Valgt fra kodeverket (ICD-10)."
    )
    await choose(page, "alvorlighetsgrad", "alvorlig")
    await field(page, "Beskriv alvorligheten").fill(
        "Total alopesi (SALT 100) i to år; alvorlig depresjon og skolevegring, fulgt av BUP."
    )

    drug = page.get_by_role("combobox", name="Legemiddelnavn")
    await drug.press_sequentially("Olumi", delay=30)
    drugs = page.get_by_role("listbox", name="Legemidler i legemiddelregisteret")
    await drugs.get_by_role("option").filter(has_text=re.compile(r"^Olumiant.*\b4 mg")).first.click()
    await expect(field(page, "Virkestoff")).to_have_value("baricitinib")
    await expect(field(page, "ATC-kode")).to_have_value("L04AF02")
    await expect(field(page, "Styrke")).to_have_value("4 mg")
    await expect(page.locator("[data-verifisering-for=legemiddel]")).to_have_text(
        "Valgt fra legemiddelregisteret (FEST)."
    )
    await expect(page.get_by_role("link", name="Preparatomtale (SPC)")).to_be_visible()
    await field(page, "Dose").fill("4 mg")
    await field(page, "Administrasjonsvei").select_option("oral")
    await field(page, "Doseringsintervall").fill("1 tablett daglig")
    await field(page, "Planlagt behandlingsvarighet").fill("12 måneder, forlenges ved effekt")

    await choose(page, "markedsforingstillatelse", "ja")
    await field(page, "Godkjent bruk").fill(
        "Revmatoid artritt, atopisk eksem og alvorlig alopecia areata hos voksne."
    )
    await field(page, "Tiltenkt bruk, og hvordan den skiller seg fra godkjent bruk").fill(
        "Alvorlig alopecia areata hos en pasient som ikke omfattes av metodevurderingen."
    )
    await field(page, "Metodens ID i Nye metoder").fill("ID2022_071")

    await field(page, "Tidligere behandling").fill("Metotreksat og systemiske steroider.")
    await field(page, "Hvorfor virket den ikke, eller hvorfor kan den ikke brukes?").fill(
        "Ingen gjenvekst; steroidene ga vektøkning og søvnvansker."
    )
    await choose(page, "klinisk_studie", "nei")

    await field(page, "Dokumentasjon for effekt").fill("To randomiserte fase 3-studier (BRAVE-AA1 og -AA2).")
    await choose(page, "dokumentasjon_niva", "randomiserte")
    await field(page, "Forventet effekt").fill("Gjenvekst av hår (SALT ≤ 20) hos om lag en tredel.")
    await field(page, "Hvorfor er pasienten klinisk eksepsjonell?").fill(KLINISK_EKSEPSJONELL)

    await field(page, "Anslått kostnad per år").fill("95 000")
    await field(page, "Hvordan er kostnaden beregnet?").fill(
        "4 mg daglig i 12 måneder, sykehusapotekets pris."
    )

    await field(page, "Hvordan skal effekten evalueres?").fill(
        "SALT-skår og livskvalitet (CDLQI) hver 3. måned."
    )
    await field(page, "Når evalueres behandlingen?").fill("Etter 6 og 12 måneder")
    await field(page, "Stoppkriterier").fill(
        "Under 30 % bedring i SALT etter 6 måneder, eller alvorlig infeksjon."
    )
    await field(page, "Oppfølging av bivirkninger").fill(
        "Blodprøver og lipider før oppstart og hver 3. måned."
    )
    await choose(page, "register_registrering", "nei")

    await choose(page, "pasient_informert", "ja")
    await choose(page, "skriftlig_samtykke", "ja")
    # The date is asked only once written consent is given: it appears when the autosave answers.
    consent_date = field(page, "Dato for samtykket")
    await expect(consent_date).to_be_visible(timeout=WAIT)
    await consent_date.fill((date.today() - timedelta(days=3)).isoformat())

    await field(page, BEGRUNNELSE).fill("Alvorlig sykdom uten effekt av standardbehandling.")


async def test_an_unntaksordningen_application_from_the_first_word_to_the_register(
    browser: Browser, server: EmbeddedServer
) -> None:
    start = await browser.new_page()
    await start.goto(server.url + "/")
    await expect(start.get_by_role("heading", name="Søknadsportalen", level=1)).to_be_visible()
    await start.screenshot(path=screenshot_path("flyt-01-forside"), full_page=True)
    await start.close()

    # --- 1. Kari writes the application and invites Mona ---------------------------------------------------
    kari_context, kari = await person(browser, server, timeout_ms=WAIT, user_id="hbe-soker")
    await expect(kari.get_by_role("heading", name="Mine søknader")).to_be_visible()
    await kari.get_by_label("Gjelder søknaden").select_option("enkeltpasient")
    await kari.get_by_label("Ordning").select_option("unntaksordningen")
    await kari.get_by_role("button", name="Start ny søknad").click()
    await expect(status(kari)).to_contain_text("Versjon 1")
    await scripts_ready(kari)
    await expect(kari.get_by_role("heading", level=1)).to_have_text(
        "Enkeltpasient: Unntaksordningen (Nye metoder)"
    )
    draft_url = kari.url

    await fill_unntaksordningen_single_patient(kari)
    menu = kari.get_by_role("navigation", name="Deler av søknaden")
    # The last answer is in the saved version once its section is marked complete; then every section is.
    await expect(menu.get_by_role("link", name=re.compile("^Samlet begrunnelse.*Fullført"))).to_be_visible(
        timeout=WAIT
    )
    await expect(menu.get_by_role("link", name=re.compile("Mangler svar"))).to_have_count(0)
    await expect(status(kari)).to_contain_text(LAGRET)
    await kari.screenshot(path=screenshot_path("flyt-02-utkast"), full_page=True)

    # A co-author is found by name in the trust's directory.
    await kari.get_by_label("Søk etter en lege i helseforetaket").fill("mona")
    await kari.get_by_role("button", name="Søk", exact=True).click()
    await kari.get_by_role("button", name="Inviter Mona Ruud").click()
    await expect(kari.get_by_role("status").filter(has_text="Medforfatteren er lagt til")).to_be_visible()
    await expect(kari.locator("ul.medforfattere")).to_have_text("Mona Ruud")

    # --- 2. Mona, on her own device, finds it among her applications and adds to it ------------------------
    mona_context, mona = await person(browser, server, timeout_ms=WAIT, user_id="hbe-soker2")
    await expect(mona.get_by_role("heading", name="Mine søknader")).to_be_visible()
    await mona.get_by_role("listitem").filter(has_text="Olumiant").get_by_role("link", name="Utkast").click()
    await expect(mona).to_have_url(draft_url)
    await scripts_ready(mona)
    documentation = field(mona, "Dokumentasjon for effekt")
    with_mona = await documentation.input_value() + MONAS_TILLEGG
    before = await version(mona)
    await documentation.fill(with_mona)
    await saved_after(mona, before)

    await kari.reload()
    await expect(field(kari, "Dokumentasjon for effekt")).to_have_value(with_mona)
    await expect(kari.locator("ol.tidslinje")).to_contain_text("Mona Ruud: Endret «Dokumentasjon for effekt»")

    # --- 3. The server is killed while Kari types ----------------------------------------------------------
    justification = field(kari, BEGRUNNELSE)
    await justification.press("End")
    before = await version(kari)
    await justification.press_sequentially(
        " Pasienten er klinisk eksepsjonell fordi hun er yngre og sykere enn gruppen i metodevurderingen.",
        delay=10,
    )
    await saved_after(kari, before)
    at_last_lagret = await justification.input_value()

    not_yet_saved = " Behandlingen kan ikke vente til hun er 18 år."
    await justification.press_sequentially(not_yet_saved, delay=10)
    server.kill()  # at once: the debounce (1.5 s) has not fired, so these words exist only in the page

    # The server is down when the autosave fires: the page says so, in words, and will try again.
    await expect(status(kari)).to_contain_text("Ikke lagret – prøver igjen", timeout=WAIT)
    await expect(status(kari)).to_have_class(re.compile(r"\bfeil\b"))
    await expect(status(kari)).to_be_in_viewport()  # seen where she types, at the bottom of the form
    await kari.screenshot(path=screenshot_path("flyt-03-ikke-lagret"))

    # Hold Kari's retries at the browser's edge while the saved state is read, so what is read is what
    # the killed process had stored, not what a retry stores a moment after the restart.
    release = asyncio.Event()

    async def hold_until_released(route: Route) -> None:
        await release.wait()
        await route.continue_()

    await kari.route("**/soknad/api/soknader/**", hold_until_released)
    await asyncio.to_thread(server.start)  # the same data directory and port

    await mona.goto(draft_url)
    await expect(field(mona, BEGRUNNELSE)).to_have_value(at_last_lagret)

    release.set()
    # The held retry goes on to the restarted server (or, had none been held yet, the next one does,
    # within the page's back-off of 2, 4, 8 … seconds).
    await expect(status(kari)).to_contain_text(LAGRET, timeout=20_000)
    await expect(status(kari)).not_to_have_class(re.compile(r"\bfeil\b"))
    await kari.unroute("**/soknad/api/soknader/**")
    await kari.reload()
    await expect(field(kari, BEGRUNNELSE)).to_have_value(at_last_lagret + not_yet_saved)
    await expect(field(kari, "Dokumentasjon for effekt")).to_have_value(with_mona)
    await mona_context.close()

    # --- 4. Kari reads the summary and sends ---------------------------------------------------------------
    await kari.get_by_role("link", name="Oppsummering før sending").click()
    await expect(kari.get_by_role("heading", name="Oppsummering før sending")).to_be_visible()
    await expect(kari.get_by_role("status")).to_have_text(
        "Alt som kreves er fylt ut. Les gjennom søknaden og send den når du er klar."
    )
    await expect(kari.locator("main")).to_contain_text(KLINISK_EKSEPSJONELL)
    await kari.screenshot(path=screenshot_path("flyt-04-oppsummering"), full_page=True)
    await kari.get_by_role("button", name="Send til forankring").click()
    await expect(
        kari.get_by_role("status").filter(has_text="Søknaden er sendt til forankring.")
    ).to_be_visible()
    heading = await kari.get_by_role("heading", level=1).inner_text()
    found = re.search(r"HBE-\d{4}-\d{6}", heading)
    assert found, heading
    lopenummer = found.group(0)

    await go(kari, "Mine søknader")
    row = kari.get_by_role("listitem").filter(has_text=lopenummer)
    await expect(row).to_contain_text("Unntaksordningen")
    await expect(row).to_contain_text("Til forankring")
    await kari.screenshot(path=screenshot_path("flyt-05-mine-soknader"), full_page=True)

    # --- 5. Per returns it; Kari sees why, fixes it and sends again; Per anchors it ------------------------
    per_context, per = await person(browser, server, timeout_ms=WAIT, user_id="hbe-leder")
    await expect(per.get_by_role("heading", name="Søknader til forankring")).to_be_visible()
    inbox_row = per.get_by_role("row").filter(has_text=lopenummer)
    await expect(inbox_row).to_contain_text("Olumiant")
    await expect(inbox_row).to_contain_text("L63.9")
    await per.screenshot(path=screenshot_path("flyt-06-leder-innboks"), full_page=True)
    await inbox_row.get_by_role("link", name=lopenummer).click()
    await expect(per.get_by_role("heading", name="Din vurdering som leder")).to_be_visible()
    await expect(per.locator("main")).to_contain_text(KLINISK_EKSEPSJONELL)
    await per.screenshot(path=screenshot_path("flyt-07-leder-sak"), full_page=True)
    await per.get_by_role("textbox", name="Kommentar til søker", exact=True).fill(RETUR_KOMMENTAR)
    await per.get_by_role("button", name="Returner til søker").click()
    await expect(per.get_by_role("status")).to_have_text("Søknaden er returnert til søkeren.")
    await expect(per.get_by_role("link", name=lopenummer)).to_have_count(0)

    bell = kari.get_by_role("link", name="Varsler (1 ulest)")
    await reload_until_visible(kari, bell)
    await bell.click()
    await expect(kari.get_by_role("heading", name="Varsler")).to_be_visible()
    notice = kari.locator(".varselliste li").filter(has_text="Returnert")
    await expect(notice).to_contain_text(f"Søknad {lopenummer} er returnert av Per Hansen")
    await expect(notice).to_contain_text("Ulest")
    await kari.screenshot(path=screenshot_path("flyt-08-varsler"), full_page=True)
    await notice.get_by_role("button", name="Åpne").click()
    await expect(kari).to_have_url(draft_url)
    await expect(kari.locator(".melding.advarsel").filter(has_text="Returnert fra leder")).to_contain_text(
        RETUR_KOMMENTAR
    )
    await expect(kari.get_by_role("link", name="Varsler (ingen uleste)")).to_be_visible()

    before = await version(kari)
    await field(kari, "Tidligere behandling").fill(RETTET_BEHANDLING)
    await saved_after(kari, before)
    await kari.get_by_role("button", name="Send til forankring").click()
    await expect(
        kari.get_by_role("status").filter(has_text="Søknaden er sendt til forankring.")
    ).to_be_visible()
    await expect(kari.get_by_role("heading", level=1)).to_contain_text(lopenummer)

    await per.reload()
    await per.get_by_role("link", name=lopenummer).click()
    await expect(per.locator("main")).to_contain_text(RETTET_BEHANDLING)
    await per.get_by_role("textbox", name="Begrunnelse", exact=True).fill(
        "Faglig godt begrunnet unntak; kostnaden er innenfor avdelingens budsjett for 2026."
    )
    await per.get_by_role("textbox", name="Kostnadssted", exact=True).fill("HBE-4100")
    await per.get_by_role("button", name="Forankre og send til vurdering").click()
    await expect(per.get_by_role("status")).to_have_text("Søknaden er forankret og sendt til vurdering.")
    await per_context.close()

    anchored = kari.get_by_role("link", name="Varsler (1 ulest)")
    await reload_until_visible(kari, anchored)
    await anchored.click()
    await expect(kari.locator(".varselliste li").filter(has_text="Ulest")).to_contain_text(
        f"Søknad {lopenummer} er forankret av Per Hansen og sendt til vurdering."
    )
    await kari_context.close()

    # --- 6. The register finds it, with its whole history --------------------------------------------------
    lars_context, lars = await person(browser, server, timeout_ms=WAIT, user_id="hbe-fagdirektor")
    await go(lars, "Register")
    await expect(lars.get_by_role("heading", name="Register over søknader")).to_be_visible()
    await lars.get_by_label("Ordning").select_option("unntaksordningen")
    await lars.get_by_label("Legemiddel").fill("baricitinib")
    await lars.get_by_role("button", name="Søk", exact=True).click()
    await expect(lars.get_by_role("status")).to_have_text("1 søknad.")
    hit = lars.get_by_role("row").filter(has_text=lopenummer)
    await expect(hit).to_contain_text("Unntaksordningen")
    await expect(hit).to_contain_text("Kari Nordmann")
    await lars.screenshot(path=screenshot_path("flyt-09-register"), full_page=True)
    await hit.get_by_role("link", name=lopenummer).click()

    await expect(lars.get_by_role("heading", level=1)).to_contain_text(f"Sak {lopenummer}")
    facts = lars.get_by_role("region", name="Saken")
    await expect(facts).to_contain_text("Mona Ruud")
    await expect(facts).to_contain_text("Kostnadssted HBE-4100")
    application = lars.get_by_role("region", name="Søknaden")
    for answer in (
        "Olumiant",
        "baricitinib",
        "L63.9 Uspesifisert alopecia areata",
        KLINISK_EKSEPSJONELL,
        RETTET_BEHANDLING,
        MONAS_TILLEGG.strip(),
        at_last_lagret + not_yet_saved,
        "ID2022_071",
    ):
        await expect(application).to_contain_text(answer)
    # The history in order: sent, returned with the comment, fixed, sent again, anchored.
    history = await lars.locator("ol.tidslinje li").all_inner_texts()
    steps = [
        "Kari Nordmann: Sendt til forankring hos Nevrologisk avdeling",
        f"Per Hansen: Returnert til søker: {re.escape(RETUR_KOMMENTAR)}",
        "Kari Nordmann: Endret .*«Tidligere behandling»",
        "Kari Nordmann: Sendt til forankring hos Nevrologisk avdeling",
        "Per Hansen: Forankret og sendt til vurdering: Faglig godt begrunnet unntak",
    ]
    position = -1
    for step in steps:
        position = next((i for i in range(position + 1, len(history)) if re.search(step, history[i])), -1)
        assert position >= 0, f"{step!r} missing or out of order in {history}"
    await lars.screenshot(path=screenshot_path("flyt-10-register-sak"), full_page=True)

    await go(lars, "Statistikk")
    await expect(lars.get_by_role("heading", level=1)).to_be_visible()
    await lars.screenshot(path=screenshot_path("flyt-11-statistikk"), full_page=True)
    await lars_context.close()
