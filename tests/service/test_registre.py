"""The registries in the integrasjon service: imports switch the catalogue only when they succeed, a full
extract marks what it lacks as gone, a truncated or broken file is refused with the old catalogue still
served; look-ups are cacheable; the admin sees what happened; the CLI and the schedule import too."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from integrasjon.app import create_app
from integrasjon.register.__main__ import run as cli
from integrasjon.register.fest_eksempel import EKSEMPEL, SAMPLE_PATH
from integrasjon.register.fest_skriver import Legemiddeldata, skriv_fest
from integrasjon.register.fest_syntetisk import interaksjoner
from integrasjon.store import FestLegemiddel, RegisterImport
from shared.platform.bus.memory import MemoryBus
from tests.support.apps import DemoClient, running
from tests.support.integrasjon_registre import (  # registre_app: the module's `app` fixture
    MABTHERA,
    registre,
    registre_app,  # noqa: F401
    settings,
)
from tests.support.waiting import wait_until

PROBLEM = "application/problem+json"


def fest_file(tmp_path: Path, legemidler: list[Legemiddeldata], name: str = "fest.xml", **kw: object) -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8") as out:
        skriv_fest(out, legemidler, **kw)  # type: ignore[arg-type]
    return path


async def names(client: httpx.AsyncClient, q: str) -> list[str]:
    r = await client.get("/api/legemidler", params={"q": q, "antall": 50})
    assert r.status_code == 200, r.text
    return [d["navn"] for d in r.json()]


async def test_the_sample_is_the_demo_catalogue_and_ranks_exact_atc_first(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-soker") as client:
        assert (await names(client, "L01FA01")) == ["MabThera", "Truxima"]
        assert await names(client, "rituximab") == ["MabThera", "Truxima"]
        assert await names(client, "infusjonsvaeske")  # æ folded
        assert (await names(client, "sproyte")) == ["Kineret"]  # ø folded
        codes = (await client.get("/api/diagnoser", params={"q": "g36.0"})).json()
        assert codes == [
            {
                "kode": "G36.0",
                "tekst": "Neuromyelitis optica [Devics sykdom]",
                "system": "icd10",
                "versjon": "2026",
            }
        ]
        assert (await client.get("/api/diagnoser/G360")).json()["kode"] == "G36.0"


async def test_without_the_sample_the_catalogue_is_empty_until_the_first_import(tmp_path: Path) -> None:
    bus = MemoryBus()
    await bus.connect()
    app = create_app(settings(tmp_path, register_seed_sample=False), bus=bus, national_bus=bus)
    async with running(app), DemoClient(app, "hbe-soker") as client:
        assert await names(client, "") == []
        assert (await registre(app).importer_fest(str(SAMPLE_PATH))).status == "ok"
        assert await names(client, "rituksimab") == ["MabThera", "Truxima"]
    await bus.close()


async def test_a_new_full_extract_marks_what_it_lacks_as_gone_and_counts_changes(
    app: FastAPI, tmp_path: Path
) -> None:
    # Truxima leaves, Keytruda changes its link, and one brand is new.
    changed = [lm for lm in EKSEMPEL if lm.navn != "Truxima"]
    changed = [
        Legemiddeldata(**{**lm.__dict__, "smpc_url": "https://example.org/ny"})
        if lm.navn == "Keytruda"
        else lm
        for lm in changed
    ]
    new = Legemiddeldata(
        **{
            **EKSEMPEL[0].__dict__,
            "fest_id": "ID_NY",
            "navn": "Rixathon",
            "navn_form_styrke": "Rixathon 10 mg/ml",
        }
    )
    result = await registre(app).importer_fest(str(fest_file(tmp_path, [*changed, new])))
    assert (result.status, result.nye, result.endrede, result.borte) == ("ok", 1, 1, 1), result
    async with DemoClient(app, "hbe-soker") as client:
        assert await names(client, "rituksimab") == ["MabThera", "Rixathon"]
        # Gone, not deleted: an old application's FEST id still resolves.
        truxima = await client.get("/api/legemidler/ID_73BF6D22-F2C1-44C6-87A5-E49EF3176F33")
        assert truxima.status_code == 200 and truxima.json()["navn"] == "Truxima"
    async with app.state.runtime.db.sessions() as session:
        rows = (await session.scalars(select(FestLegemiddel).where(FestLegemiddel.navn == "Truxima"))).all()
        assert len(rows) == 1 and rows[0].borte_siden is not None
    # Still gone in the next import: the date it went is kept.
    again = await registre(app).importer_fest(str(fest_file(tmp_path, [*changed, new], name="igjen.xml")))
    assert (again.nye, again.endrede, again.borte) == (0, 0, 0)
    async with app.state.runtime.db.sessions() as session:
        kept = (await session.scalars(select(FestLegemiddel).where(FestLegemiddel.navn == "Truxima"))).one()
        assert kept.borte_siden == rows[0].borte_siden and kept.generasjon == again.import_id


async def assert_refused(app: FastAPI, path: Path, message: str) -> None:
    before = registre(app).indeks
    result = await registre(app).importer_fest(str(path))
    assert result.status == "feilet" and result.feil is not None and message in result.feil, result
    assert registre(app).indeks is before
    async with DemoClient(app, "hbe-soker") as client:
        assert await names(client, "rituksimab") == ["MabThera", "Truxima"]
    async with app.state.runtime.db.sessions() as session:
        record = await session.get(RegisterImport, result.import_id)
        assert record is not None and record.status == "feilet" and record.feil == result.feil
        # Nothing of the refused file is left behind.
        generations = set((await session.scalars(select(FestLegemiddel.generasjon).distinct())).all())
        assert result.import_id not in generations and len(generations) == 1


async def test_a_much_smaller_file_is_refused_as_truncated(app: FastAPI, tmp_path: Path) -> None:
    await assert_refused(
        app, fest_file(tmp_path, list(EKSEMPEL[:5])), "Den ser avkortet ut og er ikke tatt i bruk"
    )


async def test_broken_files_are_refused_and_the_old_catalogue_is_still_served(
    app: FastAPI, tmp_path: Path
) -> None:
    data = SAMPLE_PATH.read_bytes()
    cut = tmp_path / "avkortet.xml"
    cut.write_bytes(data[: len(data) * 2 // 3])
    await assert_refused(app, cut, "ikke gyldig XML (avkortet eller skadet?)")
    wrong = tmp_path / "navnerom.xml"
    wrong.write_bytes(data.replace(b"m30/2014-12-01", b"m30/2099-01-01"))
    await assert_refused(app, wrong, "Filen er ikke en FEST-fil")
    no_id = tmp_path / "uten-id.xml"
    no_id.write_bytes(data.replace(f"<Id>{MABTHERA}</Id>".encode(), b""))
    await assert_refused(app, no_id, "mangler Id")
    await assert_refused(app, tmp_path / "finnes-ikke.xml", "Fant ikke filen")


async def test_a_fest_24_file_and_dmps_zip_are_imported(app: FastAPI, tmp_path: Path) -> None:
    import zipfile

    old = fest_file(tmp_path, list(EKSEMPEL), name="fest24.xml", versjon="2.4")
    result = await registre(app).importer_fest(str(old))
    assert (result.status, result.nye, result.endrede, result.borte) == ("ok", 0, 0, 0)
    archive = tmp_path / "fest251.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(SAMPLE_PATH, "fest251.xml")
    assert (await registre(app).importer_fest(str(archive))).status == "ok"


async def test_lookups_carry_an_etag_and_answer_304_until_the_catalogue_changes(
    app: FastAPI, tmp_path: Path
) -> None:
    async with DemoClient(app, "hbe-soker") as client:
        first = await client.get("/api/legemidler", params={"q": "ritu"})
        etag = first.headers["etag"]
        assert etag.startswith('W/"') and "max-age" in first.headers["cache-control"]
        again = await client.get("/api/legemidler", params={"q": "ritu"}, headers={"if-none-match": etag})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
        other = await client.get("/api/legemidler", params={"q": "ritux"}, headers={"if-none-match": etag})
        assert other.status_code == 200 and other.headers["etag"] != etag
        one = await client.get(f"/api/legemidler/{MABTHERA}")
        assert (
            await client.get(f"/api/legemidler/{MABTHERA}", headers={"if-none-match": one.headers["etag"]})
        ).status_code == 304
        code = await client.get("/api/diagnoser", params={"q": "G35"})
        assert (
            await client.get(
                "/api/diagnoser", params={"q": "G35"}, headers={"if-none-match": code.headers["etag"]}
            )
        ).status_code == 304

        await registre(app).importer_fest(
            str(fest_file(tmp_path, [lm for lm in EKSEMPEL if lm.navn != "Kiovig"]))
        )
        after = await client.get("/api/legemidler", params={"q": "ritu"}, headers={"if-none-match": etag})
        assert after.status_code == 200 and after.headers["etag"] != etag


async def test_the_smpc_link_or_a_clear_no_link_answer(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-soker") as client:
        link = (await client.get(f"/api/legemidler/{MABTHERA}/preparatomtale")).json()
        assert (
            link["har_lenke"] and link["url"] == "https://www.ema.europa.eu/en/medicines/human/EPAR/mabthera"
        )
        none = (
            await client.get("/api/legemidler/ID_DB89D62E-6925-4A04-B9F7-C817330D7BEA/preparatomtale")
        ).json()
        assert none["har_lenke"] is False and none["url"] is None
        assert none["melding"].startswith(
            "FEST har ingen lenke til preparatomtale (SPC) for dette legemidlet."
        )
        missing = await client.get("/api/legemidler/ID_UKJENT/preparatomtale")
        assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM
        packs = (await client.get(f"/api/legemidler/{MABTHERA}/pakninger")).json()
        assert sorted((p["pakningsstr"], p["aip_nok"], p["markedsstatus"]) for p in packs) == [
            ("1", 10540.0, "markedsfort"),
            ("2", 4216.0, "markedsfort"),
        ]
        remicade = (
            await client.get("/api/legemidler/ID_73669299-A86D-482B-95F3-C4495E861FE9/pakninger")
        ).json()
        assert sorted(p["markedsstatus"] for p in remicade) == ["avregistrert", "markedsfort"]


async def test_bad_input_is_a_422_naming_the_parameter(app: FastAPI) -> None:
    async with DemoClient(app, "hbe-soker") as client:
        for path, params, field in [
            ("/api/legemidler", {"antall": "x"}, "antall"),
            ("/api/legemidler", {"antall": "0"}, "antall"),
            ("/api/legemidler", {"q": "x" * 101}, "q"),
            ("/api/diagnoser", {"antall": "51"}, "antall"),
            (f"/api/legemidler/{'x' * 101}", {}, "fest_id"),
            (f"/api/diagnoser/{'G' * 21}", {}, "kode"),
        ]:
            r = await client.get(path, params=params)
            assert r.status_code == 422 and r.headers["content-type"] == PROBLEM, (path, r.text)
            assert [e["field"] for e in r.json()["errors"]] == [field]
        for q in ("\x00", "%", "((", "Ω≈ç√", "G3.5.", "."):
            assert (await client.get("/api/legemidler", params={"q": q})).status_code == 200
            assert (await client.get("/api/diagnoser", params={"q": q})).status_code == 200


async def test_the_admin_sees_the_last_imports_and_others_do_not(app: FastAPI, tmp_path: Path) -> None:
    await registre(app).importer_fest(str(fest_file(tmp_path, list(EKSEMPEL[:3]))))
    async with DemoClient(app, "hbe-soker") as soker:
        assert (await soker.get("/api/registre")).status_code == 403
        assert (await soker.get("/registre", headers={"accept": "text/html"})).status_code == 403
    async with DemoClient(app, "hbe-admin") as admin:
        status = (await admin.get("/api/registre")).json()
        last, first = status["fest"]["importer"][:2]
        assert last["status"] == "feilet" and "avkortet" in last["feil"] and last["ferdig_at"]
        assert (first["status"], first["antall"], first["nye"], first["versjon"]) == (
            "ok",
            len(EKSEMPEL),
            len(EKSEMPEL),
            "FEST 2.5.1",
        )
        assert (
            first["kilde"].endswith("fest251_eksempel.xml") and first["hentet_dato"] == "2026-12-01T03:10:00"
        )
        assert status["icd10"]["importer"][0]["antall"] == 30
        assert status["indeks"] == {"legemidler": len(EKSEMPEL), "diagnoser": 30}
        page = await admin.get("/registre", headers={"accept": "text/html"})
        assert page.status_code == 200
        assert "Feilet, ikke tatt i bruk" in page.text and "Den ser avkortet ut" in page.text
        assert (
            "Tatt i bruk" in page.text
            and "<caption>Siste importer av FEST (legemidler)</caption>" in page.text
        )
        front = await admin.get("/", headers={"accept": "text/html"})
        assert "Importer av FEST og ICD-10" in front.text


async def test_a_running_import_shows_its_progress_to_the_admin(app: FastAPI, tmp_path: Path) -> None:
    path = fest_file(tmp_path, list(EKSEMPEL), name="stor.xml", fyll=interaksjoner(8_000_000))
    task = asyncio.create_task(registre(app).importer_fest(str(path)))
    async with DemoClient(app, "hbe-admin") as admin:

        async def reading() -> bool:
            running = (await admin.get("/api/registre")).json()["fest"]["pagar"]
            return bool(running and running["kilde"] == str(path) and running["tellere"].get("oppføringer"))

        await wait_until(reading, timeout=30)
        page = await admin.get("/registre", headers={"accept": "text/html"})
        assert "Import pågår" in page.text and "oppføringer" in page.text
        result = await task
        assert result.status == "ok"
        assert (await admin.get("/api/registre")).json()["fest"]["pagar"] is None


async def test_the_cli_imports_into_the_services_database_and_the_service_picks_it_up(
    app: FastAPI, tmp_path: Path, capsys: object
) -> None:
    path = fest_file(tmp_path, [lm for lm in EKSEMPEL if lm.navn != "Hemangiol"])
    code = await cli(["import-fest", str(path)], settings(tmp_path))
    assert code == 0
    assert await registre(app).last_indeks()
    async with DemoClient(app, "hbe-soker") as client:
        assert await names(client, "propranolol") == ["Propranolol (uregistrert)"]
    assert await cli(["import-fest", str(tmp_path / "mangler.xml")], settings(tmp_path)) == 1
    icd = tmp_path / "icd10.json"
    icd.write_text(
        json.dumps([{"codeValue": "G35", "nameNorwegian": "Multippel sklerose", "active": True}] * 1)
    )
    assert await cli(["import-icd10", str(icd)], settings(tmp_path)) == 1  # 1 of 30: truncated


async def test_the_schedule_imports_a_new_file_from_a_folder_once(app: FastAPI, tmp_path: Path) -> None:
    folder = tmp_path / "innboks"
    folder.mkdir()
    fest_file(folder, [lm for lm in EKSEMPEL if lm.navn != "Kiovig"], name="fest251.xml")
    r = registre(app)
    r.kilder["fest"] = str(folder)
    first = await r.hent_og_importer("fest")
    assert (first.status, first.borte) == ("ok", 1)
    assert (await r.hent_og_importer("fest")).status == "uendret"


async def test_the_schedule_downloads_only_when_the_etag_changed(app: FastAPI) -> None:
    body = SAMPLE_PATH.read_bytes()
    seen: list[dict[str, str]] = []

    def dmp(request: httpx.Request) -> httpx.Response:
        seen.append(dict(request.headers))
        if request.headers.get("if-none-match") == '"v1"':
            return httpx.Response(304)
        return httpx.Response(
            200, content=body, headers={"etag": '"v1"', "last-modified": "Tue, 01 Dec 2026 03:10:00 GMT"}
        )

    r = registre(app)
    r.http = httpx.AsyncClient(transport=httpx.MockTransport(dmp))
    r.kilder["fest"] = "https://www.dmp.no/fest/fest251.xml"
    assert (await r.hent_og_importer("fest")).status == "ok"
    assert (await r.hent_og_importer("fest")).status == "uendret"
    assert "if-none-match" not in seen[0] and seen[1]["if-none-match"] == '"v1"'
    assert seen[1]["if-modified-since"] == "Tue, 01 Dec 2026 03:10:00 GMT"

    r.http = httpx.AsyncClient(transport=httpx.MockTransport(lambda _: httpx.Response(503)))
    failed = await r.hent_og_importer("fest")
    assert (
        failed.status == "feilet"
        and failed.feil == "Nedlastingen fra https://www.dmp.no/fest/fest251.xml feilet: HTTP 503."
    )
    async with DemoClient(app, "hbe-soker") as client:
        assert await names(client, "rituksimab") == ["MabThera", "Truxima"]


async def test_icd10_import_replaces_texts_and_marks_removed_codes_gone(app: FastAPI, tmp_path: Path) -> None:
    codes = json.loads((Path(SAMPLE_PATH).parent / "icd10_eksempel.json").read_text())
    codes = [c for c in codes if c["codeValue"] != "L88"]
    codes.append({"codeValue": "G360", "nameNorwegian": "Nevromyelitis optica", "active": True})
    codes = [c for c in codes if not (c["codeValue"] == "G360" and c["nameNorwegian"].startswith("Neuro"))]
    path = tmp_path / "icd10.json"
    path.write_text(json.dumps(codes, ensure_ascii=False))
    result = await registre(app).importer_icd10(str(path), versjon="2027")
    assert (result.status, result.nye, result.endrede, result.borte) == ("ok", 0, 1, 1)
    async with DemoClient(app, "hbe-soker") as client:
        assert (await client.get("/api/diagnoser", params={"q": "nevromyelitis"})).json()[0][
            "kode"
        ] == "G36.0"
        assert (await client.get("/api/diagnoser", params={"q": "L88"})).json() == []
