"""FEST and ICD-10 figures: the import of a full-size FEST file (about 9,000 brands, 11,000 packs,
120 MB, written by `integrasjon.register.fest_syntetisk` into a temp dir) into the embedded default's
SQLite, its time and the process's peak RSS, and the look-up latency through the HTTP app on the full
catalogue (an in-process ASGI client, so the figure is the service's, not the network's).

    python -m bench.fest
"""

from __future__ import annotations

import asyncio
import json
import random
import tempfile
import threading
import time
from pathlib import Path

import httpx

from integrasjon.app import create_app
from integrasjon.register.fest_syntetisk import skriv_fullstorrelse
from integrasjon.register.import_jobb import Registre
from integrasjon.settings import IntegrasjonSettings
from shared.platform.bus.memory import MemoryBus

LOOKUPS = 600
ICD10_CODES = 19_000
"""About as many as the Norwegian ICD-10 code register holds (19,483 in 2011)."""
DRUG_QUERIES = (
    "ritu",
    "L01FA01",
    "l04",
    "tab",
    "mab",
    "infusjonsvaeske",
    "Sandoz",
    "olol",
    "propranolol",
    "xyz",
)
ICD_QUERIES = (
    "G35",
    "G36.0",
    "g360",
    "M33",
    "sklerose",
    "nefrotisk syndrom",
    "betennelse",
    "A0",
    "Q",
    "lunge",
)


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 1_000_000


class PeakRss:
    """The process's resident set size, sampled every 20 ms while the import runs."""

    def __init__(self) -> None:
        self.peak = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss_mb())

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())


def write_icd10(path: Path) -> None:
    """A FinnKode-shaped code list of the real register's size (synthetic texts around the sample's)."""
    rng = random.Random(10)
    words = (
        "akutt",
        "kronisk",
        "betennelse",
        "svulst",
        "lunge",
        "nyre",
        "sklerose",
        "syndrom",
        "uspesifisert",
        "annen",
    )
    sample = json.loads(
        (
            Path(__file__).resolve().parents[1] / "services/integrasjon/integrasjon/data/icd10_eksempel.json"
        ).read_text()
    )
    seen = {c["codeValue"] for c in sample}
    codes = list(sample)
    while len(codes) < ICD10_CODES:
        code = rng.choice("ABCDEFGHIJKLMNOPQRSTUVZ") + f"{rng.randint(0, 99):02d}" + str(rng.randint(0, 9))
        if code not in seen:
            seen.add(code)
            text = " ".join(rng.choice(words) for _ in range(rng.randint(2, 6))).capitalize()
            codes.append({"codeValue": code, "nameNorwegian": text, "active": True, "isLeafNode": True})
    path.write_text(json.dumps(codes, ensure_ascii=False), encoding="utf-8")


def p95(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


async def _lookups(client: httpx.AsyncClient, path: str, queries: tuple[str, ...]) -> list[float]:
    latencies = []
    for i in range(LOOKUPS):
        started = time.perf_counter()
        response = await client.get(path, params={"q": queries[i % len(queries)], "antall": 20})
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
    return latencies


async def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-fest-") as tmp:
        folder = Path(tmp)
        print("fest: writing a full-size FEST file …", flush=True)
        fest = skriv_fullstorrelse(folder / "fest251.xml")
        icd = folder / "icd10.json"
        write_icd10(icd)
        print(f"fest: {fest.stat().st_size / 1e6:.0f} MB written; importing", flush=True)
        settings = IntegrasjonSettings(
            data_dir=folder / "data", log_json=True, log_level="WARNING", register_seed_sample=False
        )
        bus = MemoryBus()
        await bus.connect()
        app = create_app(settings, bus=bus, national_bus=bus)
        async with app.router.lifespan_context(app):
            registre: Registre = app.state.registre
            with PeakRss() as rss:
                started = time.perf_counter()
                result = await registre.importer_fest(str(fest))
                import_s = time.perf_counter() - started
            assert result.status == "ok", result
            assert (await registre.importer_icd10(str(icd))).status == "ok"
            print(
                f"fest: {result.antall} brands imported in {import_s:.1f} s, peak RSS {rss.peak:.0f} MB; "
                f"{len(registre.indeks.diagnoser)} ICD-10 codes",
                flush=True,
            )
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                await _lookups(client, "/api/legemidler", DRUG_QUERIES[:2])  # warm-up
                drug = await _lookups(client, "/api/legemidler", DRUG_QUERIES)
                icd_latencies = await _lookups(client, "/api/diagnoser", ICD_QUERIES)
        await bus.close()
    return {
        "fest_import_s": round(import_s, 1),
        "fest_import_peak_mb": round(rss.peak, 0),
        "drug_lookup_p95_ms": round(p95(drug), 2),
        "icd_lookup_p95_ms": round(p95(icd_latencies), 2),
    }


if __name__ == "__main__":
    from shared.platform.observability.logging import configure_logging

    configure_logging(level="WARNING", json=True)
    figures = asyncio.run(run())
    for key, value in figures.items():
        print(f"{key}  {value}")
