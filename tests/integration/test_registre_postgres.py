"""FEST and ICD-10 imports on PostgreSQL: the generations, the carried-over gone entries (INSERT … SELECT)
and the switch behave as on SQLite, a truncated file (brands or packs) leaves the served catalogue alone,
and another code system's rows in the shared code table are left alone by ICD-10's imports."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from integrasjon.register.fest_eksempel import EKSEMPEL
from integrasjon.register.fest_skriver import skriv_fest
from integrasjon.register.import_jobb import FEST_EKSEMPEL, ICD10_EKSEMPEL, ICD10_FINNKODE_EKSEMPEL, Registre
from integrasjon.store import Diagnosekode, FestLegemiddel, FestPakning, RegisterAktiv, RegisterImport
from shared.platform.clock import SystemClock
from shared.platform.db.engine import create_engine
from shared.platform.db.migrate import upgrade

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "integrasjon" / "integrasjon" / "migrations"


async def test_fest_import_generations_on_postgres(pg_url: str, tmp_path: Path) -> None:
    engine = create_engine(pg_url)
    try:
        await upgrade(engine, MIGRATIONS)
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        registre = Registre(sessions, SystemClock())
        first = await registre.importer_fest(str(FEST_EKSEMPEL))
        assert (first.status, first.nye) == ("ok", len(EKSEMPEL))
        assert (await registre.importer_icd10(str(ICD10_EKSEMPEL))).status == "ok"

        smaller = tmp_path / "uten-truxima.xml"
        with smaller.open("w", encoding="utf-8") as out:
            skriv_fest(out, [lm for lm in EKSEMPEL if lm.navn != "Truxima"])
        second = await registre.importer_fest(str(smaller))
        assert (second.status, second.borte, second.nye) == ("ok", 1, 0)

        truncated = tmp_path / "avkortet.xml"
        with truncated.open("w", encoding="utf-8") as out:
            skriv_fest(out, list(EKSEMPEL[:4]))
        refused = await registre.importer_fest(str(truncated))
        assert refused.status == "feilet" and refused.feil and "avkortet" in refused.feil
        few_packs = tmp_path / "få-pakninger.xml"
        with few_packs.open("w", encoding="utf-8") as out:
            skriv_fest(
                out,
                [replace(lm, pakninger=lm.pakninger[:1] if i < 8 else ()) for i, lm in enumerate(EKSEMPEL)],
            )
        refused = await registre.importer_fest(str(few_packs))
        assert refused.status == "feilet" and refused.feil and "pakninger" in refused.feil

        async with sessions() as session:
            active = await session.get(RegisterAktiv, "fest")
            assert active is not None and active.generasjon == second.import_id
            generations = (await session.scalars(select(FestLegemiddel.generasjon).distinct())).all()
            assert list(generations) == [second.import_id]
            gone = (
                await session.scalars(select(FestLegemiddel).where(FestLegemiddel.borte_siden.is_not(None)))
            ).all()
            assert [g.navn for g in gone] == ["Truxima"]
            packs = await session.scalar(select(func.count()).select_from(FestPakning))
            assert packs == sum(len(lm.pakninger) for lm in EKSEMPEL)
        await registre.last_indeks()
        assert [lm.navn for lm in registre.indeks.sok_legemidler("rituksimab", limit=5)] == ["MabThera"]
        assert registre.indeks.legemiddel("ID_73BF6D22-F2C1-44C6-87A5-E49EF3176F33") is not None
        assert [d.kode for d in registre.indeks.sok_diagnoser("G36", limit=5)] == ["G36.0"]

        # An ICD-11 list beside ICD-10 in the shared table outlives ICD-10's next import (FinnKode's xlsx).
        now = datetime(2026, 1, 1, tzinfo=UTC)
        async with sessions() as session:
            record = RegisterImport(register="icd11", status="ok", kilde="icd11", startet_at=now)
            session.add(record)
            await session.flush()
            session.add(
                Diagnosekode(
                    generasjon=record.id, system="icd11", kode="8A40", versjon="2026",
                    tekst="Multippel sklerose", aktiv=True, fingeravtrykk="x",
                )
            )  # fmt: skip
            await session.commit()
        icd = await registre.importer_icd10(str(ICD10_FINNKODE_EKSEMPEL))
        assert (icd.status, icd.nye, icd.endrede, icd.borte) == ("ok", 0, 0, 0), icd
        async with sessions() as session:
            systems = (
                await session.execute(select(Diagnosekode.system, func.count()).group_by(Diagnosekode.system))
            ).all()
            assert sorted(systems) == [("icd10", 30), ("icd11", 1)]
    finally:
        await engine.dispose()
