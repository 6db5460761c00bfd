"""In a real browser on the embedded default: the committee asks for more information and the søker
answers with an updated field of the application; the decision comes back with who decided, the
validity and the link to the letter; and, as its validity is ending, the søker applies for continuation
with one click. The committee and the director act through their APIs; screenshots go to test-output."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, expect

from shared.domain.kalender import oslo_date
from tests.support.browser import browser, screenshot_path
from tests.support.builders import complete_innhold
from tests.support.demo_personer import Api, person, reload_until_visible
from tests.support.embedded_server import EmbeddedServer, embedded_server
from tests.support.waiting import wait_until

__all__ = ["browser"]

pytestmark = pytest.mark.browser

WAIT = 10_000
SPORSMAL = "Hvilken dose er planlagt? Oppgi den i søknaden."


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    with embedded_server(tmp_path / "data") as s:
        yield s


async def listed(client: Api, url: str, lopenummer: str) -> dict[str, Any]:
    found: dict[str, Any] = {}

    async def arrived() -> bool:
        rows = (await client.json_request("GET", url)).json()
        found.update(next((c for c in rows if c.get("lopenummer") == lopenummer), {}))
        return bool(found)

    await wait_until(arrived, timeout=20)
    return found


async def test_request_answered_with_a_changed_field_decision_and_continuation(
    browser: Browser, server: EmbeddedServer
) -> None:
    # Oslo's date, as the pages count the days a decision is still valid (the machine's clock is UTC).
    idag = oslo_date(datetime.now(UTC))
    async with (
        Api(server, "hbe-soker") as soker_api,
        Api(server, "hbe-leder") as leder,
        Api(server, "hbe-komite") as komite,
        Api(server, "hbe-fagdirektor") as direktor,
    ):
        body = {
            "type": "enkeltpasient",
            "kategori": "off_label",
            "enhet": "HBE-NEVRO",
            "innhold": complete_innhold("enkeltpasient", "off_label"),
        }
        draft = (await soker_api.json_request("POST", "/soknad/api/soknader", body)).json()
        soknad_id = draft["id"]
        lopenummer = (
            await soker_api.json_request("POST", f"/soknad/api/soknader/{soknad_id}/send", {})
        ).json()["lopenummer"]
        await leder.json_request(
            "POST",
            f"/soknad/api/soknader/{soknad_id}/forankring",
            {"begrunnelse": "Faglig og budsjettmessig forankret.", "kostnadssted": "4100"},
        )
        # The director sends the case to the committee (the complete flow); then it is theirs.
        bsak = await listed(direktor, "/beslutning/api/saker", lopenummer)
        await direktor.json_request(
            "POST",
            f"/beslutning/api/saker/{bsak['id']}/triage",
            {"flyt": "komplett", "medlemmer": ["hbe-komite"], "frist": str(idag + timedelta(days=14))},
        )
        sak = await listed(komite, "/vurdering/api/saker", lopenummer)
        await komite.json_request(
            "POST", f"/vurdering/api/saker/{sak['id']}/tilleggsinformasjon", {"sporsmal": SPORSMAL}
        )

        context, page = await person(browser, server, timeout_ms=WAIT, user_id="hbe-soker")
        await page.goto(f"{server.url}/soknad/s/{soknad_id}")
        await reload_until_visible(page, page.get_by_text(SPORSMAL))
        await page.screenshot(path=screenshot_path("soknad8-01-sporsmal-fra-komiteen"), full_page=True)

        # The answer, with the dose updated in the application itself.
        await page.get_by_text("Oppdater svar i søknaden (valgfritt)").click()
        await page.locator("details.oppdater-seksjon summary", has_text="Legemiddel og dosering").click()
        dose = page.get_by_label("Dose", exact=True)
        await expect(dose).to_have_value("1000 mg")
        await dose.fill("500 mg")
        await page.get_by_label("Ditt svar").fill("Dosen er redusert til 500 mg; se søknaden.")
        await page.screenshot(path=screenshot_path("soknad8-02-svar-med-endret-dose"), full_page=True)
        await page.get_by_role("button", name="Send svar").click()
        await expect(page.get_by_role("status")).to_contain_text("Svaret er sendt")
        await expect(page.get_by_text("Endret i søknaden: «Dose»")).to_be_visible()
        await expect(
            page.locator(".seksjon-lesbar dd", has_text=re.compile(r"^\s*500 mg\s*$"))
        ).to_be_visible()
        await page.screenshot(path=screenshot_path("soknad8-03-svar-sendt"), full_page=True)

        # The committee recommends once the answer is back; the director decides, valid 20 more days.
        async def recommended() -> bool:
            r = await komite.json_request(
                "POST",
                f"/vurdering/api/saker/{sak['id']}/anbefaling",
                {
                    "anbefaling": "innvilge",
                    "begrunnelse": "Vurdert etter prioriteringskriteriene.",
                    "kriterier": {"alvorlighet": 3, "nytte": 2, "ressursbruk": 2, "evidenskvalitet": 2},
                },
                ok=False,
            )
            return r.status_code < 400

        await wait_until(recommended, timeout=20, interval=0.3)
        bsak = await listed(direktor, "/beslutning/api/saker", lopenummer)

        async def ready() -> bool:
            current = (await direktor.json_request("GET", f"/beslutning/api/saker/{bsak['id']}")).json()
            return bool(current.get("status") == "klar_for_vedtak")

        await wait_until(ready, timeout=20)
        gyldig_til = idag + timedelta(days=20)
        sak_etter = (
            await direktor.json_request(
                "POST",
                f"/beslutning/api/saker/{bsak['id']}/vedtak",
                {
                    "utfall": "innvilget",
                    "begrunnelse": "I tråd med komiteens anbefaling.",
                    "gyldig_til": gyldig_til.isoformat(),
                    "evalueringsdato": (idag + timedelta(days=10)).isoformat(),
                },
            )
        ).json()
        vedtak = sak_etter["vedtak"]

        await page.goto(f"{server.url}/soknad/s/{soknad_id}")
        await reload_until_visible(page, page.get_by_role("heading", name="Vedtak: Innvilget"))
        box = page.locator("#vedtak")
        await expect(box).to_contain_text("Vedtatt av")
        await expect(box).to_contain_text("Lars Haugen")
        await expect(box).to_contain_text("Gyldig")
        letter = box.get_by_role("link", name="Les vedtaksbrevet")
        await expect(letter).to_have_attribute("href", f"/beslutning/vedtak/{vedtak['id']}/brev")
        await expect(box.get_by_role("link", name="Vedtaksbrevet som PDF")).to_have_attribute(
            "href", f"/beslutning/vedtak/{vedtak['id']}/brev.pdf"
        )
        history = page.locator(".tidslinje")
        await expect(history).to_contain_text("Vedtak: Innvilget")
        await expect(history).not_to_contain_text("Søknadsportalen")
        await page.screenshot(path=screenshot_path("soknad8-04-vedtak-med-brev"), full_page=True)

        # Follow-up with its categories: adverse events and their gravest grade.
        await box.get_by_role("link", name="Registrer oppfølging av behandlingen").click()
        await page.get_by_label("God effekt").check()
        await page.locator("[name=bivirkninger][value=ja]").check()
        await page.get_by_label("Lett (grad 1)").check()
        await page.get_by_label("Beskriv bivirkningene").fill("Lett infusjonsreaksjon ved første kur.")
        await page.get_by_label("Ja, den fortsetter").check()
        await page.screenshot(path=screenshot_path("soknad8-05-oppfolging-med-kategorier"), full_page=True)
        await page.get_by_role("button", name="Registrer oppfølging").click()
        await expect(page.get_by_role("status")).to_contain_text("Oppfølgingen er registrert.")
        await expect(page.locator("table")).to_contain_text("Ja (lett (grad 1))")
        await page.get_by_role("link", name="Tilbake til søknaden").click()

        # Continuation with one click.
        box = page.locator("#vedtak")
        await expect(box).to_contain_text("Vedtaket er gyldig i 20 dager til.")
        await box.get_by_role("button", name="Søk om fortsettelse").click()
        await expect(page.locator("#fortsettelse-av")).to_contain_text(f"søknad {lopenummer}")
        behandling = page.get_by_label("Tidligere behandling", exact=True)
        await expect(behandling).to_have_value(re.compile(f"etter vedtak {lopenummer}"))
        await expect(page.get_by_label("Dose", exact=True)).to_have_value("500 mg")
        utfall = page.get_by_label("Hvorfor virket den ikke, eller hvorfor kan den ikke brukes?", exact=True)
        await expect(utfall).to_have_value(re.compile("Effekt av behandlingen så langt:\n.*god effekt"))
        await page.screenshot(path=screenshot_path("soknad8-06-fortsettelse-utkast"), full_page=True)
        new_url = page.url
        await page.goto(f"{server.url}/soknad/s/{soknad_id}")
        await expect(page.locator("#fortsettelser")).to_contain_text("utkast")
        await page.locator("#fortsettelser").get_by_role("link").click()
        await expect(page).to_have_url(re.compile(re.escape(new_url.split("?", 1)[0])))
        await context.close()
