"""In a real browser: the live drug and ICD-10 look-ups (keyboard only), the SmPC link, the
godkjenningsfritak suggestion, hand typing when the look-up is down, and precedent before work."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, Route, expect

from shared.labels import UTFALL_LABELS
from shared.web.middleware import CSP
from shared.web.templating import Templates
from soknad.app import HERE as SOKNAD_DIR
from soknad.handlers.presedens import Presedens
from soknad.views.presedens import maned_tekst
from tests.support.browser import browser, screenshot_path
from tests.support.embedded_server import EmbeddedServer, embedded_server
from tests.support.waiting import wait_until

__all__ = ["browser"]

pytestmark = pytest.mark.browser

TEMPLATES = Templates(SOKNAD_DIR / "templates", service="soknad", links={})

# The markup the draft form gives oppslag.js: two look-up fieldsets, the scheme and the precedent section.
FIXTURE = """<!doctype html>
<html lang="nb"><head><meta charset="utf-8"><title>Oppslag</title>
<link rel="stylesheet" href="/static/style.css"></head>
<body><main id="innhold">
<h1>Søknad</h1>
<form id="soknadsskjema" method="post">
  <input type="hidden" name="csrf_token" value="test">
  <div class="felt"><label for="kategori">Ordning</label>
    <select id="kategori" name="kategori">
      <option value="off_label" selected>Utenfor godkjent indikasjon (off-label)</option>
      <option value="godkjenningsfritak">Godkjenningsfritak</option>
    </select></div>
  <fieldset class="oppslag" data-oppslag="legemiddel" data-oppslag-url="/soknad/api/oppslag/legemidler">
    <legend>Legemiddel</legend>
    <input type="hidden" name="innhold.legemiddel.verifisert" value="false">
    <input type="hidden" name="innhold.legemiddel.fest_id" value="">
    <div class="felt"><label for="lm-navn">Legemiddel</label>
      <input type="text" id="lm-navn" name="innhold.legemiddel.navn"></div>
    <div class="felt"><label for="lm-virkestoff">Virkestoff</label>
      <input type="text" id="lm-virkestoff" name="innhold.legemiddel.virkestoff"></div>
    <div class="felt"><label for="lm-atc">ATC-kode</label>
      <input type="text" id="lm-atc" name="innhold.legemiddel.atc"></div>
    <div class="felt"><label for="lm-form">Legemiddelform</label>
      <input type="text" id="lm-form" name="innhold.legemiddel.legemiddelform"></div>
    <div class="felt"><label for="lm-styrke">Styrke</label>
      <input type="text" id="lm-styrke" name="innhold.legemiddel.styrke"></div>
  </fieldset>
  <fieldset class="oppslag" data-oppslag="icd10" data-oppslag-url="/soknad/api/oppslag/diagnoser">
    <legend>Indikasjon</legend>
    <input type="hidden" name="innhold.indikasjon.verifisert" value="false">
    <div class="felt"><label for="ind-kode">ICD-10-kode</label>
      <input type="text" id="ind-kode" name="innhold.indikasjon.kode"></div>
    <div class="felt"><label for="ind-tekst">Diagnose</label>
      <input type="text" id="ind-tekst" name="innhold.indikasjon.tekst"></div>
  </fieldset>
</form>
<section id="presedens" data-presedens-url="/soknad/api/presedens">
  <p>Velg legemiddel og diagnose, så ser du tidligere vedtak her.</p>
</section>
<script src="/static/oppslag.js" defer></script>
</main></body></html>"""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    with embedded_server(tmp_path / "data") as s:
        yield s


async def open_fixture(page: Page, server: EmbeddedServer) -> None:
    """Log in, then serve the fixture page from the server's own origin, with the server's CSP."""
    await page.goto(server.url + "/")
    await page.locator("button[data-bruker='hbe-soker']").click()
    await expect(page.get_by_role("heading", name="Mine søknader")).to_be_visible()

    async def fixture(route: Route) -> None:
        await route.fulfill(
            status=200,
            content_type="text/html; charset=utf-8",
            headers={"content-security-policy": CSP},
            body=FIXTURE,
        )

    await page.route(server.url + "/soknad/oppslag-fixture", fixture)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await page.goto(server.url + "/soknad/oppslag-fixture")
    await page.evaluate(
        "() => { window.inputs = []; document.forms[0].addEventListener('input',"
        " e => window.inputs.push(e.target.name)); }"
    )
    page.set_default_timeout(10_000)
    assert errors == []


async def test_choose_drug_and_indication_by_keyboard_and_see_precedent(
    browser: Browser, server: EmbeddedServer
) -> None:
    page = await browser.new_page()
    await open_fixture(page, server)

    drug = page.get_by_role("combobox", name="Legemiddel")
    await expect(drug).to_have_attribute("aria-expanded", "false")
    await drug.press_sequentially("ritu", delay=40)
    listbox = page.get_by_role("listbox", name="Legemidler i legemiddelregisteret")
    await expect(listbox).to_be_visible()
    await expect(drug).to_have_attribute("aria-expanded", "true")
    await expect(page.locator("fieldset[data-oppslag=legemiddel] [role=status][aria-live]")).to_have_text(
        "2 treff"
    )
    options = listbox.get_by_role("option")
    names = await options.all_inner_texts()
    index = next(i for i, text in enumerate(names) if text.startswith("MabThera"))
    for _ in range(index + 1):
        await drug.press("ArrowDown")
    active = await drug.get_attribute("aria-activedescendant")
    assert active and await page.locator(f"#{active}").inner_text() == names[index]
    await expect(options.nth(index)).to_have_attribute("aria-selected", "true")
    await page.screenshot(path=screenshot_path("oppslag-legemiddel-liste"), full_page=True)
    await drug.press("Enter")

    await expect(listbox).to_be_hidden()
    await expect(drug).to_have_value("MabThera konsentrat til infusjonsvæske 10 mg/ml")
    await expect(page.get_by_label("Virkestoff")).to_have_value("rituksimab")
    await expect(page.get_by_label("ATC-kode")).to_have_value("L01FA01")
    await expect(page.get_by_label("Styrke")).to_have_value("10 mg/ml")
    await expect(page.locator("[name='innhold.legemiddel.verifisert']")).to_have_value("true")
    await expect(page.locator("[name='innhold.legemiddel.fest_id']")).to_have_value(
        "ID_3E5C2519-B33D-4922-B0A0-38F1D0E016AF"
    )
    smpc = page.get_by_role("link", name="Preparatomtale (SPC)")
    await expect(smpc).to_have_attribute("href", "https://www.ema.europa.eu/en/medicines/human/EPAR/mabthera")
    await expect(smpc).to_have_attribute("target", "_blank")
    await expect(smpc).to_have_attribute("rel", "noopener")
    await expect(page.get_by_text("Valgt fra legemiddelregisteret (FEST)")).to_be_visible()
    # The autosave hears about every filled field.
    filled = await page.evaluate("() => window.inputs")
    assert {"innhold.legemiddel.atc", "innhold.legemiddel.verifisert", "innhold.legemiddel.navn"} <= set(
        filled
    )
    # MabThera has a Norwegian marketing authorisation: no suggestion.
    await expect(page.get_by_text("Vurder ordningen Godkjenningsfritak")).to_have_count(0)

    code = page.get_by_role("combobox", name="ICD-10-kode")
    await code.press_sequentially("G35", delay=40)
    diagnoses = page.get_by_role("listbox", name="Diagnoser i ICD-10")
    await expect(diagnoses.get_by_role("option").first).to_contain_text("Multippel sklerose")
    await code.press("ArrowDown")
    await code.press("Enter")
    await expect(code).to_have_value("G35")
    await expect(page.get_by_label("Diagnose", exact=True)).to_have_value("Multippel sklerose")
    await expect(page.locator("[name='innhold.indikasjon.verifisert']")).to_have_value("true")

    panel = page.locator("#presedens")
    await expect(panel.get_by_role("heading", level=2)).to_have_text(
        "Før du skriver mer: tidligere vedtak for rituksimab ved G35"
    )
    await expect(panel.get_by_role("heading", name="I Helse Bergen")).to_be_visible()
    await expect(panel.get_by_role("heading", name="Nasjonalt")).to_be_visible()
    await expect(panel).to_contain_text("Helse Bergen har ingen tidligere vedtak for rituksimab ved G35.")
    await page.screenshot(path=screenshot_path("oppslag-valgt-og-presedens"), full_page=True)

    # Typing by hand after a choice: no longer verified, and it says so.
    await page.get_by_label("Styrke").fill("20 mg/ml")
    await expect(page.locator("[name='innhold.legemiddel.verifisert']")).to_have_value("false")
    await expect(page.get_by_text("Ikke kontrollert mot legemiddelregisteret")).to_be_visible()
    await expect(page.get_by_role("link", name="Preparatomtale (SPC)")).to_have_count(0)


async def test_drug_without_marketing_authorisation_suggests_godkjenningsfritak(
    browser: Browser, server: EmbeddedServer
) -> None:
    page = await browser.new_page()
    await open_fixture(page, server)
    drug = page.get_by_role("combobox", name="Legemiddel")
    await drug.press_sequentially("melatonin", delay=30)
    option = page.get_by_role("option").filter(has_text="Uten norsk markedsføringstillatelse").first
    await expect(option).to_be_visible()
    await option.click()
    await expect(
        page.get_by_text(
            "Dette legemidlet har ikke norsk markedsføringstillatelse. Vurder ordningen Godkjenningsfritak."
        )
    ).to_be_visible()
    await expect(page.get_by_label("Ordning")).to_have_value("off_label")  # the applicant decides
    await page.screenshot(path=screenshot_path("oppslag-godkjenningsfritak-forslag"), full_page=True)
    await page.get_by_role("button", name="Velg ordningen Godkjenningsfritak").click()
    await expect(page.get_by_label("Ordning")).to_have_value("godkjenningsfritak")
    await expect(page.get_by_text("Ordningen er endret til Godkjenningsfritak.")).to_be_visible()


async def test_when_the_look_up_is_down_the_applicant_types_by_hand(
    browser: Browser, server: EmbeddedServer
) -> None:
    page = await browser.new_page()
    await open_fixture(page, server)
    await page.route("**/soknad/api/oppslag/**", lambda route: route.abort())
    drug = page.get_by_role("combobox", name="Legemiddel")
    await drug.press_sequentially("ritu", delay=30)
    notice = page.get_by_text("Oppslag er ikke tilgjengelig nå – du kan skrive inn legemiddel og kode selv.")
    await expect(notice).to_be_visible()
    await drug.fill("Rituksimab inf kons")
    code = page.get_by_role("combobox", name="ICD-10-kode")
    await code.press_sequentially("G35", delay=30)
    await code.press("Tab")
    await page.get_by_text("Ikke kontrollert mot kodeverket").wait_for()
    await expect(notice).to_have_count(1)  # said once, not on every key
    await expect(drug).to_have_value("Rituksimab inf kons")
    await expect(page.get_by_role("listbox")).to_have_count(0)
    await expect(page.locator("[name='innhold.legemiddel.verifisert']")).to_have_value("false")
    await expect(page.get_by_text("Ikke kontrollert mot legemiddelregisteret")).to_be_visible()
    await page.screenshot(path=screenshot_path("oppslag-utilgjengelig"), full_page=True)


def lokalt_gruppevedtak(lopenummer: str, kode: str, tekst: str, **overrides: object) -> dict[str, object]:
    return {
        "lopenummer": lopenummer,
        "enhet": "HBE-NEVRO",
        "enhet_navn": "Nevrologisk avdeling",
        "legemiddel_navn": "MabThera",
        "virkestoff": "rituksimab",
        "atc": "L01FA01",
        "icd10_kode": kode,
        "icd10_tekst": tekst,
        "utfall": "innvilget",
        "vedtatt_maned": "2026-03",
        "gyldig_til": None,
        "gjeldende": True,
        "dekker_koden": True,
        "url": f"/soknad/presedens/gruppevedtak/{lopenummer}",
        **overrides,
    }


# A precedent answer with every kind of entry, checked against the API's own model so it cannot drift.
CANNED = Presedens.model_validate(
    {
        "virkestoff": "rituksimab",
        "atc": "L01FA01",
        "icd10": "G36.0",
        "icd10_kategori": "G36",
        "lokalt": {
            "hf": "HBE",
            "hf_navn": "Helse Bergen",
            "gruppevedtak": [
                lokalt_gruppevedtak("HBE-2026-000012", "G36", "Annen akutt disseminert demyelinisering",
                                    gyldig_til="2027-03-01"),
                lokalt_gruppevedtak("HBE-2026-000013", "G36.1", "Akutt hemoragisk leukoencefalitt",
                                    utfall="innvilget_med_vilkar", dekker_koden=False),
                lokalt_gruppevedtak("HBE-2025-000040", "G36.0", "Neuromyelitis optica",
                                    vedtatt_maned="2025-01", gyldig_til="2026-01-31", gjeldende=False),
            ],
            "enkeltvedtak": {"innvilget": 3, "avslatt": 1},
        },
        "nasjonalt": {
            "tilgjengelig": True,
            "prikkegrense": 5,
            "per_hf": [
                {"hf": "HBE", "hf_navn": "Helse Bergen", "innvilget": "<5", "innvilget_med_vilkar": 0,
                 "avslatt": "<5"},
                {"hf": "OUS", "hf_navn": "Oslo universitetssykehus", "innvilget": 12,
                 "innvilget_med_vilkar": "<5", "avslatt": 5},
            ],
            "gruppevedtak": [
                {"lopenummer": "OUS-2026-000003", "hf": "OUS", "hf_navn": "Oslo universitetssykehus",
                 "legemiddel_navn": "MabThera", "virkestoff": "rituksimab", "atc": "L01FA01",
                 "indikasjon_kode": "G36.0", "indikasjon_tekst": "Neuromyelitis optica",
                 "utfall": "innvilget", "vedtak_maned": "2026-01", "dekker_koden": True},
            ],
        },
    }
)  # fmt: skip


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" .", ".").replace(" ,", ",").strip()


async def test_precedent_panel_in_the_browser_says_what_the_page_without_javascript_says(
    browser: Browser, server: EmbeddedServer
) -> None:
    page = await browser.new_page()
    await open_fixture(page, server)
    asked: list[str] = []

    async def presedens(route: Route) -> None:
        asked.append(route.request.url)
        await route.fulfill(status=200, content_type="application/json", body=CANNED.model_dump_json())

    await page.route("**/soknad/api/presedens?**", presedens)
    await page.get_by_label("Virkestoff").fill("rituksimab")
    await page.get_by_label("ATC-kode").fill("L01FA01")
    await page.get_by_role("combobox", name="ICD-10-kode").fill("G36.0")

    panel = page.locator("#presedens")
    await expect(panel.get_by_role("heading", level=2)).to_contain_text("rituksimab ved G36.0")
    assert len(asked) == 1 and "virkestoff=rituksimab" in asked[0] and "icd10=G36.0" in asked[0]
    covering = panel.locator(".melding.ok")
    await expect(covering).to_contain_text(
        "Gruppevedtak HBE-2026-000012 dekker rituksimab ved G36 i Nevrologisk avdeling. "
        "Du trenger kanskje ikke søke."
    )
    await expect(covering.get_by_role("link", name="HBE-2026-000012")).to_have_attribute(
        "href", "/soknad/presedens/gruppevedtak/HBE-2026-000012"
    )
    table = panel.get_by_role("table", name="Enkeltpasientvedtak per helseforetak, rituksimab ved G36")
    await expect(table.get_by_role("row")).to_have_count(3)
    await expect(table.get_by_role("row", name="Oslo universitetssykehus")).to_contain_text("12")
    await expect(table.get_by_role("row", name="Helse Bergen")).to_contain_text("færre enn 5")
    await page.screenshot(path=screenshot_path("presedens-panel"), full_page=True)

    # The same words as the server-rendered panel (templates/_presedens.html) for the same answer.
    server_side = TEMPLATES.env.get_template("_presedens.html").render(
        presedens=CANNED, maned=maned_tekst, utfall_labels=UTFALL_LABELS
    )
    in_browser = await panel.evaluate(
        "s => { const c = s.cloneNode(true); c.querySelectorAll('[role=status]').forEach(n => n.remove());"
        " return c.innerHTML; }"
    )
    assert visible_text(in_browser) == visible_text(server_side)

    # A changed indication asks again.
    await page.get_by_role("combobox", name="ICD-10-kode").fill("G36")
    await wait_until(lambda: len(asked) == 2)
    assert "icd10=G36&" in asked[1] or asked[1].endswith("icd10=G36")
