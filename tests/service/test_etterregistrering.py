"""Post-registration on the embedded default: the admin uploads a file of earlier decisions, every row is
checked against integrasjon's catalogue, a file with errors imports nothing until the admin chooses the
valid rows, imported cases are decided, marked `etterregistrert`, in the register and statistics, with
`SakEtterregistrert` in the outbox; a re-upload creates no duplicates; bad files are refused in Norwegian."""

from __future__ import annotations

import io
import json
import re
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from fastapi import FastAPI
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

from embedded.app import create_app as create_embedded
from embedded.settings import EmbeddedSettings
from shared.domain.identifiers import synthetic_fodselsnummer
from shared.events.contracts import SakEtterregistrert
from shared.platform.auth.demo import DEMO_USERS
from shared.platform.auth.session import CSRF_FIELD
from shared.platform.bus.memory import MemoryBus
from shared.platform.db.uow import Database
from soknad.app import create_app as create_soknad
from soknad.etterregistrering import handlers
from soknad.etterregistrering.kolonner import OVERSKRIFTER
from soknad.etterregistrering.modell import EtterregistrertSak, EtterregJobb, EtterregRad
from soknad.etterregistrering.validering import Feil
from soknad.settings import SoknadSettings
from soknad.store import Soknad
from tests.support.apps import DemoClient, running
from tests.support.waiting import wait_until

HTML = {"accept": "text/html"}
PROBLEM = "application/problem+json"
BASE = "/soknad/admin/etterregistrering"
API = "/soknad/api/etterregistrering"

FNR_1 = synthetic_fodselsnummer(date(1979, 4, 12), sex="kvinne")
FNR_2 = synthetic_fodselsnummer(date(1985, 3, 15), sex="mann")
FNR_3 = synthetic_fodselsnummer(date(2012, 6, 1), sex="kvinne", serial=3)


@pytest_asyncio.fixture
async def portal(tmp_path: Path) -> AsyncIterator[FastAPI]:
    app = create_embedded(
        EmbeddedSettings(data_dir=tmp_path, seed_demo_data=False, bus_retry_delays_s=(0.05, 0.2))
    )
    async with app.router.lifespan_context(app):
        yield app


def db_of(portal: FastAPI) -> Database:
    db: Database = portal.state.services["soknad"].state.runtime.db
    return db


def as_user(portal: FastAPI, user_id: str) -> DemoClient:
    return DemoClient(portal, user_id, base_url="http://portal")


def row(**overrides: str) -> dict[str, str]:
    values = {
        "Saksreferanse": "",
        "Type": "enkeltpasient",
        "Ordning": "off_label",
        "Enhet": "HBE-NEVRO",
        "Fødselsnummer": FNR_1,
        "Pasientnavn": "Syntetisk Testpasient",
        "Gruppestørrelse": "",
        "Legemiddel": "L01FA01",
        "ICD-10": "G36.0",
        "Søknadsdato": "2019-03-04",
        "Vedtaksdato": "2019-03-18",
        "Utfall": "innvilget",
        "Gyldig til": "2020-03-18",
        "Estimert kostnad (kr)": "180000",
        "Søker": "Kari Nordmann",
    }
    values.update(overrides)
    return values


def csv_file(rows: list[dict[str, str]], headings: list[str] = OVERSKRIFTER) -> bytes:
    lines = [";".join(headings)] + [";".join(r.get(h, "") for h in headings) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


VALID = [
    row(Saksreferanse="ESA-2019/1"),
    row(
        Saksreferanse="ESA-2019/2",
        Fødselsnummer=FNR_2,
        Legemiddel="MabThera",
        **{"ICD-10": "G70.0", "Utfall": "avslått", "Gyldig til": ""},
    ),
    row(
        Saksreferanse="ESA-2020/3",
        Type="gruppe",
        Fødselsnummer="",
        Pasientnavn="",
        Gruppestørrelse="12",
        Legemiddel="rituksimab",
        Ordning="Unntaksordningen (Nye metoder)",
        **{
            "ICD-10": "G35",
            "Søknadsdato": "04.02.2020",
            "Vedtaksdato": "20.02.2020",
            "Utfall": "innvilget med vilkår",
        },
    ),
]
BAD = [
    row(Saksreferanse="ESA-2019/4", Fødselsnummer="12345678901"),
    row(
        Saksreferanse="ESA-2019/5",
        Fødselsnummer=FNR_3,
        Legemiddel="Finnesikke",
        **{"ICD-10": "X99.9", "Søknadsdato": "2019-05-01", "Vedtaksdato": "2019-04-01", "Utfall": "kanskje"},
    ),
]


async def upload(client: DemoClient, content: bytes, filename: str, *, bare_gyldige: bool = False) -> Any:
    data = {CSRF_FIELD: await client.csrf()}
    if bare_gyldige:
        data["bare_gyldige"] = "ja"
    return await client.post(BASE, data=data, files={"fil": (filename, content)}, headers=HTML)


async def upload_api(client: DemoClient, content: bytes, filename: str) -> Any:
    return await client.post(
        API, files={"fil": (filename, content)}, headers={"x-csrf-token": await client.csrf()}
    )


async def settled(client: DemoClient, jobb_id: str) -> dict[str, Any]:
    """The job once its background work has stopped (checked, waiting, done or failed)."""
    result: dict[str, Any] = {}

    async def done() -> bool:
        r = await client.get(f"{API}/{jobb_id}")
        assert r.status_code == 200, r.text
        result.update(r.json())
        return result["status"] not in ("validerer", "importerer")

    await wait_until(done, timeout=30)
    return result


async def count(portal: FastAPI, model: Any) -> int:
    async with db_of(portal).sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_template_downloads_as_csv_and_xlsx_and_its_example_row_imports(portal: FastAPI) -> None:
    async with as_user(portal, "hbe-admin") as admin:
        page = await admin.get(BASE, headers=HTML)
        assert page.status_code == 200
        assert "Etterregistrering av tidligere vedtak" in page.text and "Fødselsnummer" in page.text
        csv_mal = await admin.get(f"{BASE}/mal.csv")
        assert csv_mal.status_code == 200 and csv_mal.headers["content-type"].startswith("text/csv")
        lines = csv_mal.content.decode("utf-8-sig").splitlines()
        assert lines[0].split(";") == OVERSKRIFTER and len(lines) == 2
        xlsx_mal = await admin.get(f"{BASE}/mal.xlsx")
        workbook = load_workbook(io.BytesIO(xlsx_mal.content), read_only=True)
        rows = list(workbook["Vedtak"].iter_rows(values_only=True))
        assert list(rows[0]) == OVERSKRIFTER and len(rows) == 2
        assert {r[0] for r in workbook["Beskrivelse"].iter_rows(values_only=True)} >= set(OVERSKRIFTER)

        # The template as it is: the example row is valid against the catalogue and the directory.
        r = await upload_api(admin, xlsx_mal.content, "etterregistrering-mal.xlsx")
        assert r.status_code == 202, r.text
        jobb = await settled(admin, r.json()["id"])
    assert jobb["status"] == "ferdig" and jobb["importert"] == 1 and jobb["feil"] == []


FNR_0 = synthetic_fodselsnummer(date(1979, 4, 5), sex="kvinne")
"""Born on the 5th: starts with 0, which Excel drops from a cell that holds a number."""


async def test_the_xlsx_templates_fodselsnummer_column_is_text_below_the_example_row(portal: FastAPI) -> None:
    async with as_user(portal, "hbe-admin") as admin:
        mal = await admin.get(f"{BASE}/mal.xlsx")
    sheet = load_workbook(io.BytesIO(mal.content))["Vedtak"]
    column = OVERSKRIFTER.index("Fødselsnummer") + 1
    assert sheet.cell(row=1, column=column).value == "Fødselsnummer"
    # The admin deletes the example row and types in row 2, 3, …: the column's style is what those
    # cells get, for every row of the sheet.
    dimension = sheet.column_dimensions[get_column_letter(column)]
    assert dimension.number_format == "@"
    assert dimension.min is not None and dimension.max is not None
    assert dimension.min <= column <= dimension.max


async def test_a_fodselsnummer_that_lost_its_leading_zero_in_excel_is_imported_with_it(
    portal: FastAPI,
) -> None:
    assert FNR_0.startswith("0")
    # An XLSX whose cell holds the number (as Excel stores 05847900077 typed into a General cell) …
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Vedtak"
    sheet.append(OVERSKRIFTER)
    values = row(Saksreferanse="ESA-0/1")
    sheet.append([int(FNR_0) if h == "Fødselsnummer" else values[h] for h in OVERSKRIFTER])
    out = io.BytesIO()
    workbook.save(out)
    # … and a CSV saved from such a sheet: ten digits.
    csv_rows = [row(Saksreferanse="ESA-0/2", Fødselsnummer=FNR_0[1:], **{"Søknadsdato": "2019-03-05"})]
    async with as_user(portal, "hbe-admin") as admin:
        from_xlsx = await settled(
            admin, (await upload_api(admin, out.getvalue(), "vedtak.xlsx")).json()["id"]
        )
        from_csv = await settled(
            admin, (await upload_api(admin, csv_file(csv_rows), "vedtak.csv")).json()["id"]
        )
    assert (from_xlsx["status"], from_xlsx["importert"], from_xlsx["feil"]) == ("ferdig", 1, [])
    assert (from_csv["status"], from_csv["importert"], from_csv["feil"]) == ("ferdig", 1, [])
    async with db_of(portal).sessions() as session:
        outbox = db_of(portal).tables.outbox
        events = [
            SakEtterregistrert.model_validate(json.loads(e)["data"])
            for e in await session.scalars(
                select(outbox.c.envelope).where(outbox.c.event_type == SakEtterregistrert.TYPE)
            )
        ]
    assert len(events) == 2
    assert all(e.pasient is not None and e.pasient.fodselsnummer == FNR_0 for e in events)


async def test_a_file_with_errors_imports_nothing_until_the_admin_chooses_the_valid_rows(
    portal: FastAPI,
) -> None:
    async with as_user(portal, "hbe-admin") as admin:
        r = await upload(admin, csv_file([*VALID, *BAD]), "vedtak.csv")
        assert r.status_code == 303
        jobb_id = r.headers["location"].rsplit("/", 1)[-1]
        jobb = await settled(admin, jobb_id)
        assert jobb["status"] == "har_feil"
        assert (jobb["rader"], jobb["gyldige"], jobb["feilrader"], jobb["importert"]) == (5, 3, 2, 0)
        assert await count(portal, Soknad) == 0

        report = {(f["radnummer"], f["kolonne"]): f["melding"] for f in jobb["feil"]}
        assert report[(5, "Fødselsnummer")].startswith("Ugyldig fødselsnummer: Kontrollsifrene stemmer ikke.")
        assert "Fant ikke «Finnesikke» i legemiddelkatalogen" in report[(6, "Legemiddel")]
        assert report[(6, "ICD-10")] == "Fant ikke ICD-10-koden X99.9 i kodeverket."
        assert report[(6, "Vedtaksdato")] == "Vedtaksdatoen kan ikke være før søknadsdatoen."
        assert report[(6, "Utfall")].startswith("Ukjent utfall «kanskje».")

        page = await admin.get(f"{BASE}/{jobb_id}", headers=HTML)
        assert "Ingenting er importert" in page.text and "Importer bare de 3 gyldige radene" in page.text
        assert "Kontrollsifrene stemmer ikke." in page.text
        rapport = await admin.get(f"{BASE}/{jobb_id}/feilrapport.csv")
        assert rapport.content.decode("utf-8-sig").splitlines()[0] == "Rad;Kolonne;Melding"

        r = await admin.post(
            f"{BASE}/{jobb_id}/bare-gyldige", data={CSRF_FIELD: await admin.csrf()}, headers=HTML
        )
        assert r.status_code == 303
        jobb = await settled(admin, jobb_id)
    assert jobb["status"] == "ferdig" and jobb["importert"] == 3
    assert await count(portal, EtterregRad) == 0  # the staged patient data is gone

    async with db_of(portal).sessions() as session:
        saker = {s.lopenummer or "": s for s in await session.scalars(select(Soknad))}
        marks = list(await session.scalars(select(EtterregistrertSak)))
        outbox = db_of(portal).tables.outbox
        audit = db_of(portal).tables.audit
        audited = set(
            await session.scalars(
                select(audit.c.case_ref).where(
                    audit.c.what == "etterregistrering.import", audit.c.actor_id == "hbe-admin"
                )
            )
        )
        events = [
            json.loads(e)
            for e in await session.scalars(
                select(outbox.c.envelope).where(outbox.c.event_type == SakEtterregistrert.TYPE)
            )
        ]
    assert sorted(saker) == ["HBE-2019-000001", "HBE-2019-000002", "HBE-2020-000001"]
    assert {m.soknad_id for m in marks} == {s.id for s in saker.values()}
    assert audited == set(saker)  # each imported case is in its patient's access log
    gruppe = saker["HBE-2020-000001"]
    assert (gruppe.status, gruppe.type, gruppe.kategori, gruppe.utfall) == (
        "vedtatt",
        "gruppe",
        "unntaksordningen",
        "innvilget_med_vilkar",
    )
    assert gruppe.atc == "L01FA01" and gruppe.icd10_kode == "G35"
    assert (saker["HBE-2019-000002"].legemiddel_navn or "").startswith("MabThera")

    assert len(events) == 3
    by_lopenummer = {e["subject"]: SakEtterregistrert.model_validate(e["data"]) for e in events}
    first = by_lopenummer["HBE-2019-000001"]
    assert first.pasient is not None and first.pasient.fodselsnummer == FNR_1  # trust-internal only
    assert first.utfall == "innvilget" and first.vedtak_dato == date(2019, 3, 18)
    assert first.registrert_av == "hbe-admin"
    assert by_lopenummer["HBE-2020-000001"].pasient is None
    assert by_lopenummer["HBE-2020-000001"].gruppe_storrelse == 12


async def test_imported_cases_are_in_the_register_and_statistics_marked_etterregistrert(
    portal: FastAPI,
) -> None:
    async with as_user(portal, "hbe-admin") as admin:
        r = await upload_api(admin, csv_file(VALID), "vedtak.csv")
        assert (await settled(admin, r.json()["id"]))["importert"] == 3
    async with as_user(portal, "hbe-fagdirektor") as direktor:
        register = await direktor.get("/soknad/register", headers=HTML)
        assert register.status_code == 200
        assert "HBE-2019-000001" in register.text and "Etterregistrert" in register.text
        api = (await direktor.get("/soknad/api/register", params={"lopenummer": "HBE-2019-000001"})).json()
        assert api["treff"][0]["etterregistrert"] is True
        statistikk = await direktor.get(
            "/soknad/statistikk", params={"fra": "2019-01-01", "til": "2020-12-31"}, headers=HTML
        )
        assert statistikk.status_code == 200 and "herav 3 etterregistrert" in statistikk.text


async def test_re_uploading_the_same_file_creates_no_duplicates(portal: FastAPI) -> None:
    # No case references: the rows are recognised by what identifies them.
    rows = [{**r, "Saksreferanse": ""} for r in VALID]
    async with as_user(portal, "hbe-admin") as admin:
        first = await settled(admin, (await upload_api(admin, csv_file(rows), "vedtak.csv")).json()["id"])
        again = await settled(admin, (await upload_api(admin, csv_file(rows), "vedtak.csv")).json()["id"])
    assert (first["importert"], first["hoppet_over"]) == (3, 0)
    assert (again["status"], again["importert"], again["hoppet_over"]) == ("ferdig", 0, 3)
    assert await count(portal, Soknad) == 3


async def test_the_same_decision_twice_in_one_file_is_reported(portal: FastAPI) -> None:
    async with as_user(portal, "hbe-admin") as admin:
        r = await upload_api(admin, csv_file([VALID[0], VALID[0]]), "vedtak.csv")
        jobb = await settled(admin, r.json()["id"])
    assert jobb["status"] == "har_feil"
    assert jobb["feil"] == [
        {"radnummer": 3, "kolonne": "Saksreferanse", "melding": "Samme saksreferanse som rad 2."}
    ]


async def test_only_the_trusts_admin_may_post_register(portal: FastAPI) -> None:
    async with as_user(portal, "hbe-admin") as admin:
        jobb_id = (await upload_api(admin, csv_file(VALID[:1]), "vedtak.csv")).json()["id"]
        await settled(admin, jobb_id)
    async with as_user(portal, "hbe-soker") as soker:
        assert (await soker.get(BASE, headers=HTML)).status_code == 403
        assert (await upload(soker, csv_file(VALID), "vedtak.csv")).status_code == 403
        assert (await upload_api(soker, csv_file(VALID), "vedtak.csv")).status_code == 403
        assert (await soker.get(f"{API}/{jobb_id}")).status_code == 403
    async with as_user(portal, "ous-admin") as other_trust:
        assert (await other_trust.get(f"{API}/{jobb_id}")).status_code == 404
        assert (await other_trust.get(f"{BASE}/{jobb_id}", headers=HTML)).status_code == 404
    assert await count(portal, Soknad) == 1


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "vedtak.csv", "Filen er tom."),
        (b"%PDF-1.4 ...", "vedtak.pdf", "Filen må være CSV eller XLSX"),
        (b"Type;Ordning\r\nenkeltpasient;off_label\r\n", "vedtak.csv", "Mangler kolonnene «Enhet»"),
        ("Farge;Type\r\nrød;x\r\n".encode(), "vedtak.csv", "Ukjent kolonne «Farge»."),
        (";".join(OVERSKRIFTER).encode("utf-8") + b"\r\n", "vedtak.csv", "ingen rader med vedtak"),
        (";".join(OVERSKRIFTER).encode("latin-1") + b"\r\n", "vedtak.csv", "feil tegnkoding"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
            "vedtak.xls",
            "Lagre den som .xlsx eller som CSV",
        ),
        # Old Excel by its content under another name, and by its name alone.
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "vedtak", "det gamle Excel-formatet (.xls)"),
        (b"<html><table></table></html>", "Vedtak.XLS", "det gamle Excel-formatet (.xls)"),
        (b"PK\x03\x04 not really a workbook", "vedtak.xlsx", "kunne ikke leses som et Excel-ark"),
    ],
)
async def test_a_bad_file_is_refused_in_norwegian_and_nothing_is_imported(
    portal: FastAPI, content: bytes, filename: str, message: str
) -> None:
    async with as_user(portal, "hbe-admin") as admin:
        page = await upload(admin, content, filename)
        assert page.status_code == 422 and message in page.text
        assert "Ingenting er importert" in page.text
        api = await upload_api(admin, content, filename)
    assert api.status_code == 422 and api.headers["content-type"] == PROBLEM
    assert api.json()["errors"][0]["field"] == "fil" and message in api.json()["detail"]
    assert await count(portal, EtterregJobb) == 0


async def test_the_page_states_the_upload_limit_the_service_applies(portal: FastAPI) -> None:
    async with as_user(portal, "hbe-admin") as admin:
        page = await admin.get(BASE, headers=HTML)
    # `max_upload_bytes` (50 MB by default), not `max_body_bytes` (1 MB) of every other request.
    assert "Høyst 50 MB; del en større fil i flere filer." in page.text
    assert "1 MB" not in page.text
    # The command line takes no more than the page: it is not offered for larger files.
    assert "kommandolinjen" not in page.text


async def test_a_file_over_the_limit_comes_back_to_the_page_with_a_message(tmp_path: Path) -> None:
    settings = SoknadSettings(
        data_dir=tmp_path, log_json=False, max_body_bytes=100_000, max_upload_bytes=300_000
    )
    async with running(create_soknad(settings, bus=MemoryBus())) as app:
        async with DemoClient(app, "hbe-admin") as admin:
            page = await admin.get("/admin/etterregistrering", headers=HTML)
            assert "Høyst 300 kB; del en større fil i flere filer." in page.text
            assert "Filer opp til 50 MB kan importeres fra kommandolinjen på serveren" in page.text

            too_large = csv_file(VALID * 2000)
            assert len(too_large) > 300_000
            r = await admin.post(
                "/admin/etterregistrering",
                data={CSRF_FIELD: await admin.csrf()},
                files={"fil": ("vedtak.csv", too_large)},
                headers=HTML,
            )
            assert r.status_code == 303, r.text
            assert r.next_request is not None
            page = await admin.send(r.next_request)
            assert page.status_code == 200 and page.url.path == "/admin/etterregistrering"
            assert "Filen kunne ikke leses. Ingenting er importert." in page.text
            assert "Filen er for stor (høyst 300 kB). Del den i flere filer." in page.text
            assert 'aria-invalid="true"' in page.text

            # The API's clients get the request limit's answer, as before.
            api = await admin.post(
                "/api/etterregistrering",
                files={"fil": ("vedtak.csv", too_large)},
                headers={"x-csrf-token": await admin.csrf()},
            )
            assert api.status_code == 413 and api.headers["content-type"] == PROBLEM
            # A file under the limit is taken.
            r = await admin.post(
                "/admin/etterregistrering",
                data={CSRF_FIELD: await admin.csrf()},
                files={"fil": ("vedtak.csv", csv_file(VALID * 500))},
                headers=HTML,
            )
            assert r.status_code == 303 and "/admin/etterregistrering/" in r.headers["location"]
        async with app.state.runtime.db.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(EtterregJobb)) == 1


async def test_an_upload_without_a_file_is_a_422(portal: FastAPI) -> None:
    async with as_user(portal, "hbe-admin") as admin:
        page = await admin.post(BASE, data={CSRF_FIELD: await admin.csrf()}, headers=HTML)
    assert page.status_code == 422 and "Velg en fil å laste opp." in page.text


async def test_the_job_page_shows_progress_and_updates_it_in_place_while_the_import_runs(
    portal: FastAPI,
) -> None:
    db = db_of(portal)
    admin = DEMO_USERS["hbe-admin"]
    # A job caught mid-way, without a runner: 3 rows checked (one bad), 2 staged, none imported yet.
    jobb = await handlers.start_jobb(db, admin, filnavn="stor.csv", bare_gyldige=False)
    staged = [(2, "a" * 64, {"sendt_dato": "2019-01-01"}), (3, "b" * 64, {"sendt_dato": "2019-01-01"})]
    feil = [Feil(4, "Fødselsnummer", "Ugyldig fødselsnummer: Kontrollsifrene stemmer ikke.")]
    await handlers.record_checked(db, jobb.id, rader=3, gyldige=staged, feil=feil, feilrader=1)
    async with as_user(portal, "hbe-admin") as client:
        checking = await client.get(f"{BASE}/{jobb.id}", headers=HTML)
        # No page that reloads itself (it sends a screen reader back to the top): a script asks for the
        # progress and writes it into a status region, and without it an «Oppdater» link reloads.
        assert "http-equiv" not in checking.text
        region = re.search(
            r'<p id="fremdrift-tekst" role="status" aria-live="polite">([^<]*)</p>', checking.text
        )
        assert region is not None and region[1] == "3 rader er kontrollert så langt."
        assert f'<a href="{BASE}/{jobb.id}" id="fremdrift-oppdater">Oppdater</a>' in checking.text
        script = re.search(r'<script src="([^"]+)" defer></script>', checking.text)
        assert script is not None and script[1] == f"{BASE}/fremdrift.js"
        js = await client.get(script[1])
        assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
        assert "data-fremdrift-url" in js.text and "location.reload" in js.text
        section = re.search(r'<section [^>]*id="fremdrift"[^>]*>', checking.text)
        assert section is not None
        assert 'data-status-validerer="Kontrollerer radene"' in section[0]
        assert 'data-status-importerer="Importerer"' in section[0]
        url = re.search(r'data-fremdrift-url="([^"]+)"', section[0])
        assert url is not None and url[1] == f"{API}/{jobb.id}?maks_feil=0"

        # What the script reads: the progress alone, without the report it does not show.
        progress = await client.get(url[1])
        assert progress.status_code == 200 and progress.headers["content-type"] == "application/json"
        assert {k: progress.json()[k] for k in ("status", "rader", "gyldige", "feilrader", "importert")} == {
            "status": "validerer",
            "rader": 3,
            "gyldige": 2,
            "feilrader": 1,
            "importert": 0,
        }
        assert progress.json()["feil"] == [] and progress.json()["feil_totalt"] == 1
        whole = (await client.get(f"{API}/{jobb.id}")).json()
        assert whole["feil"] == [{"radnummer": 4, "kolonne": "Fødselsnummer", "melding": feil[0].melding}]
        for bad in ("-1", "1001", "mange"):
            assert (await client.get(f"{API}/{jobb.id}", params={"maks_feil": bad})).status_code == 422

        assert await handlers.finish_check(db, jobb.id) == "har_feil"
        await handlers.choose_valid_only(db, admin, jobb.id)
        importing = await client.get(f"{BASE}/{jobb.id}", headers=HTML)
        assert (await client.get(url[1])).json()["status"] == "importerer"
    assert "http-equiv" not in importing.text and 'id="fremdrift-tekst"' in importing.text
    assert (
        '<progress id="import-fremdrift" max="2" value="0" aria-labelledby="fremdrift-tekst">'
        in importing.text
    )
    assert "Importert 0 av 2 gyldige rader." in importing.text
    await handlers.fail(db, jobb.id, "Stoppet i testen.")
    async with as_user(portal, "hbe-admin") as client:
        stopped = await client.get(f"{BASE}/{jobb.id}", headers=HTML)
    assert "Stoppet i testen." in stopped.text
    assert "data-fremdrift-url" not in stopped.text and "fremdrift.js" not in stopped.text
    assert await count(portal, EtterregRad) == 0


async def test_without_the_catalogue_the_check_stops_and_nothing_is_imported(tmp_path: Path) -> None:
    # soknad alone, with no integrasjon configured: every look-up fails at once.
    bus = MemoryBus()
    await bus.connect()
    settings = SoknadSettings(data_dir=tmp_path, log_json=False)
    async with running(create_soknad(settings, bus=bus)) as app:
        async with DemoClient(app, "hbe-admin") as admin:
            r = await admin.post(
                "/api/etterregistrering",
                files={"fil": ("vedtak.csv", csv_file(VALID))},
                headers={"x-csrf-token": await admin.csrf()},
            )
            assert r.status_code == 202
            jobb: dict[str, Any] = {}

            async def stopped() -> bool:
                jobb.update((await admin.get(f"/api/etterregistrering/{r.json()['id']}")).json())
                return jobb["status"] == "feilet"

            await wait_until(stopped)
        async with app.state.runtime.db.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(Soknad)) == 0
            assert await session.scalar(select(func.count()).select_from(EtterregRad)) == 0
    await bus.close()
    assert jobb["melding"].startswith("Legemiddelkatalogen svarer ikke, så radene kan ikke kontrolleres.")


async def test_after_a_restart_an_import_goes_on_and_an_unfinished_check_says_so(tmp_path: Path) -> None:
    settings = SoknadSettings(data_dir=tmp_path, log_json=False)
    admin = DEMO_USERS["hbe-admin"]
    data = {
        "saksreferanse": "R-1",
        "type": "gruppe",
        "kategori": "off_label",
        "enhet": "HBE-NEVRO",
        "gruppe_storrelse": 4,
        "legemiddel": {"navn": "rituksimab", "virkestoff": "rituksimab", "atc": "L01FA01"},
        "indikasjon": {"kode": "G35", "tekst": "Multippel sklerose"},
        "sendt_dato": "2019-03-04",
        "vedtak_dato": "2019-03-18",
        "utfall": "innvilget",
    }
    async with running(create_soknad(settings, bus=MemoryBus())) as app:
        db = app.state.runtime.db
        importing = await handlers.start_jobb(db, admin, filnavn="a.csv", bare_gyldige=False)
        await handlers.record_checked(
            db, importing.id, rader=1, gyldige=[(2, "k" * 64, data)], feil=[], feilrader=0
        )
        assert await handlers.finish_check(db, importing.id) == "importerer"
        checking = await handlers.start_jobb(db, admin, filnavn="b.csv", bare_gyldige=False)
        # Stopped here, as by a restart: nothing runs these jobs in this process.
    async with running(create_soknad(settings, bus=MemoryBus())) as app:
        db = app.state.runtime.db

        async def settled() -> bool:
            return {await handlers.status_of(db, j.id) for j in (importing, checking)} <= {"ferdig", "feilet"}

        await wait_until(settled)
        done = await handlers.read_jobb(db, admin, importing.id)
        interrupted = await handlers.read_jobb(db, admin, checking.id)
    assert (done.jobb.status, done.jobb.importert) == ("ferdig", 1)
    assert interrupted.jobb.status == "feilet"
    assert (interrupted.jobb.melding or "").startswith(
        "Tjenesten ble startet på nytt mens radene ble kontrollert."
    )


async def test_after_a_restart_an_import_from_memory_stops_and_says_how_to_finish(tmp_path: Path) -> None:
    # A clean file's rows are imported from memory, never staged: after a restart they are gone.
    settings = SoknadSettings(data_dir=tmp_path, log_json=False)
    admin = DEMO_USERS["hbe-admin"]
    async with running(create_soknad(settings, bus=MemoryBus())) as app:
        db = app.state.runtime.db
        jobb = await handlers.start_jobb(db, admin, filnavn="ren.csv", bare_gyldige=False)
        await handlers.record_checked(db, jobb.id, rader=2, gyldige=2, feil=[], feilrader=0)
        assert await handlers.finish_check(db, jobb.id) == "importerer"
        # Stopped here, as by a restart, before its first batch.
    async with running(create_soknad(settings, bus=MemoryBus())) as app:
        db = app.state.runtime.db

        async def stopped() -> bool:
            return await handlers.status_of(db, jobb.id) == "feilet"

        await wait_until(stopped)
        visning = await handlers.read_jobb(db, admin, jobb.id)
    assert (visning.jobb.importert, visning.jobb.gyldige) == (0, 2)
    assert (visning.jobb.melding or "").startswith("Tjenesten ble startet på nytt under importen.")
    assert "rader som allerede er importert, hoppes over" in (visning.jobb.melding or "")


async def test_a_file_with_errors_can_be_discarded_and_its_rows_are_gone(portal: FastAPI) -> None:
    async with as_user(portal, "hbe-admin") as admin:
        jobb_id = (await upload_api(admin, csv_file([*VALID, *BAD]), "vedtak.csv")).json()["id"]
        assert (await settled(admin, jobb_id))["status"] == "har_feil"
        assert await count(portal, EtterregRad) == 3
        r = await admin.post(f"{BASE}/{jobb_id}/forkast", data={CSRF_FIELD: await admin.csrf()}, headers=HTML)
        assert r.status_code == 303
        page = await admin.get(r.headers["location"], headers=HTML)
        assert "Importen er forkastet. Ingenting er importert." in page.text
        # Nothing waits for a choice any more: importing the valid rows now is refused.
        late = await admin.send_json("POST", f"{API}/{jobb_id}/bare-gyldige")
        assert late.status_code == 409 and late.headers["content-type"] == PROBLEM
    assert await count(portal, EtterregRad) == 0 and await count(portal, Soknad) == 0
