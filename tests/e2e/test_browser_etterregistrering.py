"""Post-registration in a real browser on the embedded default: the admin finds the page from their own,
downloads the template, uploads a file with one bad row, reads the report (nothing imported), imports
only the valid rows and sees the job's counts when it is done; screenshots of both."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from shared.domain.identifiers import synthetic_fodselsnummer
from soknad.etterregistrering.kolonner import OVERSKRIFTER
from soknad.etterregistrering.modell import EtterregJobb
from tests.support.browser import browser, screenshot_path
from tests.support.embedded_server import EmbeddedServer, embedded_server

__all__ = ["browser"]

pytestmark = pytest.mark.browser

FNR = synthetic_fodselsnummer(date(1985, 3, 15), sex="mann")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    with embedded_server(tmp_path / "data") as s:
        yield s


def csv_file(path: Path) -> Path:
    rows = [
        [
            "ESA-1",
            "enkeltpasient",
            "off_label",
            "HBE-NEVRO",
            FNR,
            "Syntetisk Pasient",
            "",
            "MabThera",
            "G70.0",
            "2019-03-04",
            "2019-03-18",
            "innvilget",
            "",
            "",
            "",
        ],
        [
            "ESA-2",
            "gruppe",
            "unntaksordningen",
            "HBE-REVMA",
            "",
            "",
            "8",
            "L01FA01",
            "G35",
            "2020-02-04",
            "2020-02-20",
            "innvilget med vilkår",
            "2021-02-20",
            "",
            "",
        ],
        [
            "ESA-3",
            "enkeltpasient",
            "off_label",
            "HBE-NEVRO",
            "12345678901",
            "Syntetisk Pasient",
            "",
            "L01FA01",
            "G36.0",
            "2019-05-04",
            "2019-05-18",
            "avslått",
            "",
            "",
            "",
        ],
    ]
    path.write_text("\r\n".join(";".join(r) for r in [OVERSKRIFTER, *rows]) + "\r\n", encoding="utf-8")
    return path


async def test_the_admin_uploads_reads_the_report_and_imports_only_the_valid_rows(
    browser: Browser, server: EmbeddedServer, tmp_path: Path
) -> None:
    context = await browser.new_context(locale="nb-NO", accept_downloads=True)
    page = await context.new_page()
    page.set_default_timeout(15_000)
    await page.goto(server.url + "/")
    await page.locator("button[data-bruker='hbe-admin']").click()
    await (
        page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Etterregistrering").click()
    )
    await expect(
        page.get_by_role("heading", name="Etterregistrering av tidligere vedtak", level=1)
    ).to_be_visible()

    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Excel-ark (XLSX)").click()
    assert (await download_info.value).suggested_filename == "etterregistrering-mal.xlsx"

    await page.get_by_label("Fil med vedtak (CSV eller XLSX)").set_input_files(
        csv_file(tmp_path / "vedtak.csv")
    )
    await page.get_by_role("button", name="Last opp og kontroller").click()

    # The page follows the check in place and loads anew when it is done: it waits for the choice.
    await expect(page.locator("#jobb-status")).to_have_text("Har feil – ingenting er importert")
    await expect(page.get_by_role("alert")).to_contain_text("1 rad har feil. Ingenting er importert.")
    report = page.get_by_role("table").filter(has_text="Kolonne")
    await expect(report.get_by_role("row").filter(has_text="Fødselsnummer")).to_contain_text(
        "Ugyldig fødselsnummer: Kontrollsifrene stemmer ikke."
    )
    await expect(report.get_by_role("row").filter(has_text="Fødselsnummer")).to_contain_text("4")
    await expect(page.locator("#antall-rader")).to_have_text("3")
    await expect(page.locator("#antall-importert")).to_have_text("0")
    await page.screenshot(path=screenshot_path("etterregistrering-rapport"), full_page=True)

    await page.get_by_role("button", name="Importer bare de 2 gyldige radene").click()
    await expect(page.locator("#jobb-status")).to_have_text("Ferdig")
    await expect(page.locator("#antall-importert")).to_have_text("2")
    await expect(page.get_by_role("status").filter(has_text="Ferdig.")).to_contain_text(
        "2 saker er etterregistrert, 1 rad med feil ble ikke importert"
    )
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.screenshot(path=screenshot_path("etterregistrering-ferdig-mobil"), full_page=True)
    assert FNR not in server.log.read_text()
    await context.close()


async def test_a_file_over_the_limit_comes_back_to_the_page_with_a_message(
    browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A limit of 1 MB for this server (the real one is 50 MB): the answer comes after the browser has sent
    # the whole file, on the page, not as a 413 page or the browser's connection error.
    monkeypatch.setenv("SP_SOKNAD_MAX_UPLOAD_BYTES", "1000000")
    stor = tmp_path / "stor.csv"
    stor.write_bytes(";".join(OVERSKRIFTER).encode() + b"\r\n" + b"x;" * 2_500_000)
    with embedded_server(tmp_path / "data") as server:
        context = await browser.new_context(locale="nb-NO")
        page = await context.new_page()
        page.set_default_timeout(15_000)
        await page.goto(server.url + "/")
        await page.locator("button[data-bruker='hbe-admin']").click()
        await page.goto(server.url + "/soknad/admin/etterregistrering")
        await expect(page.locator("#felt-fil-hjelp")).to_contain_text(
            "Høyst 1 MB; del en større fil i flere filer."
        )
        await page.get_by_label("Fil med vedtak (CSV eller XLSX)").set_input_files(stor)
        await page.get_by_role("button", name="Last opp og kontroller").click()
        await expect(page.get_by_role("alert")).to_contain_text(
            "Filen er for stor (høyst 1 MB). Del den i flere filer."
        )
        await expect(
            page.get_by_role("heading", name="Etterregistrering av tidligere vedtak", level=1)
        ).to_be_visible()
        await expect(page.get_by_label("Fil med vedtak (CSV eller XLSX)")).to_have_attribute(
            "aria-invalid", "true"
        )
        await context.close()


def write_job(data_dir: Path, jobb_id: str, **values: object) -> None:
    """The job's row as the import would leave it, written into the running server's database: a job
    caught mid-way that no runner moves on, so the test decides what the page's polls see."""
    engine = create_engine(f"sqlite:///{data_dir / 'soknad.sqlite'}")
    try:
        with Session(engine) as session, session.begin():
            jobb = session.get(EtterregJobb, jobb_id)
            if jobb is None:
                now = datetime.now(UTC)
                jobb = EtterregJobb(
                    id=jobb_id,
                    hf="HBE",
                    filnavn="stor.csv",
                    bare_gyldige=False,
                    rader=0,
                    gyldige=0,
                    feilrader=0,
                    feil=0,
                    importert=0,
                    hoppet_over=0,
                    opprettet_av="hbe-admin",
                    opprettet_av_navn="Syntetisk Admin",
                    opprettet_at=now,
                    endret_at=now,
                )
                session.add(jobb)
            for key, value in values.items():
                setattr(jobb, key, value)
    finally:
        engine.dispose()


async def test_the_job_page_updates_its_progress_in_place_and_reloads_when_the_job_stops(
    browser: Browser, server: EmbeddedServer
) -> None:
    jobb_id = str(uuid.uuid4())
    write_job(server.data_dir, jobb_id, status="validerer", rader=3, gyldige=3)
    context = await browser.new_context(locale="nb-NO")
    page = await context.new_page()
    page.set_default_timeout(15_000)
    await page.goto(server.url + "/")
    await page.locator("button[data-bruker='hbe-admin']").click()
    await page.goto(f"{server.url}/soknad/admin/etterregistrering/{jobb_id}")
    status = page.get_by_role("status")
    await expect(status).to_have_text("3 rader er kontrollert så langt.")
    await expect(status).to_have_attribute("aria-live", "polite")
    await expect(page.locator("#fremdrift-selv")).to_be_visible()
    await expect(page.locator("#fremdrift-selv")).to_have_text("Tallene på siden oppdateres av seg selv.")
    # A mark on this page: it is gone if the page is loaded anew.
    await page.evaluate("window.sammeSide = true")

    write_job(server.data_dir, jobb_id, rader=7, gyldige=6, feilrader=1)
    await expect(status).to_have_text("7 rader er kontrollert så langt.")
    await expect(page.locator("#antall-rader")).to_have_text("7")
    await expect(page.locator("#antall-feilrader")).to_have_text("1")
    await expect(page.locator("#import-fremdrift")).to_be_hidden()

    write_job(server.data_dir, jobb_id, status="importerer", importert=2, hoppet_over=1)
    await expect(status).to_have_text("Importert 3 av 6 gyldige rader.")
    await expect(page.locator("#jobb-status")).to_have_text("Importerer")
    await expect(page.locator("#import-fremdrift")).to_be_visible()
    await expect(page.locator("#import-fremdrift")).to_have_js_property("value", 3)
    await expect(page.locator("#antall-importert")).to_have_text("2")
    assert await page.evaluate("window.sammeSide") is True  # all of it in place, no reload

    write_job(server.data_dir, jobb_id, status="feilet", melding="Stoppet i testen.")
    await expect(page.get_by_role("alert")).to_contain_text("Stoppet i testen.")
    await expect(page.locator("#jobb-status")).to_have_text("Stoppet")
    assert await page.evaluate("window.sammeSide") is None  # loaded anew once the job stopped
    await expect(page.locator("#fremdrift-tekst")).to_have_count(0)
    await context.close()


async def test_without_javascript_the_job_page_offers_a_link_that_updates_it(
    browser: Browser, server: EmbeddedServer
) -> None:
    jobb_id = str(uuid.uuid4())
    write_job(server.data_dir, jobb_id, status="validerer", rader=3, gyldige=3)
    context = await browser.new_context(locale="nb-NO", java_script_enabled=False)
    page = await context.new_page()
    page.set_default_timeout(15_000)
    await page.goto(server.url + "/")
    await page.locator("button[data-bruker='hbe-admin']").click()
    await page.goto(f"{server.url}/soknad/admin/etterregistrering/{jobb_id}")
    await expect(page.get_by_role("status")).to_have_text("3 rader er kontrollert så langt.")
    await expect(page.locator("#fremdrift-selv")).to_be_hidden()
    write_job(server.data_dir, jobb_id, rader=9, gyldige=9)
    await page.get_by_role("link", name="Oppdater", exact=True).click()
    await expect(page.get_by_role("status")).to_have_text("9 rader er kontrollert så langt.")
    await context.close()
