"""In a real browser, on the draft page: the live drug and ICD-10 look-ups (keyboard only), the SmPC link,
the godkjenningsfritak suggestion, typing by hand when the look-up is down, and precedent before work
from decisions made through the whole flow (søker, leder, komité, fagdirektør, national overview)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Locator, Page, Route, expect

from shared.domain.labels import UTFALL_LABELS
from shared.platform.web.templating import Templates
from soknad.app import HERE as SOKNAD_DIR
from soknad.handlers.presedens import Presedens
from soknad.views.presedens import maned_tekst
from tests.support.browser import browser, screenshot_path, scripts_ready
from tests.support.builders import complete_innhold
from tests.support.demo_personer import Api
from tests.support.embedded_server import EmbeddedServer, embedded_server
from tests.support.waiting import wait_until

__all__ = ["browser"]

pytestmark = pytest.mark.browser

TEMPLATES = Templates(SOKNAD_DIR / "templates", service="soknad", links={})
LAGRET = re.compile(r"Lagret \d\d:\d\d")
SMPC = "https://www.ema.europa.eu/en/medicines/human/EPAR/mabthera"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    with embedded_server(tmp_path / "data") as s:
        yield s


async def listed(client: Api, url: str, lopenummer: str) -> dict[str, Any]:
    found: dict[str, Any] = {}

    async def arrived() -> bool:
        found.update(
            next((c for c in await client.call("GET", url) if c.get("lopenummer") == lopenummer), {})
        )
        return bool(found)

    await wait_until(arrived, timeout=20)
    return found


async def decide(server: EmbeddedServer, *, hf: str, type_: str, utfall: str) -> str:
    """Rituximab for MS (G35): drafted, sent, anchored, triaged and decided; returns the løpenummer
    once the decision is back in soknad and in the national overview."""
    p = hf.lower()
    enhet = f"{hf}-NEVRO"
    async with (
        Api(server, f"{p}-soker") as soker,
        Api(server, f"{p}-leder") as leder,
        Api(server, f"{p}-fagdirektor") as direktor,
        Api(server, f"{p}-nasjonal") as nasjonal,
    ):
        innhold = complete_innhold(
            type_,
            "off_label",
            legemiddel={"navn": "MabThera", "virkestoff": "rituksimab", "atc": "L01FA01", "verifisert": True},
            indikasjon={"kode": "G35", "tekst": "Multippel sklerose", "verifisert": True},
        )
        body = {"type": type_, "kategori": "off_label", "enhet": enhet, "innhold": innhold}
        draft = await soker.call("POST", "/soknad/api/soknader", body)
        lopenummer = (await soker.call("POST", f"/soknad/api/soknader/{draft['id']}/send", {}))["lopenummer"]
        await leder.call(
            "POST",
            f"/soknad/api/soknader/{draft['id']}/forankring",
            {"begrunnelse": "Faglig og budsjettmessig forankret.", "kostnadssted": f"{hf}-4100"},
        )
        # The director decides directly (forenklet): the precedent is what matters here, not the flow.
        bsak = await listed(direktor, "/beslutning/api/saker", lopenummer)
        await direktor.call("POST", f"/beslutning/api/saker/{bsak['id']}/triage", {"flyt": "forenklet"})
        vedtak = {"utfall": utfall, "begrunnelse": "I tråd med komiteens anbefaling."}
        if utfall != "avslatt":
            vedtak["evalueringsdato"] = "2027-01-15"
        await direktor.call("POST", f"/beslutning/api/saker/{bsak['id']}/vedtak", vedtak)

        async def everywhere() -> bool:
            mine = await soker.call("GET", f"/soknad/api/soknader/{draft['id']}")
            national = await nasjonal.get(f"/oversikt/api/saker/{lopenummer}")
            return bool(
                mine["status"] == "vedtatt"
                and national.status_code == 200
                and national.json()["status"] == "vedtatt"
            )

        await wait_until(everywhere, timeout=20)
        return str(lopenummer)


# --- the draft page --------------------------------------------------------------------------------------
async def new_draft(page: Page, server: EmbeddedServer, user_id: str = "hbe-soker") -> None:
    await page.goto(server.url + "/")
    await page.locator(f"button[data-bruker='{user_id}']").click()
    await expect(page.get_by_role("heading", name="Mine søknader")).to_be_visible()
    await page.get_by_label("Ordning").select_option("off_label")
    await page.get_by_role("button", name="Start ny søknad").click()
    await expect(page.locator("#lagret-status")).to_contain_text("Versjon 1")
    await scripts_ready(page)
    page.set_default_timeout(10_000)


def section_of(page: Page, question: str) -> Locator:
    """The form section holding a question, for a screenshot of what matters."""
    return page.locator("section.seksjon").filter(has=page.locator(f"[data-sporsmal='{question}']"))


async def saved(page: Page) -> None:
    await expect(page.locator("#lagret-status")).to_contain_text(LAGRET)


@pytest_asyncio.fixture
async def decisions(server: EmbeddedServer) -> AsyncIterator[dict[str, str]]:
    yield {
        "hbe_gruppe": await decide(server, hf="HBE", type_="gruppe", utfall="innvilget"),
        "ous_gruppe": await decide(server, hf="OUS", type_="gruppe", utfall="innvilget"),
        "ous_enkelt": await decide(server, hf="OUS", type_="enkeltpasient", utfall="avslatt"),
    }


async def test_choose_drug_and_indication_by_keyboard_and_see_precedent_before_writing_more(
    browser: Browser, server: EmbeddedServer, decisions: dict[str, str]
) -> None:
    page = await browser.new_page()
    await new_draft(page, server)

    drug = page.get_by_role("combobox", name="Legemiddelnavn")
    await expect(drug).to_have_attribute("aria-expanded", "false")
    await drug.press_sequentially("ritu", delay=40)
    listbox = page.get_by_role("listbox", name="Legemidler i legemiddelregisteret")
    await expect(listbox).to_be_visible()
    await expect(drug).to_have_attribute("aria-expanded", "true")
    await expect(page.locator("fieldset[data-oppslag=legemiddel] p[aria-live]")).to_have_text("2 treff")
    options = listbox.get_by_role("option")
    names = await options.all_inner_texts()
    index = next(i for i, text in enumerate(names) if text.startswith("MabThera"))
    for _ in range(index + 1):
        await drug.press("ArrowDown")
    active = await drug.get_attribute("aria-activedescendant")
    assert active and await page.locator(f"#{active}").inner_text() == names[index]
    await expect(options.nth(index)).to_have_attribute("aria-selected", "true")
    await section_of(page, "legemiddel").screenshot(path=screenshot_path("oppslag-legemiddel-liste"))
    await drug.press("Enter")

    await expect(listbox).to_be_hidden()
    await expect(drug).to_have_value("MabThera konsentrat til infusjonsvæske 10 mg/ml")
    await expect(page.get_by_label("Virkestoff", exact=True)).to_have_value("rituksimab")
    await expect(page.get_by_label("ATC-kode", exact=True)).to_have_value("L01FA01")
    await expect(page.get_by_label("Styrke", exact=True)).to_have_value("10 mg/ml")
    await expect(page.locator("[name='innhold.legemiddel.verifisert']")).to_have_value("true")
    await expect(page.locator("[name='innhold.legemiddel.fest_id']")).to_have_value(
        "ID_3E5C2519-B33D-4922-B0A0-38F1D0E016AF"
    )
    smpc = page.get_by_role("link", name="Preparatomtale (SPC)")
    await expect(smpc).to_have_attribute("href", SMPC)
    await expect(smpc).to_have_attribute("target", "_blank")
    await expect(smpc).to_have_attribute("rel", "noopener")
    await expect(page.locator("[data-verifisering-for=legemiddel]")).to_have_text(
        "Valgt fra legemiddelregisteret (FEST)."
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
    await expect(page.get_by_label("Diagnosetekst", exact=True)).to_have_value("Multippel sklerose")
    await expect(page.locator("[name='innhold.indikasjon.verifisert']")).to_have_value("true")

    panel = page.locator("#presedens")
    await expect(panel.get_by_role("heading", level=2)).to_have_text(
        "Før du skriver mer: tidligere vedtak for rituksimab ved G35"
    )
    covering = panel.locator(".melding.ok")
    await expect(covering).to_contain_text(
        f"Gruppevedtak {decisions['hbe_gruppe']} dekker rituksimab ved G35 "
        "i Nevrologisk avdeling, Haukeland. Du trenger kanskje ikke søke."
    )
    await expect(covering.get_by_role("link", name=decisions["hbe_gruppe"])).to_be_visible()
    await expect(panel.get_by_role("listitem").filter(has_text=decisions["ous_gruppe"])).to_contain_text(
        "Oslo universitetssykehus"
    )
    table = panel.get_by_role("table", name="Enkeltpasientvedtak per helseforetak, rituksimab ved G35")
    await expect(table.get_by_role("row", name="Oslo universitetssykehus")).to_contain_text("færre enn 5")
    await section_of(page, "indikasjon").screenshot(path=screenshot_path("oppslag-presedens"))
    await section_of(page, "legemiddel").screenshot(path=screenshot_path("oppslag-legemiddel-valgt"))

    # The choice is saved by the autosave, and is still verified, with its SmPC link, after a reload.
    await saved(page)
    await page.reload()
    await expect(page.get_by_label("ATC-kode", exact=True)).to_have_value("L01FA01")
    await expect(page.get_by_role("link", name="Preparatomtale (SPC)")).to_have_attribute("href", SMPC)
    await expect(panel.locator(".melding.ok")).to_contain_text(decisions["hbe_gruppe"])

    # Typing by hand after a choice: no longer verified, and it says so.
    await page.get_by_label("Styrke", exact=True).fill("20 mg/ml")
    await expect(page.locator("[name='innhold.legemiddel.verifisert']")).to_have_value("false")
    await expect(page.locator("[data-verifisering-for=legemiddel]")).to_have_text(
        "Ikke kontrollert mot legemiddelregisteret."
    )
    await expect(page.get_by_role("link", name="Preparatomtale (SPC)")).to_have_count(0)

    # The group decision the panel links to.
    await covering.get_by_role("link", name=decisions["hbe_gruppe"]).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Gruppevedtak {decisions['hbe_gruppe']}")
    await page.screenshot(path=screenshot_path("presedens-gruppevedtak"), full_page=True)


async def test_drug_without_marketing_authorisation_suggests_godkjenningsfritak(
    browser: Browser, server: EmbeddedServer
) -> None:
    page = await browser.new_page()
    await new_draft(page, server)
    drug = page.get_by_role("combobox", name="Legemiddelnavn")
    await drug.press_sequentially("melatonin", delay=30)
    option = page.get_by_role("option").filter(has_text="Uten norsk markedsføringstillatelse").first
    await expect(option).to_be_visible()
    await option.click()
    await expect(
        page.get_by_text(
            "Dette legemidlet har ikke norsk markedsføringstillatelse. Vurder ordningen Godkjenningsfritak."
        )
    ).to_be_visible()
    scheme = page.get_by_label("Ordning", exact=True)
    await expect(scheme).to_have_value("off_label")  # the applicant decides
    await section_of(page, "legemiddel").screenshot(
        path=screenshot_path("oppslag-godkjenningsfritak-forslag")
    )
    await page.get_by_role("button", name="Velg ordningen Godkjenningsfritak").click()
    await expect(scheme).to_have_value("godkjenningsfritak")
    await expect(page.get_by_text("Ordningen er endret til Godkjenningsfritak.")).to_be_visible()
    await saved(page)
    await page.reload()
    await expect(page.get_by_label("Ordning", exact=True)).to_have_value("godkjenningsfritak")


async def test_when_the_look_up_is_down_the_applicant_types_by_hand(
    browser: Browser, server: EmbeddedServer
) -> None:
    page = await browser.new_page()
    await new_draft(page, server)
    await page.route("**/soknad/api/oppslag/**", lambda route: route.abort())
    drug = page.get_by_role("combobox", name="Legemiddelnavn")
    await drug.press_sequentially("ritu", delay=30)
    notice = page.get_by_text("Oppslag er ikke tilgjengelig nå – du kan skrive inn legemiddel og kode selv.")
    await expect(notice).to_be_visible()
    await drug.fill("Rituksimab inf kons")
    await page.get_by_label("Virkestoff", exact=True).fill("rituksimab")
    code = page.get_by_role("combobox", name="ICD-10-kode")
    await code.press_sequentially("G35", delay=30)
    await code.press("Tab")
    await expect(notice).to_have_count(1)  # said once, not on every key
    await expect(page.get_by_role("listbox")).to_have_count(0)
    await expect(page.locator("[name='innhold.legemiddel.verifisert']")).to_have_value("false")
    await expect(page.locator("[data-verifisering-for=indikasjon]")).to_have_text(
        "Ikke kontrollert mot kodeverket."
    )
    # The precedent still shows (it does not depend on the catalogue).
    await expect(page.locator("#presedens").get_by_role("heading", level=2)).to_contain_text(
        "rituksimab ved G35"
    )
    await section_of(page, "legemiddel").screenshot(path=screenshot_path("oppslag-utilgjengelig"))
    await saved(page)
    await page.reload()
    await expect(page.get_by_role("combobox", name="Legemiddelnavn")).to_have_value("Rituksimab inf kons")
    await expect(page.get_by_role("combobox", name="ICD-10-kode")).to_have_value("G35")


# --- the panel in the browser and on the page without JavaScript say the same ----------------------------
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
        "vedtak_maned": "2026-03",
        "gyldig_til": None,
        "gjeldende": True,
        "dekker_koden": True,
        "url": f"/soknad/presedens/gruppevedtak/{lopenummer}",
        **overrides,
    }


# Every kind of entry, checked against the API's own model so it cannot drift from what the route returns.
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
                                    vedtak_maned="2025-01", gyldig_til="2026-01-31", gjeldende=False),
            ],
            "enkeltvedtak": {"innvilget": 3, "avslatt": 1},
        },
        "nasjonalt": {
            "tilgjengelig": True,
            "prikkegrense": 5,
            "per_hf": [
                {"hf": "HBE", "hf_navn": "Helse Bergen", "rhf": "Helse Vest", "innvilget": "<5",
                 "innvilget_med_vilkar": 0, "avslatt": "<5"},
                {"hf": "OUS", "hf_navn": "Oslo universitetssykehus", "rhf": "Helse Sør-Øst", "innvilget": 12,
                 "innvilget_med_vilkar": "<5", "avslatt": 5},
            ],
            "gruppevedtak": [
                {"lopenummer": "OUS-2026-000003", "hf": "OUS", "hf_navn": "Oslo universitetssykehus",
                 "legemiddel_navn": "MabThera", "virkestoff": "rituksimab", "atc": "L01FA01",
                 "icd10_kode": "G36.0", "icd10_tekst": "Neuromyelitis optica",
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
    await new_draft(page, server)
    asked: list[str] = []

    async def presedens(route: Route) -> None:
        asked.append(route.request.url)
        await route.fulfill(status=200, content_type="application/json", body=CANNED.model_dump_json())

    await page.route("**/soknad/api/presedens?**", presedens)
    await page.get_by_label("Virkestoff", exact=True).fill("rituksimab")
    await page.get_by_label("ATC-kode", exact=True).fill("L01FA01")
    await page.get_by_role("combobox", name="ICD-10-kode").fill("G36.0")

    panel = page.locator("#presedens")
    await expect(panel.get_by_role("heading", level=2)).to_contain_text("rituksimab ved G36.0")
    assert len(asked) == 1 and "virkestoff=rituksimab" in asked[0] and "icd10=G36.0" in asked[0]
    await expect(panel.locator(".melding.ok")).to_contain_text(
        "Gruppevedtak HBE-2026-000012 dekker rituksimab ved G36 i Nevrologisk avdeling. "
        "Du trenger kanskje ikke søke."
    )
    table = panel.get_by_role("table", name="Enkeltpasientvedtak per helseforetak, rituksimab ved G36")
    await expect(table.get_by_role("row")).to_have_count(3)
    await expect(table.get_by_role("row", name="Oslo universitetssykehus")).to_contain_text("12")
    await expect(table.get_by_role("row", name="Helse Bergen")).to_contain_text("færre enn 5")
    # Another trust's group decision is read in the national overview, at its løpenummer.
    await expect(panel.get_by_role("link", name="OUS-2026-000003")).to_have_attribute(
        "href", "/oversikt/gruppevedtak/OUS-2026-000003"
    )
    await panel.screenshot(path=screenshot_path("presedens-panel"))

    server_side = TEMPLATES.env.get_template("_presedens.html").render(
        presedens=CANNED, maned=maned_tekst, utfall_labels=UTFALL_LABELS, links={"oversikt": "/oversikt"}
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
