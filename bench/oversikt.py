"""The national overview with 1,000,000 generated case summaries on PostgreSQL: search and variation
latency (p50/p95) through the use cases the pages and the API call, k-anonymity of the rows included.

`python -m bench.oversikt` runs it alone. The summaries are written with COPY (asyncpg) straight into
oversikt's table, after the app has migrated a throw-away database; then the queries run one at a time,
each a realistic mix of filters, through `handlers.search` and `handlers.variasjon_for`."""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import asyncpg

from bench.infra import PG, pg_database
from oversikt import handlers
from oversikt.app import create_app
from oversikt.domain import Sokefilter
from oversikt.icd10 import kapittel, kategori
from oversikt.settings import OversiktSettings
from oversikt.telling import fra_sammendrag_sql
from shared.domain.identifiers import AGE_BANDS
from shared.domain.trusts import HELSEFORETAK
from shared.platform.auth.principal import Principal, Role
from shared.platform.bus.memory import MemoryBus

N = 1_000_000
CHUNK = 50_000
RUNS = 200
SEED = 20261203

# (substance, ATC, drug name, indications): the example cases of DOMAIN.md § 6 and a few more.
DRUGS: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    (
        "rituksimab",
        "L01FA01",
        "MabThera",
        [
            ("G35", "Multippel sklerose"),
            ("G36.0", "Nevromyelitis optica"),
            ("G70.0", "Myasthenia gravis"),
            ("N04.2", "Membranøs nefropati"),
            ("M32.1", "SLE med organaffeksjon"),
            ("M33.1", "Dermatomyositt"),
        ],
    ),
    ("immunglobulin", "J06BA02", "Privigen", [("G04.8", "Autoimmun encefalitt"), ("M33.2", "Polymyositt")]),
    ("tocilizumab", "L04AC07", "RoActemra", [("M31.4", "Takayasus arteritt")]),
    ("anakinra", "L04AC03", "Kineret", [("D76.1", "HLH"), ("I30.9", "Residiverende perikarditt")]),
    (
        "baricitinib",
        "L04AF02",
        "Olumiant",
        [("M33.0", "Juvenil dermatomyositt"), ("D89.8", "Interferonopati")],
    ),
    ("tofacitinib", "L04AF01", "Xeljanz", [("M33.1", "Dermatomyositt")]),
    ("ruksolitinib", "L01EJ01", "Jakavi", [("T86.0", "Steroidrefraktær GVHD")]),
    ("infliksimab", "L04AB02", "Remicade", [("D86.0", "Sarkoidose"), ("L88", "Pyoderma gangrenosum")]),
    ("mykofenolatmofetil", "L04AA06", "CellCept", [("M34.0", "Systemisk sklerose")]),
    ("pembrolizumab", "L01FF02", "Keytruda", [("C53.9", "Livmorhalskreft")]),
    ("propranolol", "C07AA05", "Hemangiol", [("D18.0", "Infantilt hemangiom")]),
    ("melatonin", "N05CH01", "Melatonin", [("G47.0", "Insomni hos barn")]),
]
KATEGORIER = ["off_label", "godkjenningsfritak", "unntaksordningen", "tilgangsordningen"]
MONTHS = [f"{y}-{m:02d}" for y in (2024, 2025, 2026) for m in range(1, 13)]
HFS = list(HELSEFORETAK)
COLUMNS = (
    "lopenummer",
    "hf",
    "rhf",
    "sekvens",
    "type",
    "kategori",
    "legemiddel_navn",
    "virkestoff",
    "atc",
    "icd10_kode",
    "icd10_tekst",
    "status",
    "utfall",
    "vurderingsflyt",
    "med_vilkar",
    "sendt_maned",
    "vedtak_maned",
    "behandlingstid_dager",
    "aldersgruppe",
    "kjonn",
    "gruppe_storrelse",
    "kostnadsband",
    "oppdateringer",
    "forste_mottatt_at",
    "mottatt_at",
    "virkestoff_sok",
    "icd10_kategori",
    "icd10_kapittel",
    "sammendrag_versjon",
    "endret",
    "etterregistrert",
    "effekt",
    "fortsetter",
)


def rows(rng: random.Random) -> Iterator[tuple[Any, ...]]:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    # Bigger trusts send more: a skewed weight per trust, and per trust its own refusal rate.
    weights = [rng.uniform(0.3, 3.0) for _ in HFS]
    refusal = {hf: rng.uniform(0.05, 0.5) for hf in HFS}
    sequence = dict.fromkeys(HFS, 0)
    for _ in range(N):
        hf = rng.choices(HFS, weights)[0]
        substance, atc, name, indications = rng.choice(DRUGS)
        code, text = rng.choice(indications)
        month = rng.choice(MONTHS)
        sequence[hf] += 1
        group = rng.random() < 0.02
        state = rng.random()
        status = "vedtatt" if state < 0.85 else ("til_vurdering" if state < 0.95 else "trukket")
        utfall = None
        days = None
        decided = None
        if status == "vedtatt":
            roll = rng.random()
            utfall = (
                "avslatt" if roll < refusal[hf] else ("innvilget_med_vilkar" if roll < 0.7 else "innvilget")
            )
            days = int(rng.expovariate(1 / 21))
            index = MONTHS.index(month) + days // 30
            decided = MONTHS[min(index, len(MONTHS) - 1)]
        yield (
            f"{hf}-{month[:4]}-{sequence[hf]:06d}",
            hf,
            HELSEFORETAK[hf].rhf,
            1,
            "gruppe" if group else "enkeltpasient",
            rng.choice(KATEGORIER),
            name,
            substance,
            atc,
            code,
            text,
            status,
            utfall,
            rng.choice(["forenklet", "komplett"]) if utfall else None,
            utfall == "innvilget_med_vilkar",
            month,
            decided,
            days,
            None if group else rng.choice(AGE_BANDS),
            None if group else rng.choice(["mann", "kvinne"]),
            rng.randint(5, 200) if group else None,
            rng.choice(["<100k", "100-500k", "500k-1M"]),
            1,
            now,
            now,
            substance,
            kategori(code),
            kapittel(code),
            2,
            False,
            False,
            rng.choice(["god", "delvis", "ingen"]) if utfall and rng.random() < 0.3 else None,
            None,
        )


async def load(dsn: str) -> float:
    rng = random.Random(SEED)
    conn = await asyncpg.connect(dsn)
    started = time.perf_counter()
    try:
        # Loading into a table without its secondary indexes and building them afterwards is several
        # times faster than maintaining nine indexes row by row; the same definitions come back.
        indexes = await conn.fetch(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = 'sammendrag' AND indexname <> 'pk_sammendrag'"
        )
        for index in indexes:
            await conn.execute(f'DROP INDEX "{index["indexname"]}"')
        batch: list[tuple[Any, ...]] = []
        for row in rows(rng):
            batch.append(row)
            if len(batch) == CHUNK:
                await conn.copy_records_to_table("sammendrag", records=batch, columns=COLUMNS)
                batch = []
        if batch:
            await conn.copy_records_to_table("sammendrag", records=batch, columns=COLUMNS)
        for index in indexes:
            await conn.execute(index["indexdef"])
        # COPY bypasses ingest, which keeps the decision counts: count them afresh, as the migration does.
        for statement in fra_sammendrag_sql():
            await conn.execute(statement)
        for table in ("sammendrag", "vedtak_telling", "behandlingstid_telling"):
            await conn.execute(f"VACUUM ANALYZE {table}")
    finally:
        await conn.close()
    return time.perf_counter() - started


def search_filters(rng: random.Random) -> Sokefilter:
    month = rng.choice(MONTHS)
    substance, atc, _, indications = rng.choice(DRUGS)
    code = rng.choice(indications)[0]
    choices: list[dict[str, str]] = [
        {},
        {"virkestoff": substance},
        {"atc": atc[:3], "fra": month, "til": MONTHS[min(MONTHS.index(month) + 2, len(MONTHS) - 1)]},
        {"kapittel": kapittel(code), "hf": rng.choice(HFS)},
        {"rhf": rng.choice(["HSO", "HV", "HMN", "HN"]), "utfall": "avslatt", "fra": month, "til": month},
        {"icd10": kategori(code), "vurderingsflyt": "komplett"},
        {"hf": rng.choice(HFS), "fra": month, "til": month},
        {"virkestoff": substance, "icd10": code, "type": "enkeltpasient", "kategori": rng.choice(KATEGORIER)},
    ]
    return Sokefilter(**rng.choice(choices))


def variation_filters(rng: random.Random) -> Sokefilter:
    month = rng.choice(MONTHS[:-12])
    substance, atc, _, indications = rng.choice(DRUGS)
    code = rng.choice(indications)[0]
    choices: list[dict[str, str]] = [
        {"virkestoff": substance, "icd10": code},
        {"virkestoff": substance, "icd10": code, "fra": month, "til": MONTHS[MONTHS.index(month) + 11]},
        {"atc": atc[:4], "kapittel": kapittel(code)},
    ]
    return Sokefilter(**rng.choice(choices))


async def timed(runs: int, call: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    for _ in range(10):
        await call()  # warm the caches and the connection pool
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - started) * 1000)
    quantiles = statistics.quantiles(samples, n=100, method="inclusive")
    return quantiles[49], quantiles[94]


async def run() -> dict[str, float]:
    principal = Principal(user_id="bench", name="Bench", roles=frozenset({Role.NASJONAL}), hf="HBE")
    async with pg_database() as url:
        with TemporaryDirectory() as tmp:
            bus = MemoryBus()
            await bus.connect()
            settings = OversiktSettings(
                database_url=url, data_dir=Path(tmp), log_json=True, log_level="WARNING"
            )
            app = create_app(settings, bus=bus)
            async with app.router.lifespan_context(app):
                db = app.state.runtime.db
                dsn = f"postgresql://{PG['user']}@{PG['host']}:{PG['port']}/{url.rsplit('/', 1)[1]}"
                load_s = await load(dsn)
                rng = random.Random(SEED + 1)

                async def search() -> object:
                    return await handlers.search(db, principal, search_filters(rng), side=1, per_side=50)

                async def variation() -> object:
                    return await handlers.variasjon_for(db, principal, variation_filters(rng))

                search_p50, search_p95 = await timed(RUNS, search)
                variation_p50, variation_p95 = await timed(RUNS, variation)
                # The public page, without login: its years and a release, once the release is fixed (the
                # first reading of a year, once a year, counts the whole year).
                started = time.perf_counter()
                await handlers.offentlig_statistikk(db, (await handlers.offentlige_ar(db))[0])
                fix_s = time.perf_counter() - started

                async def public() -> object:
                    return await handlers.offentlig_statistikk(db, (await handlers.offentlige_ar(db))[0])

                public_p50, public_p95 = await timed(RUNS, public)
            await bus.close()
    return {
        "national_load_1m_s": round(load_s, 1),
        "national_search_p50_ms": round(search_p50, 1),
        "national_search_p95_ms": round(search_p95, 1),
        "national_variation_p50_ms": round(variation_p50, 1),
        "national_variation_p95_ms": round(variation_p95, 1),
        "national_public_p50_ms": round(public_p50, 1),
        "national_public_p95_ms": round(public_p95, 1),
        "national_public_fix_s": round(fix_s, 2),
    }


if __name__ == "__main__":
    from shared.platform.observability.logging import configure_logging

    configure_logging(level="WARNING", json=True)
    for key, value in asyncio.run(run()).items():
        print(f"{key}  {value}")
