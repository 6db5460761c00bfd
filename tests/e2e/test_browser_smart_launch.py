"""In the real browser: the patient record (the mock EHR) launches Søknadsportalen (the embedded server, a
real process). The draft opens with the record's patient, applicant and unit, marked «Hentet fra
journalen», and the marking goes when the physician changes a field; two launches for two patients in
one browser stay apart; every refusal is a clear Norwegian page showing nothing of the patient."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from shared.domain.identifiers import synthetic_fodselsnummer
from tests.support.browser import browser, screenshot_path
from tests.support.embedded_server import EmbeddedServer
from tests.support.mock_ehr import Knobs, MockEhr, patient_resource, practitioner_resource

__all__ = ["browser"]

pytestmark = pytest.mark.browser

FNR_A = synthetic_fodselsnummer(date(1961, 5, 17), sex="kvinne")
FNR_B = synthetic_fodselsnummer(date(2001, 11, 2), sex="mann")
REFUSED = "Søknadsportalen kunne ikke åpnes fra journalen"


@pytest.fixture(scope="module")
def ehr() -> Iterator[MockEhr]:
    with MockEhr(client_id="soknad-hbe") as mock:
        mock.add(
            patient_resource(
                "pas-a", fnr=FNR_A, given="Astrid", family="Aasen", birth="1961-05-17", gender="female"
            )
        )
        mock.add(
            patient_resource(
                "pas-b", fnr=FNR_B, given="Bjørn", family="Berg", birth="2001-11-02", gender="male"
            )
        )
        mock.add(practitioner_resource("lege-kari", hpr="9144889", given="Kari", family="Nordmann"))
        mock.add_unit_encounter("enc-revma", resh="900102", patient="pas-a")
        yield mock


@pytest.fixture(scope="module")
def server(ehr: MockEhr, tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    with pytest.MonkeyPatch.context() as env:
        issuer = {**ehr.issuer_config, "scope": "launch openid fhirUser patient/*.rs"}
        env.setenv("SP_SOKNAD_SMART_ISSUERS", json.dumps([issuer]))
        running = EmbeddedServer(tmp_path_factory.mktemp("smart") / "data")
        ehr.redirect_uris.add(f"{running.url}/soknad/smart/callback")
        running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(autouse=True)
def fresh_knobs(ehr: MockEhr) -> None:
    ehr.knobs = Knobs()


def launch_url(server: EmbeddedServer, ehr: MockEhr, patient: str | None, **launch: str) -> str:
    launch_id = ehr.new_launch(patient=patient, practitioner="lege-kari", **launch)
    return ehr.launch_url(f"{server.url}/soknad/smart/launch", launch_id)


async def open_draft(page: Page, url: str) -> None:
    """A new draft from a launch; when the patient already has one (the server lives for the module),
    through the patient's page and its «Ny søknad»."""
    await page.goto(url)
    if await page.get_by_role("heading", name="Søknader for pasienten fra journalen").count():
        await expect(page.locator("#smart-soknader li").first).to_be_visible()
        await page.get_by_role("button", name="Ny søknad").click()
    await expect(page.locator("#lagret-status")).to_contain_text("Versjon 1")


async def test_the_draft_opens_prefilled_and_the_marking_goes_when_changed(
    browser: Browser, server: EmbeddedServer, ehr: MockEhr
) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    await open_draft(page, launch_url(server, ehr, "pas-a", encounter="enc-revma"))
    await expect(page.locator("[name='innhold.pasient_fodselsnummer']")).to_have_value(FNR_A)
    await expect(page.locator("[name='innhold.pasient_navn']")).to_have_value("Astrid Aasen")
    await expect(page.locator("#felt-enhet")).to_have_value("HBE-REVMA")
    await expect(page.locator("#smart-pasient")).to_contain_text("Astrid Aasen")
    await expect(page.locator("#smart-pasient")).to_contain_text("kvinne")
    # Age and sex derived from the number, as for a typed one.
    await expect(page.locator("#felt-innhold\\.pasient_fodselsnummer-avledet")).to_contain_text("år")
    await expect(page.locator("[data-fra-journalen]")).to_have_count(4)
    for felt in ("pasient_fodselsnummer", "pasient_navn", "enhet", "soker"):
        await expect(page.locator(f"[data-fra-journalen='{felt}']")).to_have_text("Hentet fra journalen")
    await page.screenshot(path=str(screenshot_path("smart-launch-draft")), full_page=True)

    # The marking goes as the physician types, and comes back if they restore the record's value.
    await page.locator("[name='innhold.pasient_navn']").fill("Astrid M. Aasen")
    await expect(page.locator("[data-fra-journalen='pasient_navn']")).to_be_hidden()
    await page.locator("#felt-enhet").select_option("HBE-NEVRO")
    await expect(page.locator("[data-fra-journalen='enhet']")).to_be_hidden()
    await page.locator("#felt-enhet").select_option("HBE-REVMA")
    await expect(page.locator("[data-fra-journalen='enhet']")).to_be_visible()
    await page.get_by_role("button", name="Lagre utkast").click()
    await expect(page).to_have_url(re.compile("melding=lagret"))
    await expect(page.locator("[name='innhold.pasient_navn']")).to_have_value("Astrid M. Aasen")
    await expect(page.locator("[data-fra-journalen='pasient_navn']")).to_have_count(0)
    await expect(page.locator("[data-fra-journalen='pasient_fodselsnummer']")).to_have_count(1)
    await context.close()


async def test_two_launches_in_two_tabs_stay_apart(
    browser: Browser, server: EmbeddedServer, ehr: MockEhr
) -> None:
    context = await browser.new_context()
    tab_a, tab_b = await context.new_page(), await context.new_page()
    await open_draft(tab_a, launch_url(server, ehr, "pas-a"))
    await open_draft(tab_b, launch_url(server, ehr, "pas-b"))
    await tab_a.reload()
    await expect(tab_a.locator("[name='innhold.pasient_fodselsnummer']")).to_have_value(FNR_A)
    await expect(tab_a.locator("#smart-pasient")).to_contain_text("Astrid Aasen")
    await expect(tab_a.locator("main")).not_to_contain_text("Bjørn")
    # Tab A still saves (its form's CSRF token survived B's launch), and stays A's.
    await tab_a.locator("[name='innhold.dose']").fill("1000 mg")
    await tab_a.get_by_role("button", name="Lagre utkast").click()
    await expect(tab_a).to_have_url(re.compile("melding=lagret"))
    await expect(tab_a.locator("[name='innhold.pasient_fodselsnummer']")).to_have_value(FNR_A)
    await expect(tab_b.locator("[name='innhold.pasient_fodselsnummer']")).to_have_value(FNR_B)
    await expect(tab_b.locator("main")).not_to_contain_text("Astrid")
    await context.close()


async def test_a_patient_switch_mid_draft_loses_the_records_marking_and_is_flagged(
    browser: Browser, server: EmbeddedServer, ehr: MockEhr
) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    await open_draft(page, launch_url(server, ehr, "pas-b"))
    await page.locator("[name='innhold.pasient_fodselsnummer']").fill(FNR_A)
    await page.get_by_role("button", name="Lagre utkast").click()
    await expect(page).to_have_url(re.compile("melding=lagret"))
    await expect(page.locator("#smart-byttet")).to_contain_text(
        "Søknaden gjelder ikke lenger pasienten den ble åpnet for i journalen"
    )
    await expect(page.locator("[data-fra-journalen='pasient_fodselsnummer']")).to_have_count(0)
    await context.close()


async def expect_refused(page: Page, words: str) -> None:
    await expect(page.locator("h1")).to_have_text(REFUSED)
    await expect(page.locator("#smart-avvist")).to_contain_text(words)
    for secret in ("Astrid", "Bjørn", FNR_A, FNR_B):
        await expect(page.locator("body")).not_to_contain_text(secret)


async def fresh_page(browser: Browser) -> tuple[BrowserContext, Page]:
    context = await browser.new_context()
    return context, await context.new_page()


@pytest.mark.parametrize(
    ("knob", "value", "words"),
    [
        ("expected_aud", "http://another-record.example/fhir", "Journalen avviste innloggingen"),
        ("id_token_claims", {"exp": 1_700_000_000, "iat": 1_699_999_000}, "utløpt"),
        ("id_token_claims", {"iss": "http://127.0.0.1:1/fhir"}, "en annen utsteder"),
        ("omit_patient", True, "Journalen sendte ingen pasient"),
    ],
)
async def test_refusals_from_the_record_show_a_norwegian_page(
    browser: Browser, server: EmbeddedServer, ehr: MockEhr, knob: str, value: object, words: str
) -> None:
    setattr(ehr.knobs, knob, value)
    context, page = await fresh_page(browser)
    await page.goto(launch_url(server, ehr, "pas-a"))
    await expect_refused(page, words)
    # Nobody is logged in: the start page of the application pages asks for a login.
    assert not [c for c in await context.cookies() if c["name"] == "sp_session"]
    await context.close()


async def test_an_unknown_issuer_and_a_bad_state_are_refused(
    browser: Browser, server: EmbeddedServer, ehr: MockEhr
) -> None:
    context, page = await fresh_page(browser)
    launch = ehr.new_launch(patient="pas-a", practitioner="lege-kari")
    query = urlencode({"iss": "http://127.0.0.1:1/fhir", "launch": launch})
    await page.goto(f"{server.url}/soknad/smart/launch?{query}")
    await expect_refused(page, "ikke godkjent i dette helseforetaket")
    await page.goto(f"{server.url}/soknad/smart/callback?code=anything&state=forged")
    await expect_refused(page, "ukjent eller utløpt «state»")
    await context.close()


async def test_a_code_from_another_launch_fails_pkce(
    browser: Browser, server: EmbeddedServer, ehr: MockEhr
) -> None:
    """Two launches stopped before their callbacks (the browser context's own HTTP client, which shares its
    cookies: each launch leaves its pending cookie); then, in the page, the first's code with the second's
    state (a code injected into another login): the verifier kept for the second does not fit the first's
    challenge, and the record refuses the exchange."""
    context, page = await fresh_page(browser)
    callbacks = []
    for patient in ("pas-b", "pas-a"):
        to_record = await context.request.get(launch_url(server, ehr, patient), max_redirects=0)
        assert to_record.status == 302
        back = await context.request.get(to_record.headers["location"], max_redirects=0)
        assert back.status == 302
        callbacks.append(parse_qs(urlsplit(back.headers["location"]).query))
    code_b, state_a = callbacks[0]["code"][0], callbacks[1]["state"][0]
    await page.goto(f"{server.url}/soknad/smart/callback?{urlencode({'code': code_b, 'state': state_a})}")
    await expect_refused(page, "Journalen godtok ikke innloggingen")
    await context.close()
