"""Two committee members work through a case in Debian's chromium: the queue, the whole application
with its section menu, comments and a reply on a section, the structured assessment autosaved and
submitted, the recommendation with both members' views, notifications, and an external consultant's
page without the patient's identity. A screenshot of every committee page goes to test-output.

vurdering runs in-process behind uvicorn with the in-process bus; the test publishes what soknad and
beslutning would (the anchoring, the director's triage), so it needs neither."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import uvicorn
from playwright.async_api import Browser, BrowserContext, Page, expect

from shared.domain.identifiers import synthetic_fodselsnummer
from shared.events.common import Feltvisning, Forankring, Indikasjon, Legemiddel, Pasient, Seksjonsvisning
from shared.events.contracts import AnbefalingAvgitt, SoknadForankret
from shared.events.envelope import Envelope
from shared.platform.auth.demo import DEMO_USERS
from shared.platform.auth.session import SESSION_COOKIE
from shared.platform.bus.base import RetryPolicy
from shared.platform.bus.memory import MemoryBus
from tests.support.apps import running, session_cookie
from tests.support.browser import browser, screenshot_path
from tests.support.embedded_server import free_port
from tests.support.recording import record_events
from tests.support.triage import send_til_komite
from vurdering.app import create_app as create_vurdering
from vurdering.settings import VurderingSettings

__all__ = ["browser"]

pytestmark = pytest.mark.browser

WAIT = 10_000
BORN = date(1985, 3, 15)
FNR = synthetic_fodselsnummer(BORN, sex="kvinne")
PASIENT = "Testa Testesen"


class Served:
    def __init__(self, app: Any, bus: MemoryBus, url: str) -> None:
        self.app, self.bus, self.url = app, bus, url


@pytest_asyncio.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    bus = MemoryBus(retry=RetryPolicy((0.1, 0.2, 0.4)))
    await bus.connect()
    await bus.declare_exchange("soknad.events")
    await bus.declare_exchange("beslutning.events")
    # Makes the recommendation routable: beslutning, its real consumer, is not running here.
    await record_events(bus, [("vurdering.events", AnbefalingAvgitt)])
    app = create_vurdering(
        VurderingSettings(data_dir=tmp_path / "vurdering", log_json=False, outbox_poll_interval_s=0.05),
        bus=bus,
    )
    port = free_port()
    async with running(app):
        await app.state.runtime.katalog.legg_til_komite(DEMO_USERS["hbe-admin"], user_id="hbe-controller")
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
        )
        task = asyncio.create_task(server.serve())
        while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
            await asyncio.sleep(0.05)
        try:
            yield Served(app, bus, f"http://127.0.0.1:{port}")
        finally:
            server.should_exit = True
            await task
    await bus.close()


def anchored() -> SoknadForankret:
    now = datetime.now(UTC)
    return SoknadForankret(
        soknad_id=str(uuid.uuid4()),
        lopenummer=f"HBE-2026-{uuid.uuid4().int % 1_000_000:06d}",
        hf="HBE",
        type="enkeltpasient",
        kategori="off_label",
        enhet="HBE-NEVRO",
        soker_id="hbe-soker",
        soker_navn="Kari Nordmann",
        pasient=Pasient(fodselsnummer=FNR, navn=PASIENT, fodselsdato=BORN, kjonn="kvinne"),
        legemiddel=Legemiddel(
            navn="MabThera inf kons 10 mg/ml", virkestoff="rituksimab", atc="L01FA01", verifisert=True
        ),
        indikasjon=Indikasjon(kode="G35", tekst="Multippel sklerose", verifisert=True),
        begrunnelse="Attakker tross to linjer behandling.",
        estimert_kostnad_nok=120_000,
        sendt_at=now - timedelta(days=1),
        forankret_at=now,
        forankring=Forankring(
            leder_id="hbe-leder", leder_navn="Per Hansen", begrunnelse="Enig.", kostnadssted="4100"
        ),
        visning=[
            Seksjonsvisning(
                id="pasient",
                tittel="Pasient",
                felt=[
                    Feltvisning(id="pasient_fodselsnummer", etikett="Fødselsnummer", svar=FNR),
                    Feltvisning(id="pasient_navn", etikett="Navn", svar=PASIENT),
                ],
            ),
            Seksjonsvisning(
                id="legemiddel",
                tittel="Legemiddel og dosering",
                felt=[
                    Feltvisning(
                        id="dosering", etikett="Dose og intervall", svar="1000 mg to ganger, 14 dager mellom"
                    )
                ],
            ),
            Seksjonsvisning(
                id="tidligere_behandling",
                tittel="Tidligere behandling og alternativer",
                felt=[
                    Feltvisning(
                        id="tidligere",
                        etikett="Tidligere behandling",
                        svar="Interferon og natalizumab, attakker. Testesens fastlege henviste "
                        "(f. 15. mars 1985, 15.03.85).",
                    )
                ],
            ),
        ],
    )


async def member(browser: Browser, served: Served, user_id: str) -> tuple[BrowserContext, Page]:
    context = await browser.new_context(locale="nb-NO")
    cookie = await session_cookie(served.app, user_id)
    await context.add_cookies([{"name": SESSION_COOKIE, "value": cookie, "url": served.url}])
    page = await context.new_page()
    page.set_default_timeout(WAIT)
    return context, page


async def shot(page: Page, name: str) -> None:
    await page.screenshot(path=str(screenshot_path(name)), full_page=True)


async def test_two_members_comment_assess_and_recommend_in_the_browser(
    browser: Browser, served: Served
) -> None:
    event = anchored()
    await served.bus.publish(
        Envelope(
            source="/hf/HBE/soknad",
            type=event.TYPE,
            hf="HBE",
            subject=event.lopenummer,
            correlationid="t",
            data=event.model_dump(mode="json"),
        ),
        exchange="soknad.events",
    )
    await served.bus.drain()
    await send_til_komite(
        served.bus,
        soknad_id=event.soknad_id,
        lopenummer=event.lopenummer,
        medlemmer=(("hbe-komite", "Ingrid Berg"), ("hbe-controller", "Siri Dahl")),
    )
    await served.bus.drain()

    ctx1, ingrid = await member(browser, served, "hbe-komite")
    await ingrid.goto(served.url + "/")
    await expect(ingrid.get_by_role("heading", name="Saker til vurdering")).to_be_visible()
    await expect(ingrid.get_by_role("link", name="Varsler (1 ulest)")).to_be_visible()
    await shot(ingrid, "vurdering-ko")
    await ingrid.get_by_role("link", name="Varsler (1 ulest)").click()
    await expect(ingrid.get_by_text(f"Du er tildelt sak {event.lopenummer}")).to_be_visible()
    await shot(ingrid, "vurdering-varsler")
    await ingrid.get_by_role("link", name=re.compile("Du er tildelt sak")).click()

    await expect(ingrid.get_by_role("heading", name=re.compile(f"Sak {event.lopenummer}"))).to_be_visible()
    menu = ingrid.get_by_role("navigation", name="Deler av søknaden")
    await menu.get_by_role("link", name="Legemiddel og dosering").click()
    section = ingrid.locator("#sv-legemiddel")
    await expect(section.get_by_text("1000 mg to ganger, 14 dager mellom")).to_be_visible()
    await section.get_by_label("Kommenter «Legemiddel og dosering»").fill("Er dosen vanlig ved MS?")
    await section.get_by_role("button", name="Legg til kommentar").click()
    await expect(ingrid.get_by_role("status").first).to_contain_text("Kommentaren er lagret.")
    await expect(ingrid.locator("#sv-legemiddel").get_by_text("Er dosen vanlig ved MS?")).to_be_visible()
    await shot(ingrid, "vurdering-sak-kommentar")

    # The assessment saves itself while she types; a reload shows it saved.
    form = ingrid.locator("#vurdering")
    for kriterium, niva in (
        ("Alvorlighet", "Høy"),
        ("Nytte", "Moderat"),
        ("Ressursbruk", "Moderat"),
        ("Kvalitet på dokumentasjonen", "Moderat"),
    ):
        await form.get_by_role("group", name=kriterium).get_by_label(niva).check()
    await form.get_by_label("Begrunnelse for alvorlighet").fill("Hyppige attakker med funksjonstap.")
    await form.get_by_label("Begrunnelse for nytte").fill("Observasjonsstudier viser færre attakker.")
    await form.get_by_label("Begrunnelse for ressursbruk").fill("Rimeligere enn godkjente alternativer.")
    await form.get_by_label("Alternativer").fill("Godkjente alternativer er prøvd.")
    await form.get_by_role("group", name="Mitt syn").get_by_label("Innvilge med vilkår").check()
    await expect(ingrid.locator("#lagret-status")).to_contain_text("Lagret", timeout=15_000)
    await ingrid.reload()
    await expect(ingrid.locator("#vurdering").get_by_label("Begrunnelse for nytte")).to_have_value(
        "Observasjonsstudier viser færre attakker."
    )
    await shot(ingrid, "vurdering-sak-min-vurdering")
    # On a phone the case page does not scroll sideways.
    await ingrid.set_viewport_size({"width": 390, "height": 844})
    widths = await ingrid.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths
    await shot(ingrid, "vurdering-sak-telefon")
    await ingrid.set_viewport_size({"width": 1280, "height": 900})
    await ingrid.locator("#vurdering").get_by_role("button", name="Lever vurderingen til komiteen").click()
    await expect(ingrid.get_by_role("status").first).to_contain_text("Vurderingen din er levert")

    ctx2, siri = await member(browser, served, "hbe-controller")
    await siri.goto(served.url + ingrid.url.removeprefix(served.url).split("?")[0])
    thread = siri.locator("#sv-legemiddel")
    await thread.get_by_text("Svar på kommentaren fra Ingrid Berg").click()
    await thread.get_by_label("Ditt svar").fill("Ja, standard induksjon.")
    await thread.get_by_role("button", name="Svar", exact=True).click()
    await expect(siri.locator("#sv-legemiddel").get_by_text("Ja, standard induksjon.")).to_be_visible()
    medlemmer = siri.locator("#medlemsvurderinger")
    await expect(medlemmer.get_by_text("Hyppige attakker med funksjonstap.")).to_be_visible()

    anbefaling = siri.locator("#anbefaling-seksjon")
    for kriterium, niva in (
        ("Alvorlighet", "Høy"),
        ("Nytte", "Moderat"),
        ("Ressursbruk", "Moderat"),
        ("Kvalitet på dokumentasjonen", "Moderat"),
    ):
        await anbefaling.get_by_role("group", name=re.compile(kriterium)).get_by_label(niva).check()
    await (
        anbefaling.get_by_role("group", name="Komiteens anbefaling")
        .get_by_label("Innvilge med vilkår")
        .check()
    )
    await anbefaling.get_by_role("button", name="Send anbefaling til fagdirektør").click()
    await expect(siri.locator("#feiloppsummering")).to_contain_text("Skriv vilkårene komiteen foreslår.")
    await (
        siri.locator("#anbefaling-seksjon")
        .get_by_label("Vilkår (ved innvilgelse med vilkår)")
        .fill("Evaluering etter seks måneder.")
    )
    await (
        siri.locator("#anbefaling-seksjon")
        .get_by_label("Begrunnelse", exact=True)
        .fill("Alvorlig sykdom, moderat dokumentasjon.")
    )
    await (
        siri.locator("#anbefaling-seksjon")
        .get_by_role("button", name="Send anbefaling til fagdirektør")
        .click()
    )
    await expect(siri.get_by_role("status").first).to_contain_text("Anbefalingen er registrert")
    await expect(
        siri.locator("#anbefaling-seksjon").get_by_text("Ingrid Berg: Innvilge med vilkår")
    ).to_be_visible()
    await shot(siri, "vurdering-sak-anbefalt")

    # An external consultant, invited on a second case, reads it without the patient.
    other = anchored()
    await served.bus.publish(
        Envelope(
            source="/hf/HBE/soknad",
            type=other.TYPE,
            hf="HBE",
            subject=other.lopenummer,
            correlationid="t",
            data=other.model_dump(mode="json"),
        ),
        exchange="soknad.events",
    )
    await served.bus.drain()
    await send_til_komite(served.bus, soknad_id=other.soknad_id, lopenummer=other.lopenummer)
    await served.bus.drain()
    await ingrid.goto(served.url + "/")
    await ingrid.get_by_role("link", name=other.lopenummer).click()
    konsultasjon = ingrid.locator("#konsultasjon")
    await konsultasjon.get_by_label("Finn fagperson i katalogen (navn eller HPR-nummer)").fill("Bakke")
    await konsultasjon.get_by_label("Helseforetak", exact=True).fill("OUS")
    await konsultasjon.get_by_role("button", name="Søk").click()
    await ingrid.locator("#konsultasjon").get_by_role("link", name="velg").first.click()
    form_k = ingrid.locator("#konsultasjon-skjema")
    await expect(form_k.get_by_label("HPR-nummer")).to_have_value("9155771")
    await form_k.get_by_role("button", name="Inviter til uttalelse").click()
    link = await ingrid.locator("#ny-lenke").input_value()
    await shot(ingrid, "vurdering-sak-konsultasjon-invitert")

    # The consultant is a physician of another trust (OUS, HPR 9155771), logged in; the link alone
    # opens nothing, and someone logged in with another HPR number is refused.
    url = link if link.startswith("http") else served.url + link
    ctx4, other_person = await member(browser, served, "hbe-soker")
    refused = await other_person.goto(url)
    assert refused is not None and refused.status == 403
    await expect(other_person.get_by_text("Invitasjonen gjelder en annen fagperson enn deg")).to_be_visible()
    assert "interferon" not in (await other_person.content()).lower()
    await shot(other_person, "vurdering-konsultasjon-feil-person")

    ctx3, consultant = await member(browser, served, "ous-soker")
    await consultant.goto(url)
    await expect(consultant.get_by_role("heading", name=re.compile("Uttalelse om sak"))).to_be_visible()
    html = await consultant.content()
    for secret in (FNR, PASIENT, "Testa", "Testesen", "15.03.1985", "15. mars 1985", "15.03.85"):
        assert secret not in html
    await consultant.get_by_role("textbox", name="Uttalelse").fill("Rimelig, evaluer etter tre måneder.")
    await consultant.get_by_role("button", name="Send uttalelse").click()
    await expect(consultant.get_by_role("status")).to_contain_text("Uttalelsen er sendt")
    await shot(consultant, "vurdering-konsultasjon-ekstern")

    sak_id = ingrid.url.split("/sak/")[1].split("/")[0].split("?")[0].split("#")[0]
    await ingrid.goto(f"{served.url}/sak/{sak_id}#konsultasjon")
    await expect(ingrid.get_by_text("Jonas Bakke (Oslo universitetssykehus)", exact=True)).to_be_visible()

    for ctx in (ctx1, ctx2, ctx3, ctx4):
        await ctx.close()
