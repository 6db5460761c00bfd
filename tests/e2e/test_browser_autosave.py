"""Autosave in a real browser: the status never claims text is saved that the server has not confirmed,
nothing is sent when nothing changed, what was typed just before leaving the page is saved anyway, and
the browser's «Leave site?» warning appears only when something would really be lost."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest
from playwright.async_api import Browser, Dialog, Locator, Page, Request, Route, expect

from tests.support.browser import browser, scripts_ready
from tests.support.embedded_server import EmbeddedServer, embedded_server
from tests.support.waiting import wait_until

__all__ = ["browser"]

pytestmark = pytest.mark.browser

LAGRET = re.compile(r"Lagret \d\d:\d\d")
# Right after typing: not saved yet, or (on a slow machine, if a pause came between two fields) on its way.
NOT_YET = re.compile(r"^(Ikke lagret ennå|Lagrer …)$")
WAIT = 10_000
THREE_FIELDS = {
    "Pasientens navn": "Syntetisk Testpasient",
    "Dose": "1000 mg",
    "Samlet klinisk begrunnelse": "Manglende effekt av azatioprin over 12 måneder.",
}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    with embedded_server(tmp_path / "data") as s:
        yield s


class Watched:
    """A søker's page with every dialog and every save the browser sends recorded."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.puts: list[Request] = []
        page.on("dialog", self._dialog)
        page.on("request", lambda r: self.puts.append(r) if r.method == "PUT" else None)

    async def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        await dialog.accept()


async def soker_with_draft(browser: Browser, server: EmbeddedServer) -> tuple[Watched, str]:
    page = await browser.new_page()
    page.set_default_timeout(WAIT)
    watched = Watched(page)
    await page.goto(server.url + "/")
    await page.locator("button[data-bruker='hbe-soker']").click()
    await expect(page.get_by_role("heading", name="Mine søknader")).to_be_visible()
    await page.get_by_label("Ordning").select_option("off_label")
    await page.get_by_role("button", name="Start ny søknad").click()
    await expect(status(page)).to_contain_text("Versjon 1")
    await scripts_ready(page)
    return watched, page.url


def status(page: Page) -> Locator:
    return page.locator("#lagret-status")


async def save_url(page: Page) -> str:
    url = await page.locator("form[data-autosave-url]").get_attribute("data-autosave-url")
    assert url
    # The page's links are relative to the site (never built from the Host header).
    return urljoin(page.url, url)


async def record_status(page: Page) -> None:
    """From now on, every text the status shows is kept in `window.statusLog`."""
    await page.evaluate(
        """() => {
          const el = document.getElementById("lagret-status");
          window.statusLog = [el.textContent];
          new MutationObserver(() => window.statusLog.push(el.textContent))
            .observe(el, { childList: true, characterData: true, subtree: true });
        }"""
    )


async def status_log(page: Page) -> list[str]:
    return list(await page.evaluate("() => window.statusLog"))


async def since_typing(page: Page) -> list[str]:
    """The status texts from the first keystroke on (before it, «Lagret» was true)."""
    log = await status_log(page)
    assert "Ikke lagret ennå" in log, log
    return log[log.index("Ikke lagret ennå") :]


async def saved_innhold(page: Page, url: str) -> dict[str, object]:
    r = await page.request.get(url, headers={"accept": "application/json"})
    assert r.ok, await r.text()
    return dict((await r.json())["innhold"])


async def test_leaving_a_saved_field_for_the_summary_sends_nothing_and_asks_nothing(
    browser: Browser, server: EmbeddedServer
) -> None:
    watched, _ = await soker_with_draft(browser, server)
    page = watched.page
    justification = page.get_by_label("Samlet klinisk begrunnelse", exact=True)
    await justification.fill("Manglende effekt av azatioprin.")
    await expect(status(page)).to_contain_text(LAGRET)
    saves = len(watched.puts)
    assert saves == 1

    await justification.blur()  # «change» fires, but nothing differs from what is saved
    await page.get_by_role("link", name="Oppsummering før sending").click()
    await expect(page.get_by_role("heading", name="Oppsummering før sending", level=1)).to_be_visible()
    assert watched.dialogs == []
    assert len(watched.puts) == saves  # nothing changed since the confirmed save: nothing sent


async def test_typing_then_following_a_link_at_once_saves_first(
    browser: Browser, server: EmbeddedServer
) -> None:
    watched, draft_url = await soker_with_draft(browser, server)
    page = watched.page
    for label, text in THREE_FIELDS.items():
        await page.get_by_label(label, exact=True).fill(text)
    # Well inside the 1.5 s pause after the last keystroke: the page does not claim it is saved.
    await expect(status(page)).to_have_text(NOT_YET)
    await page.get_by_role("link", name="Oppsummering før sending").click()
    await expect(page.get_by_role("heading", name="Oppsummering før sending", level=1)).to_be_visible()
    # The summary was read after the save: it shows what was typed.
    for text in THREE_FIELDS.values():
        await expect(page.locator("main")).to_contain_text(text)
    assert watched.dialogs == []
    await page.goto(draft_url)
    for label, text in THREE_FIELDS.items():
        await expect(page.get_by_label(label, exact=True)).to_have_value(text)


async def test_typing_then_leaving_the_page_at_once_keeps_every_field(
    browser: Browser, server: EmbeddedServer
) -> None:
    watched, draft_url = await soker_with_draft(browser, server)
    page = watched.page
    url = await save_url(page)
    for label, text in THREE_FIELDS.items():
        await page.get_by_label(label, exact=True).fill(text)
    await expect(status(page)).to_have_text(NOT_YET)
    # Away to another site at once, the way a typed address or a bookmark leaves: no link to wait for.
    await page.goto("about:blank")
    assert watched.dialogs == []

    # The save was sent as the page went (a keepalive request the browser finishes on its own); it
    # reaches the server a moment later, so wait for it there before opening the draft again.
    async def all_saved() -> bool:
        innhold = await saved_innhold(page, url)
        return (innhold.get("pasient_navn"), innhold.get("dose"), innhold.get("begrunnelse")) == tuple(
            THREE_FIELDS.values()
        )

    await wait_until(all_saved, timeout=10, interval=0.1)
    await page.goto(draft_url)
    for label, text in THREE_FIELDS.items():
        await expect(page.get_by_label(label, exact=True)).to_have_value(text)
    await expect(status(page)).to_contain_text("Versjon 2")


async def test_the_status_never_says_lagret_while_a_save_fails_or_is_on_its_way(
    browser: Browser, server: EmbeddedServer
) -> None:
    watched, draft_url = await soker_with_draft(browser, server)
    page = watched.page
    url = await save_url(page)
    await page.get_by_label("Pasientens navn", exact=True).fill("Syntetisk Testpasient")
    await expect(status(page)).to_contain_text(LAGRET)

    # 1. The server fails every save: the page says so and keeps saying it, never «Lagret».
    async def fail(route: Route) -> None:
        if route.request.method == "PUT":
            await route.fulfill(status=503, body="utilgjengelig")
        else:
            await route.continue_()

    await page.route(url, fail)
    await record_status(page)
    dose = page.get_by_label("Dose", exact=True)
    await dose.fill("1000 mg")
    await expect(status(page)).to_contain_text("Ikke lagret – prøver igjen")
    await expect(status(page)).to_have_class(re.compile(r"\bfeil\b"))
    # Typing on while the server fails leaves the failure in view.
    await dose.press_sequentially(" x2", delay=20)
    await expect(status(page)).to_contain_text("Ikke lagret – prøver igjen")
    log = await since_typing(page)
    assert not [s for s in log if LAGRET.search(s)], log

    # 2. Saves held on their way: «Lagrer …», then, with newer text typed meanwhile, still not «Lagret».
    held: asyncio.Queue[Route] = asyncio.Queue()

    async def hold(route: Route) -> None:
        if route.request.method == "PUT":
            await held.put(route)
        else:
            await route.continue_()

    # The newest route is asked first: hold every save from now on, then stop failing them (no gap in
    # which a retry could slip through to the server).
    await page.route(url, hold)
    await page.unroute(url, fail)
    await page.evaluate("() => { window.statusLog = []; }")
    justification = page.get_by_label("Samlet klinisk begrunnelse", exact=True)
    await justification.fill("Første del.")
    first = await asyncio.wait_for(held.get(), timeout=15)
    await expect(status(page)).to_have_text("Lagrer …")
    await justification.fill("Første del. Andre del.")
    await first.continue_()
    second = await asyncio.wait_for(held.get(), timeout=15)
    sent = json.loads(second.request.post_data or "{}")
    assert sent["innhold"]["begrunnelse"] == "Første del. Andre del."
    log = await status_log(page)
    assert not [s for s in log if LAGRET.search(s)], log
    assert "Lagrer …" in log
    await second.continue_()
    await expect(status(page)).to_contain_text(LAGRET)
    await expect(status(page)).not_to_have_class(re.compile(r"\bfeil\b"))
    await page.unroute(url, hold)

    innhold = await saved_innhold(page, url)
    assert innhold["dose"] == "1000 mg x2" and innhold["begrunnelse"] == "Første del. Andre del."
    await page.goto(draft_url)
    await expect(page.get_by_label("Dose", exact=True)).to_have_value("1000 mg x2")
    assert watched.dialogs == []


async def test_the_browser_warns_only_when_text_would_be_lost(
    browser: Browser, server: EmbeddedServer
) -> None:
    watched, _ = await soker_with_draft(browser, server)
    page = watched.page
    url = await save_url(page)

    async def fail(route: Route) -> None:
        if route.request.method == "PUT":
            await route.fulfill(status=503, body="utilgjengelig")
        else:
            await route.continue_()

    await page.route(url, fail)
    await page.get_by_label("Dose", exact=True).fill("1000 mg")
    await expect(status(page)).to_contain_text("Ikke lagret – prøver igjen")
    await page.goto("about:blank")
    assert [d.split(":")[0] for d in watched.dialogs] == ["beforeunload"]


async def test_text_typed_before_the_script_has_run_is_saved(
    browser: Browser, server: EmbeddedServer
) -> None:
    # On a slow connection the form is there to type in before the deferred autosave.js has arrived. What
    # was typed then must not be taken for what the server holds.
    watched, draft_url = await soker_with_draft(browser, server)
    page = watched.page
    release = asyncio.Event()

    async def hold(route: Route) -> None:
        await release.wait()
        await route.continue_()

    await page.route("**/autosave.js*", hold)
    await page.goto(draft_url, wait_until="commit")
    justification = page.get_by_label("Samlet klinisk begrunnelse", exact=True)
    await justification.fill("Skrevet før skriptet kom.")
    assert watched.puts == []
    release.set()
    await expect(status(page)).to_contain_text(LAGRET)
    assert (await saved_innhold(page, await save_url(page))).get("begrunnelse") == "Skrevet før skriptet kom."
