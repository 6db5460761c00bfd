"""The complete flow of one application in a real browser, on the embedded default run as a real process:
after the leader has anchored it, the medical director triages it to the committee with two named
members and a deadline; one member comments on a section, fills the structured assessment and asks the
applicant for more information; the søker answers in the pages with a changed dose, which both the member
and the director see marked as new; both members recommend «innvilge med vilkår»; the director sees every
member's view, inserts a phrase, decides with scope and conditions and opens the PDF letter; the søker
reads the letter. Every page of the committee and the director is screenshotted into test-output.

Only named members assess and recommend, and the recommendation comes after the question is answered, so
the test holds under the stricter committee rules too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Locator, Page, expect

from shared.platform.web.templating import format_date
from tests.support.browser import browser, screenshot_path
from tests.support.builders import complete_innhold
from tests.support.demo_personer import Api, person, reload_until_visible
from tests.support.embedded_server import EmbeddedServer, embedded_server
from tests.support.pdf_tekst import pdf_text

__all__ = ["browser"]

pytestmark = pytest.mark.browser

KOMMENTAR = "Er 1000 mg riktig dose ved en kroppsvekt på 45 kg?"
SPORSMAL = "Pasienten veier 45 kg. Hvilken dose er planlagt? Oppdater dosen i søknaden."
SVAR = "Dosen er redusert til 500 mg etter vekt; se søknaden."
VILKAR = "Evaluering av attakkfrekvens og MR etter seks måneder; stopp ved nytt attakk."
ANBEFALING = "Alvorlig sykdom uten effekt av azatioprin; moderat dokumentasjon, rimelig kostnad."
RESEPT_FRASE = "Resept, sykehusfinansiert"
DOSERING = "500 mg dag 1 og 15, deretter hver 6. måned"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    with embedded_server(tmp_path / "data") as s:
        yield s


async def shot(page: Page, name: str) -> None:
    await page.screenshot(path=screenshot_path(f"komplett-{name}"), full_page=True)


def status_message(page: Page) -> Locator:
    return page.locator("div.melding[role=status]").first


async def by_keyboard(target: Locator) -> None:
    """Check a radio button or press a button from the keyboard.

    On the committee's case page the section menu is sticky, full width and as tall as the window, so
    once the page scrolls it covers the comment, assessment and recommendation forms and a pointer click
    lands on the menu. Keyboard use is unaffected; this is how the committee's forms are used here."""
    await target.focus()
    kind = await target.evaluate("element => element.type || element.tagName")
    await target.press("Space" if kind in ("radio", "checkbox") else "Enter")
    if kind in ("radio", "checkbox"):
        await expect(target).to_be_checked()


def section(page: Page, title: str) -> Locator:
    """One section of the whole application, as the committee's and the director's pages show it."""
    return page.locator("section.seksjon-lesbar").filter(
        has=page.get_by_role("heading", name=title, exact=True)
    )


async def assess(page: Page, *, alvorlighet: str, nytte: str) -> None:
    """A member's structured assessment (autosaved), with her view «innvilge med vilkår»."""
    form = page.locator("#vurdering")
    for kriterium, niva in (
        ("Alvorlighet", "Høy"),
        ("Nytte", "Moderat"),
        ("Ressursbruk", "Moderat"),
        ("Kvalitet på dokumentasjonen", "Moderat"),
    ):
        await by_keyboard(form.get_by_role("group", name=kriterium).get_by_label(niva))
    await form.get_by_label("Begrunnelse for alvorlighet").fill(alvorlighet)
    await form.get_by_label("Begrunnelse for nytte").fill(nytte)
    await form.get_by_label("Begrunnelse for ressursbruk").fill("Rimeligere enn godkjente alternativer.")
    await form.get_by_label("Alternativer").fill("Godkjente alternativer er prøvd; ingen aktuell studie.")
    await by_keyboard(form.get_by_role("group", name="Mitt syn").get_by_label("Innvilge med vilkår"))
    await expect(page.locator("#lagret-status")).to_contain_text("Lagret", timeout=15_000)


async def test_the_complete_flow_from_triage_to_the_letter_in_the_browser(
    browser: Browser, server: EmbeddedServer
) -> None:
    idag = date.today()
    frist = idag + timedelta(days=10)
    # The applicant's part up to the anchoring is tested elsewhere in the pages; here it is set up
    # through the API. A second committee member and the trust's phrases are the admin's set-up.
    async with (
        Api(server, "hbe-admin") as admin,
        Api(server, "hbe-soker") as soker_api,
        Api(server, "hbe-leder") as leder_api,
    ):
        await admin.call("POST", "/soknad/api/katalog/komite", {"user_id": "hbe-controller"})
        await admin.call(
            "POST",
            "/beslutning/api/fraser",
            {
                "felt": "resept_merknad",
                "tittel": RESEPT_FRASE,
                "tekst": "Sykehusfinansiert, vedtak {lopenummer}, {enhet}.",
            },
        )
        await admin.call(
            "POST",
            "/beslutning/api/fraser",
            {
                "felt": "begrunnelse",
                "tittel": "Innvilget etter prioriteringskriteriene",
                "tekst": "Vurdert etter prioriteringsforskriften § 2 (nytte, ressursbruk og alvorlighet).",
            },
        )
        body = {
            "type": "enkeltpasient",
            "kategori": "off_label",
            "enhet": "HBE-NEVRO",
            "innhold": complete_innhold("enkeltpasient", "off_label"),
        }
        soknad_id = (await soker_api.call("POST", "/soknad/api/soknader", body))["id"]
        lopenummer = (await soker_api.call("POST", f"/soknad/api/soknader/{soknad_id}/send", {}))[
            "lopenummer"
        ]
        await leder_api.call(
            "POST",
            f"/soknad/api/soknader/{soknad_id}/forankring",
            {"begrunnelse": "Faglig og budsjettmessig forankret.", "kostnadssted": "4410"},
        )

    # --- The director triages the case to the committee. ------------------------------------------
    ctx_dir, direktor = await person(browser, server, "hbe-fagdirektor")
    await direktor.goto(server.url + "/beslutning/")
    await expect(direktor.get_by_role("heading", name="Fagdirektørens innboks")).to_be_visible()
    row = direktor.locator("table.innboks tr", has_text=lopenummer)
    await reload_until_visible(direktor, row)
    await expect(row).to_contain_text("Ny – velg flyt")
    await shot(direktor, "direktor-01-innboks")
    await row.get_by_role("link", name=lopenummer).click()
    await expect(direktor.locator("h1")).to_contain_text(lopenummer)
    await expect(section(direktor, "Legemiddel og dosering")).to_contain_text("1000 mg")
    await direktor.get_by_label("Komplett: komiteen vurderer saken først").check()
    medlemmer = direktor.get_by_role("group", name="Komitémedlemmer (komplett flyt)")
    await medlemmer.get_by_label("Ingrid Berg").check()
    await medlemmer.get_by_label("Siri Dahl").check()
    await direktor.get_by_label("Frist for komiteens anbefaling").fill(frist.isoformat())
    await direktor.get_by_label("Merknad til komiteen (valgfritt)").fill("Se særlig doseringen.")
    await shot(direktor, "direktor-02-triage")
    await direktor.get_by_role("button", name="Lagre valg av flyt").click()
    await expect(status_message(direktor)).to_contain_text("Saken er sendt til komiteen.")
    await expect(direktor.locator("h1")).to_contain_text("Hos komiteen")
    handling = direktor.locator("#beslutning-handling")
    await expect(handling).to_contain_text("Saken er hos komiteen")
    for navn in ("Ingrid Berg", "Siri Dahl"):
        await expect(handling).to_contain_text(navn)
    # However the page writes the date (ISO today, the pages' own date format elsewhere).
    frist_tekst = f"({re.escape(frist.isoformat())}|{re.escape(format_date(frist))})"
    await expect(handling).to_contain_text(re.compile(f"frist {frist_tekst}"))
    await shot(direktor, "direktor-03-hos-komiteen")

    # --- A named member comments, assesses and asks the applicant. ---------------------------------
    ctx_ingrid, ingrid = await person(browser, server, "hbe-komite")
    await ingrid.goto(server.url + "/vurdering/")
    await expect(ingrid.get_by_role("heading", name="Saker til vurdering")).to_be_visible()
    await reload_until_visible(ingrid, ingrid.get_by_role("link", name=lopenummer))
    await shot(ingrid, "komite-01-ko")
    await ingrid.get_by_role("link", name=lopenummer).click()
    await expect(ingrid.locator("h1")).to_contain_text(f"Sak {lopenummer}")
    fakta = ingrid.locator("#fakta-tittel + dl")
    await expect(fakta).to_contain_text("Se særlig doseringen.")
    await expect(fakta).to_contain_text(re.compile(f"Frist for anbefaling\\s*{frist_tekst}"))
    await (
        ingrid.get_by_role("navigation", name="Deler av søknaden")
        .get_by_role("link", name="Legemiddel og dosering")
        .click()
    )
    dosering = section(ingrid, "Legemiddel og dosering")
    await expect(dosering.locator("dd", has_text=re.compile(r"^\s*1000 mg\s*$"))).to_be_visible()
    await dosering.get_by_label("Kommenter «Legemiddel og dosering»").fill(KOMMENTAR)
    await by_keyboard(dosering.get_by_role("button", name="Legg til kommentar"))
    await expect(status_message(ingrid)).to_contain_text("Kommentaren er lagret.")
    await expect(section(ingrid, "Legemiddel og dosering").get_by_text(KOMMENTAR)).to_be_visible()
    await shot(ingrid, "komite-02-kommentar")

    await assess(
        ingrid,
        alvorlighet="To attakker siste år med synstap.",
        nytte="Observasjonsstudier viser færre attakker.",
    )
    await shot(ingrid, "komite-03-min-vurdering")
    await ingrid.get_by_label("Nytt spørsmål til søker").fill(SPORSMAL)
    await by_keyboard(ingrid.get_by_role("button", name="Send spørsmål"))
    await expect(status_message(ingrid)).to_contain_text("Spørsmålet er sendt til søker")
    await expect(ingrid.locator("h1")).to_contain_text("Venter på svar")
    await shot(ingrid, "komite-04-venter-pa-svar")

    # --- The søker answers in the pages, with the dose changed in the application. -----------------
    ctx_soker, soker = await person(browser, server, "hbe-soker")
    await soker.goto(f"{server.url}/soknad/s/{soknad_id}")
    await reload_until_visible(soker, soker.get_by_text(SPORSMAL))
    await expect(soker.locator("#tilleggsinfo")).to_contain_text("Spørsmål fra Ingrid Berg")
    await soker.get_by_text("Oppdater svar i søknaden (valgfritt)").click()
    await soker.locator("details.oppdater-seksjon summary", has_text="Legemiddel og dosering").click()
    dose = soker.get_by_label("Dose", exact=True)
    await expect(dose).to_have_value("1000 mg")
    await dose.fill("500 mg")
    await soker.get_by_label("Ditt svar").fill(SVAR)
    await soker.get_by_role("button", name="Send svar").click()
    await expect(soker.get_by_role("status")).to_contain_text("Svaret er sendt")
    await shot(soker, "soker-01-svar-sendt")

    # --- The member sees the answer and the changed dose marked as new, then delivers. -------------
    await reload_until_visible(ingrid, ingrid.get_by_text("Søker har svart på et spørsmål"))
    await expect(ingrid.locator("h1")).not_to_contain_text("Venter på svar")
    dosering = section(ingrid, "Legemiddel og dosering")
    await expect(dosering.locator("dt", has_text="Dose").filter(has_text="Nytt svar")).to_be_visible()
    await expect(dosering.locator("dd", has_text=re.compile(r"^\s*500 mg\s*$"))).to_be_visible()
    await expect(
        ingrid.get_by_role("navigation", name="Deler av søknaden").get_by_role(
            "link", name="Legemiddel og dosering Nytt"
        )
    ).to_be_visible()
    # Only the changed answer is marked.
    await expect(ingrid.locator(".seksjon-lesbar dt .merke-ny")).to_have_count(1)
    await expect(ingrid.locator("#sporsmal-tittel + ol")).to_contain_text(SVAR)
    # What she assessed before asking is still there when the case resumes.
    await expect(ingrid.locator("#vurdering").get_by_label("Begrunnelse for nytte")).to_have_value(
        "Observasjonsstudier viser færre attakker."
    )
    await shot(ingrid, "komite-05-nytt-svar")
    await by_keyboard(
        ingrid.locator("#vurdering").get_by_role("button", name="Lever vurderingen til komiteen")
    )
    await expect(status_message(ingrid)).to_contain_text("Vurderingen din er levert")

    # The director sees the same answer marked as new.
    await direktor.reload()
    await expect(
        direktor.get_by_text("Søker har endret svar etter spørsmål om mer informasjon")
    ).to_be_visible()
    dir_dosering = section(direktor, "Legemiddel og dosering")
    await expect(dir_dosering.locator("dt", has_text="Dose").filter(has_text="Nytt svar")).to_be_visible()
    await expect(dir_dosering.locator("dd", has_text=re.compile(r"^\s*500 mg\s*$"))).to_be_visible()
    await shot(direktor, "direktor-04-nytt-svar")

    # --- The second named member assesses and the committee recommends. ----------------------------
    ctx_siri, siri = await person(browser, server, "hbe-controller")
    await siri.goto(server.url + "/vurdering/")
    await siri.get_by_role("link", name=lopenummer).click()
    await expect(siri.locator("h1")).to_contain_text(f"Sak {lopenummer}")
    await expect(section(siri, "Legemiddel og dosering").get_by_text(KOMMENTAR)).to_be_visible()
    await assess(siri, alvorlighet="Risiko for varig synstap.", nytte="Forventet færre attakker.")
    await by_keyboard(siri.locator("#vurdering").get_by_role("button", name="Lever vurderingen til komiteen"))
    await expect(status_message(siri)).to_contain_text("Vurderingen din er levert")
    levert = siri.locator("#medlemsvurderinger")
    await expect(levert.get_by_role("heading", name=re.compile("^Ingrid Berg"))).to_be_visible()
    await expect(levert.get_by_role("heading", name=re.compile("^Siri Dahl"))).to_be_visible()

    anbefaling = siri.locator("#anbefaling-seksjon")
    for kriterium, niva in (
        ("Alvorlighet", "Høy"),
        ("Nytte", "Moderat"),
        ("Ressursbruk", "Moderat"),
        ("Kvalitet på dokumentasjonen", "Moderat"),
    ):
        await by_keyboard(anbefaling.get_by_role("group", name=re.compile(kriterium)).get_by_label(niva))
    await by_keyboard(
        anbefaling.get_by_role("group", name="Komiteens anbefaling").get_by_label("Innvilge med vilkår")
    )
    await anbefaling.get_by_label("Vilkår (ved innvilgelse med vilkår)").fill(VILKAR)
    await anbefaling.get_by_label("Begrunnelse", exact=True).fill(ANBEFALING)
    await shot(siri, "komite-06-anbefaling-skjema")
    await by_keyboard(anbefaling.get_by_role("button", name="Send anbefaling til fagdirektør"))
    await expect(status_message(siri)).to_contain_text("Anbefalingen er registrert")
    anbefalt = siri.locator("#anbefaling-seksjon")
    await expect(anbefalt.get_by_role("heading")).to_have_text("Komiteens anbefaling: Innvilge med vilkår")
    await expect(anbefalt.get_by_text("Ingrid Berg: Innvilge med vilkår")).to_be_visible()
    await expect(anbefalt.get_by_text("Siri Dahl: Innvilge med vilkår")).to_be_visible()
    await shot(siri, "komite-07-anbefalt")

    # --- The director reads the recommendation, inserts phrases and decides. -----------------------
    await direktor.goto(server.url + "/beslutning/?status=klar_for_vedtak")
    klar = direktor.locator("table.innboks tr", has_text=lopenummer)
    await reload_until_visible(direktor, klar)
    await expect(klar).to_contain_text("Klar for vedtak")
    await klar.get_by_role("link", name=lopenummer).click()
    await expect(direktor.locator("h1")).to_contain_text("Klar for vedtak")
    rad = direktor.get_by_role("region", name=re.compile("^Komiteens anbefaling"))
    await expect(rad.get_by_role("heading", name=re.compile("^Komiteens anbefaling"))).to_have_text(
        "Komiteens anbefaling: Innvilge med vilkår"
    )
    await expect(rad).to_contain_text(ANBEFALING)
    await expect(rad).to_contain_text(VILKAR)
    # Every member's whole assessment, with the name and the member's own view.
    for navn in ("Ingrid Berg", "Siri Dahl"):
        vurdering = rad.locator("article.medlemsvurdering").filter(
            has=direktor.get_by_role("heading", name=re.compile(f"^{navn}"))
        )
        await expect(vurdering).to_contain_text("Medlemmets syn")
        await expect(vurdering).to_contain_text("Innvilge med vilkår")
    await expect(rad).to_contain_text("To attakker siste år med synstap.")
    await shot(direktor, "direktor-05-klar-for-vedtak")

    skjema = direktor.locator("#vedtaksskjema")
    await skjema.get_by_label("Innvilget med vilkår").check()
    await skjema.locator("#felt-dosering").fill(DOSERING)
    await skjema.locator("#felt-antall_kurer").fill("3")
    await skjema.locator("#felt-vilkar_stoppregel").fill("Stopp ved nytt attakk tross behandling.")
    await (
        skjema.locator("details.fraser", has_text="Fraser for «Merknad på resepten»")
        .locator("summary")
        .click()
    )
    await skjema.get_by_role("button", name=RESEPT_FRASE).click()
    merknad = f"Sykehusfinansiert, vedtak {lopenummer}, Nevrologisk avdeling, Haukeland."
    await expect(skjema.locator("#felt-resept_merknad")).to_have_value(merknad)
    await expect(direktor.locator("#frase-status")).to_have_text(f"Frasen «{RESEPT_FRASE}» er satt inn.")
    await skjema.locator("details.fraser", has_text="Fraser for «Begrunnelse»").locator("summary").click()
    await skjema.get_by_role("button", name="Innvilget etter prioriteringskriteriene").click()
    await expect(skjema.locator("#felt-begrunnelse")).to_have_value(
        re.compile("prioriteringsforskriften § 2")
    )
    await shot(direktor, "direktor-06-vedtaksskjema")
    await skjema.get_by_role("button", name="Fatt vedtak").click()
    await expect(status_message(direktor)).to_contain_text("Vedtaket er fattet")
    vedtak = direktor.locator("#vedtak")
    await expect(vedtak.get_by_role("heading", level=2)).to_have_text("Vedtak: Innvilget med vilkår")
    await expect(vedtak).to_contain_text(DOSERING)
    await expect(vedtak).to_contain_text("Stopp ved nytt attakk tross behandling.")
    await expect(vedtak).to_contain_text("Lars Haugen")
    await shot(direktor, "direktor-07-vedtatt")

    await vedtak.get_by_role("link", name="Vedtaksbrev", exact=True).click()
    brev = direktor.locator("article.brev")
    await expect(brev.get_by_role("heading", level=1)).to_have_text("Vedtak: Innvilget med vilkår")
    await expect(brev).to_contain_text(merknad)
    await shot(direktor, "direktor-08-brev")
    pdf_url = await direktor.get_by_role("link", name=re.compile("PDF")).get_attribute("href")
    assert pdf_url
    pdf = await direktor.request.get(server.url + pdf_url if pdf_url.startswith("/") else pdf_url)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    body_pdf = await pdf.body()
    assert body_pdf.startswith(b"%PDF-")
    tekst = pdf_text(body_pdf)
    # The løpenummer is in the metadata too; the page text is what is filed in the patient record.
    assert lopenummer in tekst and "Vedtak: Innvilget med vilkår" in tekst, tekst
    assert "Lars Haugen, fagdirektør" in tekst, tekst

    # --- The søker reads the decision and its letter. -----------------------------------------------
    await soker.goto(f"{server.url}/soknad/s/{soknad_id}")
    await reload_until_visible(soker, soker.get_by_role("heading", name="Vedtak: Innvilget med vilkår"))
    boks = soker.locator("#vedtak")
    await expect(boks).to_contain_text("Vedtatt av")
    await expect(boks).to_contain_text("Lars Haugen")
    await expect(soker.locator(".tidslinje")).not_to_contain_text("Søknadsportalen")
    await shot(soker, "soker-02-vedtak")
    await boks.get_by_role("link", name="Les vedtaksbrevet").click()
    brev = soker.locator("article.brev")
    await expect(brev.get_by_role("heading", level=1)).to_have_text("Vedtak: Innvilget med vilkår")
    await expect(brev.locator(".brevhode")).to_contain_text(f"Saksnummer (løpenummer): {lopenummer}")
    # Granted: the prescription instruction with the director's phrase, signed by her, not the system.
    await expect(brev).to_contain_text(f"Skriv løpenummeret {lopenummer} i merknadsfeltet på resepten")
    await expect(brev.locator(".underskrift")).to_contain_text(re.compile(r"^\s*Lars Haugen, fagdirektør,"))
    await shot(soker, "soker-03-brev")

    for ctx in (ctx_dir, ctx_ingrid, ctx_soker, ctx_siri):
        await ctx.close()
