"""Exporting one case as FHIR with 10,000 cases of one trust on PostgreSQL: the applicant's EHR asks the
FHIR API for the case by its løpenummer with the application (QuestionnaireResponse) and the decision
(ClaimResponse) in one searchset Bundle, one request after another through the HTTP app; each read is
authorised and audited as in production. Figure: `fhir_export_p95_ms` (target < 50 ms); beside it the
search by the patient's fødselsnummer (`fhir_patient_search_p95_ms`) and the read of one decision by its
id (`fhir_claimresponse_read_p95_ms`), which both read inside JSON without an index.

`python -m bench.fhir_export` runs it alone."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import insert

from bench.infra import pg_database, quiet_machine
from shared.domain.identifiers import synthetic_fodselsnummer
from shared.fhir.systemer import FODSELSNUMMER
from shared.platform.auth.session import SESSION_COOKIE, CookieSigner
from shared.platform.bus.memory import MemoryBus
from soknad.app import create_app
from soknad.settings import SoknadSettings
from soknad.store import Soknad
from tests.support.builders import complete_innhold

CASES = 10_000
REQUESTS = 300
SECRET = "bench-secret-bench-secret-bench-secret-0123"
READER = "hbe-soker"

PAIRS = [
    ("rituksimab", "L01FA01", "G36.0", "Neuromyelitis optica"),
    ("rituksimab", "L01FA01", "G70.0", "Myasthenia gravis"),
    ("tocilizumab", "L04AC07", "M31.4", "Takayasus arteritt"),
    ("anakinra", "L04AC03", "D76.1", "Hemofagocytisk lymfohistiocytose"),
]


def _innhold(n: int, fnr: str) -> dict[str, Any]:
    """The tests' complete application, with this case's patient, drug and indication."""
    virkestoff, atc, kode, tekst = PAIRS[n % len(PAIRS)]
    legemiddel = complete_innhold()["legemiddel"] | {
        "navn": f"{virkestoff.title()} inf kons 10 mg/ml",
        "virkestoff": virkestoff,
        "atc": atc,
        "fest_id": f"ID_{uuid.UUID(int=n).hex.upper()}",
    }
    return complete_innhold(
        pasient_fodselsnummer=fnr,
        pasient_navn=f"Syntetisk Pasient {n}",
        indikasjon={"kode": kode, "tekst": tekst, "verifisert": True},
        legemiddel=legemiddel,
    )


def _vedtak(n: int, lopenummer: str, soknad_id: str, at: datetime) -> dict[str, Any]:
    virkestoff, atc, kode, tekst = PAIRS[n % len(PAIRS)]
    return {
        "vedtak_id": str(uuid.uuid4()),
        "art": "vedtak",
        "utfall": "innvilget_med_vilkar",
        "begrunnelse": "Alvorlig sykdom uten effekt av førstelinjebehandling.",
        "vilkar_liste": [
            {"type": "evaluering", "tekst": "Evaluer attakkfrekvens og MR.", "dato": "2026-08-01"},
            {"type": "registrering", "tekst": "Registrer behandlingen i kvalitetsregisteret.", "dato": None},
        ],
        "omfang": {
            "legemiddel": {
                "navn": virkestoff.title(),
                "virkestoff": virkestoff,
                "atc": atc,
                "verifisert": True,
            },
            "indikasjon": {"kode": kode, "tekst": tekst, "system": "icd10", "verifisert": True},
            "dosering": "1000 mg dag 1 og 15, deretter hver 6. måned",
            "antall_kurer": 3,
            "gyldig_fra": "2026-02-01",
            "gyldig_til": "2027-01-31",
            "enhet": "HBE-NEVRO",
            "enhet_navn": "Nevrologisk avdeling",
        },
        "gyldig_fra": "2026-02-01",
        "gyldig_til": "2027-01-31",
        "vurderingsflyt": "komplett",
        "fattet_av": "hbe-fagdirektor",
        "fattet_av_navn": "Lars Haugen",
        "fattet_at": at.isoformat(),
    }


async def _seed(db: Any) -> list[tuple[str, str, str]]:
    """10,000 sent cases of HBE from 50 applicants, half of them decided; the reader's decided cases are
    the ones exported (their løpenummer and patient's number)."""
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    measured: list[tuple[str, str, str]] = []
    for n in range(CASES):
        born = date(1940 + n % 70, 1 + n % 12, 1 + n % 28)
        fnr = synthetic_fodselsnummer(born, sex="kvinne" if n % 2 else "mann", serial=n // 1000)
        soknad_id = str(uuid.uuid4())
        lopenummer = f"HBE-2026-{n:06d}"
        soker = READER if n % 50 == 0 else f"hbe-bench-soker-{n % 49}"
        decided = n % 2 == 0
        at = now - timedelta(days=n % 700)
        innhold = _innhold(n, fnr)
        vedtak = _vedtak(n, lopenummer, soknad_id, at) if decided else None
        rows.append(
            {
                "id": soknad_id,
                "hf": "HBE",
                "lopenummer": lopenummer,
                "type": "enkeltpasient",
                "kategori": "off_label",
                "status": "vedtatt" if decided else "til_vurdering",
                "soker_id": soker,
                "soker_navn": "Kari Nordmann",
                "soker_hpr": "9144889",
                "enhet": "HBE-NEVRO",
                "medforfattere": [],
                "innhold": innhold,
                "skjema_versjon": 1,
                "vedtak": vedtak,
                "versjon": 1,
                "opprettet_at": at,
                "endret_at": at,
                "endret_av": soker,
                "sendt_at": at,
                "vedtatt_at": at if decided else None,
                "utfall": "innvilget_med_vilkar" if decided else None,
                "legemiddel_navn": innhold["legemiddel"]["navn"],
                "virkestoff": innhold["legemiddel"]["virkestoff"],
                "atc": innhold["legemiddel"]["atc"],
                "icd10_kode": innhold["indikasjon"]["kode"],
                "icd10_tekst": innhold["indikasjon"]["tekst"],
            }
        )
        if soker == READER and vedtak is not None:
            measured.append((lopenummer, fnr, vedtak["vedtak_id"]))
    async with db.unit_of_work() as uow:
        for start in range(0, len(rows), 1000):
            await uow.session.execute(insert(Soknad), rows[start : start + 1000])
        await uow.commit()
    return measured


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _measure(
    client: httpx.AsyncClient, requests: list[dict[str, str]], check: Any, path: str = "/fhir/Claim"
) -> list[float]:
    latencies: list[float] = []
    for params in requests:
        started = time.perf_counter()
        response = await client.get(
            path.format(**params), params={k: v for k, v in params.items() if k != "id"}
        )
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
        check(response.json())
    return latencies


def _export_check(bundle: dict[str, Any]) -> None:
    types = sorted(e["resource"]["resourceType"] for e in bundle["entry"])
    assert types == ["Claim", "ClaimResponse", "QuestionnaireResponse"], types


def _search_check(bundle: dict[str, Any]) -> None:
    assert bundle["total"] >= 1


def _read_check(resource: dict[str, Any]) -> None:
    assert resource["resourceType"] == "ClaimResponse"


async def run() -> dict[str, float]:
    async with pg_database() as url:
        settings = SoknadSettings(
            database_url=url,
            data_dir=Path("/tmp") / f"bench-fhir-{uuid.uuid4().hex[:8]}",
            log_json=True,
            log_level="WARNING",
            session_secret=SecretStr(SECRET),
        )
        app = create_app(settings, bus=MemoryBus())
        async with app.router.lifespan_context(app):
            await app.state.runtime.wait_until_ready()
            measured = await _seed(app.state.runtime.db)
            session = await app.state.runtime.katalog.open_session(READER)
            cookie = CookieSigner(SECRET).sign_session(session)
            export = [
                {
                    "identifier": measured[i % len(measured)][0],
                    "_include": "Claim:supporting-info",
                    "_revinclude": "ClaimResponse:request",
                }
                for i in range(REQUESTS)
            ]
            reads = [{"id": measured[i % len(measured)][2]} for i in range(100)]
            search = [
                {"patient.identifier": f"{FODSELSNUMMER}|{measured[i % len(measured)][1]}"}
                for i in range(100)
            ]
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://bench",
                cookies={SESSION_COOKIE: cookie},
            ) as client:
                await _measure(client, export[:20], _export_check)  # warm-up: connections, caches
                await quiet_machine()
                latencies = await _measure(client, export, _export_check)
                searches = await _measure(client, search, _search_check)
                by_id = await _measure(client, reads, _read_check, "/fhir/ClaimResponse/{id}")
    p50, p95 = _percentile(latencies, 0.50), _percentile(latencies, 0.95)
    search_p95, read_p95 = _percentile(searches, 0.95), _percentile(by_id, 0.95)
    print(
        f"  FHIR export (Claim + QuestionnaireResponse + ClaimResponse): {CASES} cases, {REQUESTS} requests, "
        f"p50 {p50:.1f} ms, p95 {p95:.1f} ms; search by fødselsnummer p95 {search_p95:.1f} ms; "
        f"ClaimResponse by decision id p95 {read_p95:.1f} ms"
    )
    return {
        "fhir_export_p95_ms": round(p95, 1),
        "fhir_export_p50_ms": round(p50, 1),
        "fhir_patient_search_p95_ms": round(search_p95, 1),
        "fhir_claimresponse_read_p95_ms": round(read_p95, 1),
    }


if __name__ == "__main__":
    from shared.platform.observability.logging import configure_logging

    configure_logging(level="WARNING", json=True)
    print(asyncio.run(run()))
