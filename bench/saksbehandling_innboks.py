"""The medical director's inbox with 10,000 cases of one trust on PostgreSQL: p95 of the inbox page
(`GET /beslutning/`, the first page of open cases, earliest deadline first) through the HTTP app, one
uvicorn worker as in the distributed mode. Target: p95 under 100 ms.

The cases are written straight into beslutning's tables (after the app has migrated them): a realistic
mix of open cases in every status and decided ones with their decisions, each with a full snapshot."""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import insert

from bench.infra import pg_database, quiet_machine, uvicorn_app
from beslutning.store import Sak, Vedtak
from shared.domain.identifiers import synthetic_fodselsnummer
from shared.platform.auth.session import CSRF_COOKIE, CookieSigner
from shared.platform.db.engine import create_engine

CASES = 10_000
OPEN_SHARE = 0.3
WARMUP = 30
REQUESTS = 400
DEMO_SECRET = "demo-only-session-secret-not-for-production"
OPEN_STATUSES = [
    "til_triage",
    "klar_for_vedtak",
    "venter_pa_anbefaling",
    "venter_pa_svar",
    "hos_interregional",
]
DRUGS = [
    ("MabThera inf kons 10 mg/ml", "rituksimab", "L01FA01", "G35", "Multippel sklerose"),
    ("RoActemra inf kons 20 mg/ml", "tocilizumab", "L04AC07", "M31.4", "Takayasus arteritt"),
    ("Kineret inj 100 mg", "anakinra", "L04AC03", "D76.1", "Hemofagocytisk lymfohistiocytose"),
    ("Olumiant tab 4 mg", "baricitinib", "L04AF02", "M33.0", "Juvenil dermatomyositt"),
    ("Remicade inf 100 mg", "infliksimab", "L04AB02", "D86.0", "Sarkoidose i lunge"),
]


def _snapshot(
    i: int, lopenummer: str, soknad_id: str, forankret: datetime, drug: tuple[str, ...]
) -> dict[str, Any]:
    navn, virkestoff, atc, kode, tekst = drug
    born = datetime(1950 + i % 60, 1 + i % 12, 1 + i % 28).date()
    svar = {
        "dose": "1000 mg",
        "doseringsintervall": "Dag 1 og 15, deretter hver 6. måned",
        "antall_kurer": 3,
        "behandlingsvarighet": "18 måneder",
        "evalueringsplan": "Klinisk vurdering og MR etter 12 måneder. " * 3,
        "stoppkriterier": "Nytt attakk tross behandling, eller alvorlige infeksjoner. " * 2,
        "tidligere_behandling": "Azatioprin 150 mg daglig i 12 måneder. " * 3,
    }
    visning = [
        {
            "id": f"seksjon{s}",
            "tittel": f"Seksjon {s}",
            "felt": [
                {"id": f"f{s}_{k}", "etikett": f"Spørsmål {k}", "svar": "Et utfyllende svar. " * 4}
                for k in range(6)
            ],
        }
        for s in range(6)
    ]
    return {
        "soknad_id": soknad_id,
        "lopenummer": lopenummer,
        "hf": "HBE",
        "type": "enkeltpasient",
        "kategori": "off_label",
        "enhet": f"HBE-{['NEVRO', 'REVMA', 'BARN'][i % 3]}",
        "soker_id": "hbe-soker",
        "soker_navn": "Kari Nordmann",
        "pasient": {
            "fodselsnummer": synthetic_fodselsnummer(born, sex="kvinne", serial=i % 100),
            "navn": f"Syntetisk Pasient {i}",
            "fodselsdato": born.isoformat(),
            "kjonn": "kvinne",
        },
        "legemiddel": {"navn": navn, "virkestoff": virkestoff, "atc": atc, "verifisert": True},
        "indikasjon": {"kode": kode, "tekst": tekst, "verifisert": True},
        "begrunnelse": "Alvorlig sykdom uten effekt av etablert behandling. " * 4,
        "estimert_kostnad_nok": 50_000 + (i % 20) * 10_000,
        "sendt_at": (forankret - timedelta(days=2)).isoformat(),
        "forankret_at": forankret.isoformat(),
        "forankring": {
            "leder_id": "hbe-leder",
            "leder_navn": "Per Hansen",
            "begrunnelse": "Faglig og budsjettmessig forankret.",
            "kostnadssted": "HBE-4100",
        },
        "skjema_versjon": 1,
        "svar": svar,
        "visning": visning,
    }


async def populate(database_url: str) -> None:
    rng = random.Random(42)
    now = datetime.now(UTC)
    saker: list[dict[str, Any]] = []
    vedtak: list[dict[str, Any]] = []
    for i in range(CASES):
        sak_id, soknad_id = str(uuid.uuid4()), str(uuid.uuid4())
        lopenummer = f"HBE-2026-{i + 1:06d}"
        forankret = now - timedelta(days=rng.randint(0, 720), minutes=rng.randint(0, 1440))
        drug = DRUGS[i % len(DRUGS)]
        is_open = rng.random() < OPEN_SHARE
        status = rng.choice(OPEN_STATUSES) if is_open else "vedtatt"
        saker.append(
            {
                "id": sak_id,
                "hf": "HBE",
                "soknad_id": soknad_id,
                "lopenummer": lopenummer,
                "type": "enkeltpasient",
                "kategori": "off_label",
                "snapshot": _snapshot(i, lopenummer, soknad_id, forankret, drug),
                "versjon": 1,
                "forankret_at": forankret,
                "opprettet_at": forankret,
                "endret_at": forankret,
                "anbefalt_at": None,
                "status": status,
                "anbefaling": None,
                "vurderingsflyt": None if status == "til_triage" else "forenklet",
                "enhet": f"HBE-{['NEVRO', 'REVMA', 'BARN'][i % 3]}",
                "virkestoff": drug[1],
                "icd10": drug[3],
                "frist": (forankret + timedelta(days=14)).date(),
                "forfalt_varslet": True,
                "vedtatt_at": None if is_open else forankret + timedelta(days=10),
            }
        )
        if not is_open:
            vedtak.append(
                {
                    "id": str(uuid.uuid4()),
                    "sak_id": sak_id,
                    "forste_for_sak": sak_id,
                    "art": "vedtak",
                    "gjeldende": True,
                    "utfall": rng.choice(["innvilget", "innvilget_med_vilkar", "avslatt"]),
                    "begrunnelse": "Vurdert etter prioriteringskriteriene. " * 3,
                    "vurderingsflyt": "forenklet",
                    "fattet_av": "hbe-fagdirektor",
                    "fattet_av_navn": "Lars Haugen",
                    "fattet_at": forankret + timedelta(days=10),
                    "vilkar_liste": [],
                }
            )
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            for start in range(0, len(saker), 1000):
                await conn.execute(insert(Sak), saker[start : start + 1000])
            for start in range(0, len(vedtak), 1000):
                await conn.execute(insert(Vedtak), vedtak[start : start + 1000])
    finally:
        await engine.dispose()
    # A database in steady state has been vacuumed (autovacuum): index-only scans see the visibility map.
    raw = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await raw.execute("VACUUM ANALYZE")
    finally:
        await raw.close()


async def login(client: httpx.AsyncClient) -> None:
    await client.get("/")
    token = CookieSigner(DEMO_SECRET).read_csrf(client.cookies.get(CSRF_COOKIE)) or ""
    r = await client.post("/logg-inn", data={"bruker": "hbe-fagdirektor", "csrf_token": token})
    if r.status_code != 303:
        raise RuntimeError(f"login failed: {r.status_code} {r.text[:300]}")


async def measure(url: str) -> list[float]:
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        await login(client)
        for _ in range(WARMUP):
            r = await client.get("/beslutning/")
            r.raise_for_status()
        assert "HBE-2026-" in r.text, "the inbox lists no cases"
        times: list[float] = []
        for _ in range(REQUESTS):
            t0 = time.perf_counter()
            r = await client.get("/beslutning/")
            times.append((time.perf_counter() - t0) * 1000)
            r.raise_for_status()
        return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94]


async def run() -> dict[str, float]:
    print(f"saksbehandling: the director's inbox with {CASES} cases on PostgreSQL", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-innboks-") as tmp:
        async with pg_database() as database_url:
            env = {
                "SP_BESLUTNING_DATABASE_URL": database_url,
                "SP_BESLUTNING_DATA_DIR": tmp,
                "SP_BESLUTNING_BUS_URL": "memory://",
                "SP_BESLUTNING_LOG_LEVEL": "WARNING",
            }
            log = Path(tmp, "beslutning.log")
            async with uvicorn_app(
                "beslutning.app:create_standalone_app",
                env=env,
                ready_path="/beslutning/health/ready",
                log=log,
            ) as server:
                t0 = time.perf_counter()
                await populate(database_url)
                print(f"  {CASES} cases written in {time.perf_counter() - t0:.1f} s", flush=True)
                await quiet_machine()
                times = await measure(server.url)
    result = {
        "saksbehandling_inbox_p50_ms": round(statistics.median(times), 1),
        "saksbehandling_inbox_p95_ms": round(p95(times), 1),
        "saksbehandling_inbox_max_ms": round(max(times), 1),
    }
    p50, p95_ = result["saksbehandling_inbox_p50_ms"], result["saksbehandling_inbox_p95_ms"]
    print(f"  inbox: p50 {p50} ms, p95 {p95_} ms", flush=True)
    return result


if __name__ == "__main__":
    for key, value in asyncio.run(run()).items():
        print(key, value)
