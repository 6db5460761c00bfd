"""The committee's case page with 10,000 cases of one trust on PostgreSQL: the whole application (its
sections with comment threads), the member's assessment, the history and the precedent panel (the
trust's earlier decisions from the database, the national part from a stub of `oversikt` in its own
process), requested one after another through the HTTP app by one member. Figure:
`saksbehandling_case_p95_ms` (target < 100 ms).

`python -m bench.saksbehandling_sak` runs it alone."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import insert

from bench.infra import pg_database, quiet_machine, uvicorn_app
from shared.domain.identifiers import synthetic_fodselsnummer
from shared.platform.auth.demo import DEMO_USERS
from shared.platform.auth.session import SESSION_COOKIE, CookieSigner
from shared.platform.bus.memory import MemoryBus
from vurdering.app import create_app
from vurdering.settings import VurderingSettings
from vurdering.store import Historikk, Kommentar, Sak

CASES = 10_000
REQUESTS = 300
CONCURRENCY = 1  # one member opening cases: the latency a person sees, not a queue behind others
SECRET = "bench-secret-bench-secret-bench-secret-0123"

PAIRS = [
    ("rituksimab", "L01FA01", "G35", "Multippel sklerose"),
    ("rituksimab", "L01FA01", "G70.0", "Myasthenia gravis"),
    ("tocilizumab", "L04AC07", "M31.4", "Takayasus arteritt"),
    ("anakinra", "L04AC03", "D76.1", "Hemofagocytisk lymfohistiocytose"),
    ("baricitinib", "L04AF02", "M33.0", "Juvenil dermatomyositt"),
    ("infliksimab", "L04AB02", "D86.0", "Sarkoidose i lunge"),
]


def stub_oversikt() -> FastAPI:
    """`oversikt`'s precedent answer, served by its own process as `oversikt` would be."""
    stub = FastAPI()

    @stub.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @stub.get("/oversikt/api/presedens")
    async def presedens(virkestoff: str = "", atc: str = "", icd10: str = "") -> dict[str, Any]:
        return {
            "virkestoff": virkestoff,
            "atc": atc,
            "icd10": icd10,
            "icd10_kategori": icd10[:3],
            "prikkegrense": 5,
            "per_hf": [
                {
                    "hf": "OUS",
                    "hf_navn": "Oslo universitetssykehus",
                    "rhf": "HSO",
                    "innvilget": 14,
                    "innvilget_med_vilkar": "<5",
                    "avslatt": 3,
                },
                {
                    "hf": "SUS",
                    "hf_navn": "Helse Stavanger",
                    "rhf": "HV",
                    "innvilget": 6,
                    "innvilget_med_vilkar": 0,
                    "avslatt": "<5",
                },
            ],
            "gruppevedtak": [],
        }

    return stub


def _visning(rng: random.Random, fnr: str, navn: str) -> list[dict[str, Any]]:
    def felt(i: str, etikett: str, svar: str) -> dict[str, str]:
        return {"id": i, "etikett": etikett, "svar": svar}

    tekst = "Pasienten har hatt hyppige attakker og økende funksjonstap til tross for behandling. " * 3
    return [
        {
            "id": "pasient",
            "tittel": "Pasient",
            "felt": [felt("pasient_fodselsnummer", "Fødselsnummer", fnr), felt("pasient_navn", "Navn", navn)],
        },
        {
            "id": "diagnose",
            "tittel": "Diagnose og alvorlighet",
            "felt": [felt("alvorlighet", "Alvorlighet", tekst)],
        },
        {
            "id": "legemiddel",
            "tittel": "Legemiddel og dosering",
            "felt": [felt(f"f{i}", f"Spørsmål {i}", f"Svar {rng.random():.6f}") for i in range(8)],
        },
        {
            "id": "bruk",
            "tittel": "Godkjenning og tiltenkt bruk",
            "felt": [felt("bruk", "Tiltenkt bruk", tekst)],
        },
        {
            "id": "tidligere_behandling",
            "tittel": "Tidligere behandling og alternativer",
            "felt": [felt("tidl", "Tidligere behandling", tekst), felt("alt", "Alternativer", tekst)],
        },
        {
            "id": "effekt",
            "tittel": "Dokumentasjon og forventet effekt",
            "felt": [felt("evidens", "Dokumentasjon", tekst * 2)],
        },
        {"id": "kostnad", "tittel": "Kostnad", "felt": [felt("kostnad", "Anslått kostnad", "120 000 kr")]},
        {
            "id": "evaluering",
            "tittel": "Evaluering og oppfølging",
            "felt": [felt("stopp", "Stoppregel", tekst)],
        },
        {
            "id": "samtykke",
            "tittel": "Informasjon og samtykke",
            "felt": [felt("samtykke", "Skriftlig samtykke", "Ja")],
        },
        {
            "id": "begrunnelse",
            "tittel": "Samlet begrunnelse",
            "felt": [felt("begrunnelse", "Begrunnelse", tekst)],
        },
    ]


async def _seed(app: FastAPI) -> list[str]:
    """10,000 cases of HBE: most sent to the committee, a quarter decided (the precedent), with a few
    comments and history lines each on the ones measured."""
    rng = random.Random(8)
    now = datetime.now(UTC)
    db = app.state.runtime.db
    rows: list[dict[str, Any]] = []
    measured: list[str] = []
    for n in range(CASES):
        virkestoff, atc, kode, tekst = PAIRS[n % len(PAIRS)]
        born = datetime(1950 + n % 60, 1 + n % 12, 1 + n % 28).date()
        fnr = synthetic_fodselsnummer(born, sex="kvinne" if n % 2 else "mann")
        sak_id = str(uuid.uuid4())
        decided = n % 4 == 0
        snapshot = {
            "lopenummer": f"HBE-2026-{n:06d}",
            "type": "gruppe" if n % 50 == 0 else "enkeltpasient",
            "kategori": "off_label",
            "enhet": "HBE-NEVRO",
            "soker_navn": "Kari Nordmann",
            "pasient": {"fodselsnummer": fnr, "navn": f"Pasient {n}", "fodselsdato": born.isoformat()},
            "legemiddel": {
                "navn": f"{virkestoff.title()} 100 mg",
                "virkestoff": virkestoff,
                "atc": atc,
                "verifisert": True,
            },
            "indikasjon": {"kode": kode, "tekst": tekst, "verifisert": True},
            "begrunnelse": "Attakker tross behandling.",
            "forankring": {
                "leder_id": "hbe-leder",
                "leder_navn": "Per Hansen",
                "begrunnelse": "Enig.",
                "kostnadssted": "4100",
            },
            "visning": _visning(rng, fnr, f"Pasient {n}"),
        }
        rows.append(
            {
                "id": sak_id,
                "hf": "HBE",
                "soknad_id": str(uuid.uuid4()),
                "lopenummer": snapshot["lopenummer"],
                "type": snapshot["type"],
                "kategori": "off_label",
                "status": "avsluttet" if decided else "til_vurdering",
                "snapshot": snapshot,
                "versjon": 1,
                "forankret_at": now - timedelta(days=n % 700),
                "opprettet_at": now - timedelta(days=n % 700),
                "endret_at": now,
                "flyt": "komplett",
                "frist": (now + timedelta(days=n % 30 - 10)).date(),
                "medlemmer": [{"id": "hbe-komite", "navn": "Ingrid Berg"}],
                "nye_felt": [],
                "virkestoff": virkestoff,
                "icd10_kode": kode,
                "utfall": ("innvilget", "innvilget_med_vilkar", "avslatt")[n % 3] if decided else None,
                "vedtak_begrunnelse": "Vurdert etter prioriteringskriteriene." if decided else None,
                "avsluttet_at": now - timedelta(days=n % 500) if decided else None,
            }
        )
        if not decided and len(measured) < 200:
            measured.append(sak_id)
    async with db.unit_of_work() as uow:
        for start in range(0, len(rows), 1000):
            await uow.session.execute(insert(Sak), rows[start : start + 1000])
        extra_comments: list[dict[str, Any]] = []
        history: list[dict[str, Any]] = []
        for sak_id in measured:
            for i, seksjon in enumerate(("legemiddel", "effekt", "evaluering")):
                extra_comments.append(
                    {
                        "id": str(uuid.uuid4()),
                        "sak_id": sak_id,
                        "seksjon_id": seksjon,
                        "forfatter_id": "hbe-komite",
                        "forfatter_navn": "Ingrid Berg",
                        "ekstern": False,
                        "tekst": f"Kommentar {i}",
                        "skrevet_at": now,
                    }
                )
            history += [
                {
                    "sak_id": sak_id,
                    "at": now,
                    "actor_id": "system",
                    "actor_navn": "Søknadsportalen",
                    "hendelse": "mottatt",
                    "detalj": "Mottatt",
                },
                {
                    "sak_id": sak_id,
                    "at": now,
                    "actor_id": "system",
                    "actor_navn": "Søknadsportalen",
                    "hendelse": "sendt_til_komite",
                    "detalj": "Sendt til komiteen",
                },
            ]
        await uow.session.execute(insert(Kommentar), extra_comments)
        await uow.session.execute(insert(Historikk), history)
        await uow.commit()
    return measured


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run() -> dict[str, float]:
    stub_log = Path("/tmp") / f"bench-oversikt-stub-{uuid.uuid4().hex[:8]}.log"
    async with (
        uvicorn_app(
            "bench.saksbehandling_sak:stub_oversikt", env={}, ready_path="/health", log=stub_log
        ) as stub,
        pg_database() as url,
    ):
        settings = VurderingSettings(
            database_url=url,
            data_dir=Path("/tmp") / f"bench-vurdering-{uuid.uuid4().hex[:8]}",
            log_json=True,
            log_level="WARNING",
            session_secret=SecretStr(SECRET),
        )
        oversikt = httpx.AsyncClient(base_url=f"{stub.url}/oversikt", timeout=2.0)
        app = create_app(settings, bus=MemoryBus(), oversikt=oversikt)
        async with app.router.lifespan_context(app):
            await app.state.runtime.wait_until_ready()
            measured = await _seed(app)
            session = await app.state.runtime.katalog.open_session(DEMO_USERS["hbe-komite"].user_id)
            cookie = CookieSigner(SECRET).sign_session(session)
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://bench",
                cookies={SESSION_COOKIE: cookie},
            ) as client:
                for sak_id in measured[:20]:  # warm-up: connections, templates, caches
                    assert (await client.get(f"/sak/{sak_id}")).status_code == 200
                await quiet_machine()
                latencies: list[float] = []
                queue = [measured[i % len(measured)] for i in range(REQUESTS)]

                async def worker() -> None:
                    while queue:
                        sak_id = queue.pop()
                        started = time.perf_counter()
                        response = await client.get(f"/sak/{sak_id}")
                        latencies.append((time.perf_counter() - started) * 1000)
                        assert response.status_code == 200 and "Presedens" in response.text

                await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        await oversikt.aclose()
    p50, p95 = _percentile(latencies, 0.50), _percentile(latencies, 0.95)
    print(
        f"  saksbehandling case page: {CASES} cases, {REQUESTS} requests, p50 {p50:.1f} ms, p95 {p95:.1f} ms"
    )
    return {"saksbehandling_case_p95_ms": round(p95, 1), "saksbehandling_case_p50_ms": round(p50, 1)}


if __name__ == "__main__":
    from shared.platform.observability.logging import configure_logging

    configure_logging(level="WARNING", json=True)
    print(asyncio.run(run()))
