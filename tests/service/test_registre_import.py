"""Registry imports beyond the happy path: FinnKode's Excel export, a second code system in the shared
table, the truncation check on every FEST table, the scheduled loop itself, and a bad file that is not
retried on every check until it changes."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
from fastapi import FastAPI
from openpyxl import load_workbook
from sqlalchemy import func, select

from integrasjon.app import create_app
from integrasjon.register import lager
from integrasjon.register.fest_eksempel import EKSEMPEL, SAMPLE_PATH
from integrasjon.register.fest_skriver import Legemiddeldata, skriv_fest
from integrasjon.register.import_jobb import ICD10_FINNKODE_EKSEMPEL, UENDRET_FEILET
from integrasjon.register.kilder import lokal_etag
from integrasjon.store import Diagnosekode, FestLegemiddel, RegisterAktiv, RegisterImport
from shared.platform.bus.memory import MemoryBus
from tests.support.apps import DemoClient, running
from tests.support.integrasjon_registre import (  # registre_app: the module's `app` fixture
    MABTHERA,
    registre,
    registre_app,  # noqa: F401
    settings,
)
from tests.support.waiting import wait_until


def fest_file(path: Path, legemidler: list[Legemiddeldata]) -> Path:
    with path.open("w", encoding="utf-8") as out:
        skriv_fest(out, legemidler)
    return path


async def imports(app: FastAPI, register: str) -> list[RegisterImport]:
    async with app.state.runtime.db.sessions() as session:
        return list(
            (
                await session.scalars(
                    select(RegisterImport)
                    .where(RegisterImport.register == register)
                    .order_by(RegisterImport.id)
                )
            ).all()
        )


async def codes(client: httpx.AsyncClient, q: str) -> list[str]:
    r = await client.get("/api/diagnoser", params={"q": q})
    assert r.status_code == 200, r.text
    return [d["kode"] for d in r.json()]


# --- ICD-10 as FinnKode exports it ----------------------------------------------------------------------


async def test_finnkodes_excel_export_is_imported_and_a_broken_one_keeps_the_old_list(
    app: FastAPI, tmp_path: Path
) -> None:
    # The demo's list came from the JSON sample; the export of the same codes changes nothing.
    same = await registre(app).importer_icd10(str(ICD10_FINNKODE_EKSEMPEL), versjon="2026")
    assert (same.status, same.antall, same.nye, same.endrede, same.borte) == ("ok", 30, 0, 0, 0), same

    # An export with a renamed text column is refused, naming the column; the list in use stays.
    workbook = load_workbook(ICD10_FINNKODE_EKSEMPEL)
    sheet = workbook.worksheets[0]
    for cell in sheet[1]:
        if cell.value == "Tekst uten lengdebegrensning":
            cell.value = "Description"
        elif cell.value == "Tekst med maksimalt 60 tegn":
            cell.value = "Short description"
    broken = tmp_path / "icd10.xlsx"
    workbook.save(broken)
    before = registre(app).indeks
    refused = await registre(app).importer_icd10(str(broken))
    assert refused.status == "feilet" and refused.feil is not None
    assert "Fant ikke kolonnen «Tekst uten lengdebegrensning» i arket «ICD-10»" in refused.feil
    assert registre(app).indeks is before
    async with DemoClient(app, "hbe-soker") as client:
        assert await codes(client, "G36.0") == ["G36.0"]
    async with DemoClient(app, "hbe-admin") as admin:
        last = (await admin.get("/api/registre")).json()["icd10"]["importer"][0]
        assert last["status"] == "feilet" and "Tekst uten lengdebegrensning" in last["feil"]


# --- a second code system in the shared table -----------------------------------------------------------


async def add_icd11(app: FastAPI) -> int:
    """An ICD-11 list as a later registry would store it: its own import, generation and system."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    async with app.state.runtime.db.sessions() as session:
        record = RegisterImport(
            register="icd11", status="ok", kilde="icd11.xlsx", startet_at=now, ferdig_at=now, antall=2
        )
        session.add(record)
        await session.flush()
        session.add(RegisterAktiv(register="icd11", generasjon=record.id, byttet_at=now))
        for kode, tekst in [("8A40", "Multippel sklerose"), ("8A43", "Nevromyelitt optikus-spektrumlidelse")]:
            session.add(
                Diagnosekode(
                    generasjon=record.id, system="icd11", kode=kode, versjon="2026", tekst=tekst, aktiv=True,
                    foreldre=None, kjonn=None, fingeravtrykk="x", borte_siden=None,
                )
            )  # fmt: skip
        await session.commit()
        return record.id


async def test_an_icd11_list_in_the_same_table_survives_icd10_imports(app: FastAPI, tmp_path: Path) -> None:
    icd11 = await add_icd11(app)
    fewer = tmp_path / "icd10.tsv"
    rows = [
        "\t".join(row)
        for row in [("Kode", "Tekst uten lengdebegrensning")]
        + [(d.kode, d.tekst) for d in registre(app).indeks.diagnoser if d.kode != "G35"]
    ]
    fewer.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = await registre(app).importer_icd10(str(fewer))
    # Only ICD-10 counts: G35 went, nothing of ICD-11 is counted or carried over as gone.
    assert (result.status, result.borte) == ("ok", 1), result
    again = await registre(app).importer_icd10(str(ICD10_FINNKODE_EKSEMPEL))
    assert (again.status, again.nye, again.borte) == ("ok", 1, 0), again
    async with app.state.runtime.db.sessions() as session:
        kept = (await session.scalars(select(Diagnosekode).where(Diagnosekode.system == "icd11"))).all()
        assert sorted((d.kode, d.generasjon, d.borte_siden) for d in kept) == [
            ("8A40", icd11, None),
            ("8A43", icd11, None),
        ]
        icd10_generations = (
            await session.scalars(
                select(Diagnosekode.generasjon).where(Diagnosekode.system == "icd10").distinct()
            )
        ).all()
        assert list(icd10_generations) == [again.import_id]


async def test_the_generation_queries_keep_to_their_own_code_system(app: FastAPI) -> None:
    """Were an ICD-11 row ever written under an ICD-10 generation, ICD-10's fingerprints, carried-over
    gone entries and clean-up leave it alone."""
    generasjon = registre(app)._generasjoner["icd10"]
    now = datetime(2026, 1, 1, tzinfo=UTC)
    async with app.state.runtime.db.sessions() as session:
        session.add(
            Diagnosekode(
                generasjon=generasjon, system="icd11", kode="8A40", versjon="2026",
                tekst="Multippel sklerose", aktiv=True, foreldre=None, kjonn=None, fingeravtrykk="x",
                borte_siden=None,
            )
        )  # fmt: skip
        await session.commit()
        prints = await lager.fingeravtrykk(session, Diagnosekode, generasjon, lager.ICD10)
        assert len(prints) == 30 and {system for system, _ in prints} == {"icd10"}
        assert await lager.antall_tilstede(session, Diagnosekode, generasjon, lager.ICD10) == 30
        await lager.bevar_borte(
            session, Diagnosekode, lager.ICD10, ny=generasjon + 1000, forrige=generasjon, na=now
        )
        carried = (
            await session.scalars(
                select(Diagnosekode.system).where(Diagnosekode.generasjon == generasjon + 1000)
            )
        ).all()
        assert len(carried) == 30 and set(carried) == {"icd10"}
        await lager.slett_generasjon(session, lager.ICD10, generasjon + 1000)
        await lager.slett_andre_generasjoner(session, lager.ICD10, generasjon + 1000)
        await session.commit()
        left = (
            await session.execute(select(Diagnosekode.system, func.count()).group_by(Diagnosekode.system))
        ).all()
        assert left == [("icd11", 1)]


# --- the truncation check on every FEST table -----------------------------------------------------------


async def test_a_file_with_every_brand_but_few_packs_is_refused_as_truncated(
    app: FastAPI, tmp_path: Path
) -> None:
    # Six single-pack brands lose their packs: 15 of 21 packs (71 %), every brand still there.
    stripped = {lm.fest_id for lm in EKSEMPEL if len(lm.pakninger) == 1 and lm.fest_id != MABTHERA}
    stripped = set(sorted(stripped)[:6])
    legemidler = [replace(lm, pakninger=()) if lm.fest_id in stripped else lm for lm in EKSEMPEL]
    packs = sum(len(lm.pakninger) for lm in legemidler)
    assert packs < 0.8 * sum(len(lm.pakninger) for lm in EKSEMPEL) and len(legemidler) == len(EKSEMPEL)
    before = registre(app).indeks
    result = await registre(app).importer_fest(str(fest_file(tmp_path / "uten-pakninger.xml", legemidler)))
    assert result.status == "feilet" and result.feil is not None, result
    assert f"Filen har bare {packs} pakninger mot 21" in result.feil and "Den ser avkortet ut" in result.feil
    assert registre(app).indeks is before
    async with DemoClient(app, "hbe-soker") as client:
        for fest_id in stripped:
            served = (await client.get(f"/api/legemidler/{fest_id}/pakninger")).json()
            assert len(served) == 1 and served[0]["borte"] is False, fest_id
    async with app.state.runtime.db.sessions() as session:
        generations = set((await session.scalars(select(FestLegemiddel.generasjon).distinct())).all())
        assert generations == {registre(app)._generasjoner["fest"]}


# --- the schedule ---------------------------------------------------------------------------------------


async def test_the_scheduled_loop_imports_from_the_folders_and_leaves_a_bad_file_alone(
    tmp_path: Path,
) -> None:
    fest_folder, icd_folder = tmp_path / "fest", tmp_path / "icd10"
    fest_folder.mkdir()
    icd_folder.mkdir()
    broken = fest_folder / "fest251.xml"
    data = SAMPLE_PATH.read_bytes()
    broken.write_bytes(data[: len(data) // 2])
    (icd_folder / "icd10.xlsx").write_bytes(ICD10_FINNKODE_EKSEMPEL.read_bytes())
    bus = MemoryBus()
    await bus.connect()
    app = create_app(
        settings(
            tmp_path,
            fest_source=str(fest_folder),
            icd10_source=str(icd_folder),
            register_check_interval_s=0.1,
            register_reload_interval_s=0.05,
        ),
        bus=bus,
        national_bus=bus,
    )
    async with running(app):
        r = registre(app)

        async def imported(register: str, status: str, kilde: Path) -> bool:
            return any(i.status == status and i.kilde == str(kilde) for i in await imports(app, register))

        await wait_until(lambda: imported("icd10", "ok", icd_folder / "icd10.xlsx"), timeout=20)
        await wait_until(lambda: imported("fest", "feilet", broken), timeout=20)
        # Checked again and again, the unchanged bad file is not imported again.
        await wait_until(lambda: r.sist_sjekket.get("fest", (None, ""))[1] == UENDRET_FEILET, timeout=20)
        checked = r.sist_sjekket["fest"][0]
        await wait_until(lambda: r.sist_sjekket["fest"][0] != checked, timeout=20)
        assert [i.status for i in await imports(app, "fest")] == [
            "ok",
            "feilet",
        ]  # the sample, then the bad file

        # Fixed, it is taken in on the next check.
        fixed = fest_file(fest_folder / "fest251-ny.xml", [lm for lm in EKSEMPEL if lm.navn != "Kiovig"])
        os.utime(fixed, ns=(broken.stat().st_mtime_ns + 10**9,) * 2)
        await wait_until(lambda: imported("fest", "ok", fixed), timeout=20)
        # The service swaps in the new catalogue on its next reload (every 0.05 s here): Kiovig is gone.
        await wait_until(
            lambda: not [lm for lm in r.indeks.sok_legemidler("Kiovig", limit=5) if not lm.borte], timeout=5
        )
    await bus.close()


async def test_an_unchanged_bad_file_is_tried_once_until_it_changes(app: FastAPI, tmp_path: Path) -> None:
    path = tmp_path / "fest.xml"
    data = SAMPLE_PATH.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    r = registre(app)
    r.kilder["fest"] = str(path)
    first = await r.hent_og_importer("fest")
    assert first.status == "feilet"
    assert (await r.hent_og_importer("fest")).status == "uendret"
    assert (await r.hent_og_importer("fest")).status == "uendret"
    assert r.sist_sjekket["fest"][1] == UENDRET_FEILET
    assert [i.status for i in await imports(app, "fest")] == ["ok", "feilet"]
    async with DemoClient(app, "hbe-admin") as admin:
        page = await admin.get("/registre", headers={"accept": "text/html"})
        assert UENDRET_FEILET in page.text
    # Changed, it is tried again.
    fest_file(path, list(EKSEMPEL))
    assert (await r.hent_og_importer("fest")).status == "ok"


async def test_a_file_that_failed_for_another_reason_is_retried(app: FastAPI, tmp_path: Path) -> None:
    path = fest_file(tmp_path / "fest.xml", list(EKSEMPEL))
    now = datetime(2026, 1, 1, tzinfo=UTC)
    async with app.state.runtime.db.sessions() as session:
        session.add(
            RegisterImport(
                register="fest", status="feilet", kilde=str(path), startet_at=now, ferdig_at=now,
                feil=lager.AVBRUTT, etag=lokal_etag(path),
            )
        )  # fmt: skip
        await session.commit()
    r = registre(app)
    r.kilder["fest"] = str(path)
    assert (await r.hent_og_importer("fest")).status == "ok"


async def test_a_url_serving_the_same_bad_file_is_not_imported_again(app: FastAPI) -> None:
    data = SAMPLE_PATH.read_bytes()
    served: dict[str, bytes] = {"body": data[: len(data) // 2], "etag": b'"v1"'}
    seen: list[dict[str, str]] = []

    def dmp(request: httpx.Request) -> httpx.Response:
        # A server that ignores conditional requests: only its ETag tells the files apart.
        seen.append(dict(request.headers))
        return httpx.Response(200, content=served["body"], headers={b"etag": served["etag"]})

    r = registre(app)
    r.http = httpx.AsyncClient(transport=httpx.MockTransport(dmp))
    r.kilder["fest"] = "https://www.dmp.no/fest/fest251.xml"
    assert (await r.hent_og_importer("fest")).status == "feilet"
    assert (await r.hent_og_importer("fest")).status == "uendret"
    assert seen[1].get("if-none-match") == '"v1"'
    assert [i.status for i in await imports(app, "fest")] == ["ok", "feilet"]
    served.update(body=data, etag=b'"v2"')
    assert (await r.hent_og_importer("fest")).status == "ok"
