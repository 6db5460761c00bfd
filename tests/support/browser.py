"""Debian's chromium driven by Playwright (no browser download).

Without chromium the test fails when `SP_TEST_REQUIRE_SERVERS` is set (CI) and is skipped otherwise."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright

from tests.support.servers import CHROMIUM, unavailable

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


@pytest_asyncio.fixture
async def browser() -> AsyncIterator[Browser]:
    if not os.path.exists(CHROMIUM):  # noqa: ASYNC240 - one stat before launching a browser
        unavailable("browser", f"{CHROMIUM} is missing")
    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield b
        finally:
            await b.close()


def screenshot_path(name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"


async def scripts_ready(page: Page) -> None:
    """Wait until a page reached by a click has run its deferred scripts (autosave.js, oppslag.js).

    A click waits only for the new page to start loading. Text typed before autosave.js runs is saved
    once it has run (`test_text_typed_before_the_script_has_run_is_saved`), but a test that then watches
    the status or the saves sent must start from the page as the script left it (`goto` waits for this
    itself)."""
    await page.wait_for_load_state()
