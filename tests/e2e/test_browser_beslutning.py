"""In a real browser on the embedded default with its demo data: the medical director triages a case,
inserts phrases, decides with scope and conditions and opens the letter (page, print and PDF); a case in
tilgangsordningen is forwarded to the interregional committee and its decision registered; the controller
marks a treatment invoiced and exports XLSX; the admin's phrase library. Every page is screenshotted."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from playwright.async_api import Browser, Page, expect

from shared.platform.auth.session import CSRF_COOKIE
from tests.support.apps import SIGNER, login_over_http
from tests.support.browser import browser, screenshot_path
from tests.support.builders import complete_innhold
from tests.support.embedded_server import EmbeddedServer, embedded_server
from tests.support.waiting import wait_until

__all__ = ["browser"]

pytestmark = pytest.mark.browser

WAIT = 15_000
LOPENUMMER = re.compile(r"HBE-\d{4}-\d{6}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    with embedded_server(tmp_path_factory.mktemp("beslutning") / "data", seed=True) as s:
        yield s


class Api(httpx.AsyncClient):
    """A person using the JSON API, logged in through the start page."""

    def __init__(self, server: EmbeddedServer, user_id: str):
        super().__init__(base_url=server.url, timeout=10)
        self.user_id = user_id

    async def call(self, method: str, url: str, body: Any = None) -> Any:
        if CSRF_COOKIE not in self.cookies:
            await login_over_http(self, self.user_id)
            await self.get("/soknad/health/live")
        token = SIGNER.read_csrf(self.cookies.get(CSRF_COOKIE)) or ""
        r = await self.request(method, url, json=body, headers={"x-csrf-token": token})
        assert r.status_code < 400, f"{method} {url}: {r.status_code} {r.text}"
        return r.json()


async def login(browser: Browser, server: EmbeddedServer, user_id: str) -> Page:
    context = await browser.new_context(locale="nb-NO", accept_downloads=True)
    page = await context.new_page()
    page.set_default_timeout(WAIT)
    await page.goto(server.url + "/")
    await page.locator(f"button[data-bruker='{user_id}']").click()
    await expect(page.get_by_role("button", name="Logg ut")).to_be_visible()
    return page


def _read(path: Path) -> bytes:
    return path.read_bytes()


async def shot(page: Page, name: str) -> None:
    await page.screenshot(path=screenshot_path(f"beslutning-{name}"), full_page=True)


async def test_the_director_triages_inserts_phrases_decides_and_opens_the_letter(
    browser: Browser, server: EmbeddedServer
) -> None:
    page = await login(browser, server, "hbe-fagdirektor")
    await page.goto(server.url + "/beslutning/")
    await expect(page.get_by_role("heading", name="Fagdirektørens innboks")).to_be_visible()
    # The bell in the header, like the other services': its text says how many are unread.
    await expect(page.locator("header.topp a.varsler-lenke")).to_contain_text(re.compile(r"Varsler \("))
    await shot(page, "innboks")
    await page.locator("table.innboks tr", has_text="Ny – velg flyt").locator("a").first.click()
    await expect(page.locator("h1")).to_contain_text(LOPENUMMER)
    lopenummer = LOPENUMMER.search(await page.locator("h1").inner_text())
    assert lopenummer is not None
    # The whole application with its section menu, as the søker's form shows it.
    await expect(page.locator("nav.seksjonsmeny")).to_be_visible()
    await expect(page.locator(".seksjon-lesbar").first).to_be_visible()
    await shot(page, "sak-ny")

    await page.get_by_label("Forenklet: jeg avgjør saken selv").check()
    await page.get_by_role("button", name="Lagre valg av flyt").click()
    await expect(page.locator("div.melding[role=status]")).to_contain_text("forenklet flyt")
    await shot(page, "sak-forenklet")

    await page.get_by_label("Innvilget med vilkår").check()
    # Proposed from the application's answers where it has them (service tests prove the proposal);
    # the director edits the scope and the conditions.
    await page.locator("#felt-dosering").fill("1000 mg dag 1 og 15, deretter hver 6. måned")
    await page.locator("#felt-antall_kurer").fill("3")
    await page.locator("#felt-vilkar_stoppregel").fill("Stopp ved nytt attakk tross behandling.")
    await page.locator("details.fraser", has_text="Merknad på resepten").locator("summary").click()
    await page.locator("button[data-frase='felt-resept_merknad']").first.click()
    await expect(page.locator("#felt-resept_merknad")).to_have_value(re.compile(lopenummer.group(0)))
    await page.locator("details.fraser", has_text="Begrunnelse").locator("summary").click()
    await page.locator("button[data-frase='felt-begrunnelse']", has_text="prioriteringskriteriene").click()
    await expect(page.locator("#felt-begrunnelse")).to_have_value(re.compile("prioriteringsforskriften"))
    await page.locator("details.fraser", has_text="Faktureringsrutine").locator("summary").click()
    await page.locator("button[data-frase='felt-faktureringsrutine']").first.click()
    await shot(page, "vedtaksskjema")
    await page.get_by_role("button", name="Fatt vedtak").click()
    await expect(page.locator("div.melding[role=status]")).to_contain_text("Vedtaket er fattet")
    await expect(page.locator("#vedtak")).to_contain_text("Innvilget med vilkår")
    await shot(page, "sak-vedtatt")

    await page.locator("#vedtak").get_by_role("link", name="Vedtaksbrev", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Vedtak: Innvilget med vilkår")
    letter = page.locator("article.brev")
    await expect(letter).to_contain_text(f"Skriv løpenummeret {lopenummer.group(0)}")
    await expect(letter).to_contain_text("Stoppregel")
    await shot(page, "brev")
    await page.emulate_media(media="print")
    await expect(page.locator("header.topp")).to_be_hidden()
    await expect(page.get_by_role("link", name=re.compile("PDF"))).to_be_hidden()
    await shot(page, "brev-utskrift")
    await page.emulate_media(media="screen")
    pdf_url = await page.get_by_role("link", name=re.compile("PDF")).get_attribute("href")
    assert pdf_url
    pdf = await page.request.get(server.url + pdf_url if pdf_url.startswith("/") else pdf_url)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    body = await pdf.body()
    assert body.startswith(b"%PDF-") and lopenummer.group(0).encode() in body

    controller = await login(browser, server, "hbe-controller")
    await controller.goto(server.url + "/beslutning/fakturering")
    await expect(controller.get_by_role("heading", name="Innvilgede behandlinger")).to_be_visible()
    row = controller.locator("tr", has_text=lopenummer.group(0))
    await expect(row).to_contain_text("kostnadssted HBE-4100")
    await shot(controller, "fakturering")
    await row.get_by_role("button", name="Marker fakturert").click()
    await expect(controller.locator("div.melding[role=status]")).to_contain_text("Markeringen er lagret")
    await (
        controller.locator("tr", has_text=lopenummer.group(0))
        .get_by_role("link", name=re.compile("Vedtaket"))
        .click()
    )
    await expect(controller.locator("h1")).to_contain_text(lopenummer.group(0))
    await shot(controller, "fakturering-vedtak")
    await controller.go_back()
    async with controller.expect_download() as download_info:
        await controller.get_by_role("link", name="Last ned Excel (XLSX)").click()
    download = await download_info.value
    sheet = load_workbook(io.BytesIO(_read(await download.path()))).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Løpenummer"
    mine = [r for r in rows[1:] if r[0] == lopenummer.group(0)]
    assert len(mine) == 1 and mine[0][12]  # marked invoiced
    assert len(rows) >= 3  # the seeded grants as well

    # An amendment or a revocation is a new decision referring to the first.
    await page.goto(server.url + "/beslutning/?status=vedtatt")
    await shot(page, "innboks-avgjorte")
    await page.get_by_role("link", name=lopenummer.group(0)).click()
    await page.get_by_text("Endre eller oppheve vedtaket").click()
    await shot(page, "sak-endre-oppheve")
    await page.get_by_label("Hvorfor oppheves vedtaket?").fill("Alvorlige bivirkninger etter første kur.")
    await page.get_by_role("button", name="Opphev vedtaket").click()
    await expect(page.locator("div.melding[role=status]")).to_contain_text("Vedtaket er opphevet")
    await expect(page.locator("#vedtak")).to_contain_text("Vedtaket er opphevet")
    await shot(page, "sak-opphevet")

    admin = await login(browser, server, "hbe-admin")
    await admin.goto(server.url + "/beslutning/fraser")
    await expect(admin.get_by_role("heading", name="Frasebibliotek")).to_be_visible()
    await shot(admin, "fraser")


async def test_tilgangsordningen_is_forwarded_and_the_interregional_decision_registered(
    browser: Browser, server: EmbeddedServer
) -> None:
    async with Api(server, "hbe-soker") as soker, Api(server, "hbe-leder") as leder:
        innhold = complete_innhold("enkeltpasient", "tilgangsordningen")
        body = {
            "type": "enkeltpasient",
            "kategori": "tilgangsordningen",
            "enhet": "HBE-NEVRO",
            "innhold": innhold,
        }
        draft = await soker.call("POST", "/soknad/api/soknader", body)
        lopenummer = (await soker.call("POST", f"/soknad/api/soknader/{draft['id']}/send", {}))["lopenummer"]
        await leder.call(
            "POST",
            f"/soknad/api/soknader/{draft['id']}/forankring",
            {"begrunnelse": "Forankret.", "kostnadssted": "HBE-4100"},
        )
        # One more case, for a question to the applicant.
        other = await soker.call(
            "POST",
            "/soknad/api/soknader",
            {**body, "kategori": "off_label", "innhold": complete_innhold("enkeltpasient", "off_label")},
        )
        annen = (await soker.call("POST", f"/soknad/api/soknader/{other['id']}/send", {}))["lopenummer"]
        await leder.call(
            "POST",
            f"/soknad/api/soknader/{other['id']}/forankring",
            {"begrunnelse": "Forankret.", "kostnadssted": "HBE-4100"},
        )
    async with Api(server, "hbe-fagdirektor") as direktor:

        async def both() -> bool:
            listed = {c["lopenummer"] for c in await direktor.call("GET", "/beslutning/api/saker")}
            return {lopenummer, annen} <= listed

        await wait_until(both, timeout=20)

    page = await login(browser, server, "hbe-fagdirektor")
    await page.goto(server.url + "/beslutning/?status=til_triage")
    await page.get_by_role("link", name=annen).click()
    await page.get_by_text("Be søker om mer informasjon").click()
    await page.get_by_label("Spørsmål til søker").fill("Hvilke bivirkninger hadde azatioprin?")
    await page.get_by_role("button", name="Send spørsmålet").click()
    await expect(page.locator("div.melding[role=status]")).to_contain_text("Saken venter på svar")
    await shot(page, "sak-venter-pa-svar")

    await page.goto(server.url + "/beslutning/?status=til_triage")
    await page.get_by_role("link", name=lopenummer).click()
    await expect(
        page.get_by_role("heading", name=re.compile("Tilgangsordningen: vurder klinisk"))
    ).to_be_visible()
    await shot(page, "tilgang-ny")
    await page.get_by_label("Hvorfor er pasienten klinisk eksepsjonell?").fill(
        "Sjelden genotype, ingen alternativer."
    )
    await page.get_by_role("button", name="Videresend til interregional vurderingskomité").click()
    await expect(page.locator("div.melding[role=status]")).to_contain_text("videresendt")
    await shot(page, "tilgang-videresendt")

    await page.get_by_label("Komiteens referanse").fill("IRK-2026-0042")
    await page.get_by_label("Komiteens vedtaksdato").fill(date.today().isoformat())
    await page.get_by_label("Innvilget", exact=True).check()
    await page.get_by_label("Begrunnelse", exact=True).fill(
        "Den interregionale komiteen fant pasienten klinisk eksepsjonell."
    )
    await page.get_by_role("button", name="Registrer vedtaket").click()
    await expect(page.locator("div.melding[role=status]")).to_contain_text(
        "interregionale komiteens vedtak er registrert"
    )
    await expect(page.locator("#vedtak")).to_contain_text("IRK-2026-0042")
    await shot(page, "tilgang-registrert")
    await page.locator("#vedtak").get_by_role("link", name="Vedtaksbrev", exact=True).click()
    letter = page.locator("article.brev")
    await expect(letter).to_contain_text("den interregionale vurderingskomiteen")
    # The committee decided; the trust's director registered it, and the letter says so.
    await expect(letter).to_contain_text("Komiteens referanse")
    await expect(letter.locator("p.underskrift")).to_contain_text("registrert av")
    await shot(page, "tilgang-brev")
