"""Autosave figures: 200 editors each saving every 2 s on the embedded default (SQLite) and on
PostgreSQL, and the saturation throughput of autosave against a bare FastAPI + PostgreSQL insert.

Servers run as real processes and are driven over HTTP by `bench.load` in a process of its own."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.infra import Server, embedded_default, pg_database, quiet_machine, uvicorn_app

EDITORS = 200
INTERVAL_S = 2.0
WARMUP_S = 5.0
STEADY_S = 30.0
SATURATION_CLIENTS = 32
SATURATION_WARMUP_S = 3.0
SATURATION_S = 15.0


async def drive(server: Server, **config: Any) -> dict[str, Any]:
    await quiet_machine()
    config |= {"url": server.url, "server_pid": server.pid}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.load", json.dumps(config), stdout=asyncio.subprocess.PIPE
    )
    try:
        out, _ = await proc.communicate()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    if proc.returncode:
        raise RuntimeError(f"bench.load failed ({proc.returncode}); server log: {server.log}")
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return result


# Share of one core used by other processes above which a figure is flagged as disturbed.
DISTURBED = 0.15


def show(label: str, r: dict[str, Any]) -> None:
    errors = f"{r['errors']} {r['error_kinds']}" if r["errors"] else "0"
    print(
        f"  {label}: {r['per_s']:.1f}/s, p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, "
        f"p99 {r['p99_ms']:.1f} ms, max {r['max_ms']:.1f} ms, errors {errors}, "
        f"missed ticks {r['missed_ticks']}; CPU (of one core) server {r['server_cpu']:.0%}, "
        f"load {r['client_cpu']:.0%}, PostgreSQL {r['postgres_cpu']:.0%}, other processes "
        f"{r['other_cpu']:.0%} (machine {r['machine_cpu']:.0%} of {os.cpu_count()}00%)",
        flush=True,
    )
    if r["other_cpu"] > DISTURBED:
        print(f"  ! other processes used {r['other_cpu']:.0%} of a core: these figures are disturbed")


def editor_figures(r: dict[str, Any], store: str) -> dict[str, float]:
    return {
        f"autosave_p50_ms_{store}": round(r["p50_ms"], 1),
        f"autosave_p95_ms_{store}": round(r["p95_ms"], 1),
        f"autosave_p99_ms_{store}": round(r["p99_ms"], 1),
        f"autosave_max_ms_{store}": round(r["max_ms"], 1),
        f"autosave_saves_per_s_{store}": round(r["per_s"], 1),
        f"autosave_errors_{store}": r["errors"],
    }


EDITOR_LOAD = {
    "mode": "editors",
    "target": "autosave",
    "clients": EDITORS,
    "interval_s": INTERVAL_S,
    "warmup_s": WARMUP_S,
    "duration_s": STEADY_S,
}
SATURATION_LOAD = {
    "mode": "closed",
    "clients": SATURATION_CLIENTS,
    "warmup_s": SATURATION_WARMUP_S,
    "duration_s": SATURATION_S,
}


async def run() -> dict[str, float]:
    results: dict[str, float] = {}
    print(f"autosave: {EDITORS} editors saving every {INTERVAL_S:g} s, {STEADY_S:g} s measured", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-autosave-") as tmp:
        async with embedded_default(Path(tmp, "embedded")) as server:
            sqlite = await drive(server, **EDITOR_LOAD)
        show("embedded default (SQLite)", sqlite)
        results |= editor_figures(sqlite, "sqlite")

        async with pg_database() as database_url:
            env = {
                "SP_SOKNAD_DATABASE_URL": database_url,
                # The directory of people and units (seeded with the demo users) beside it.
                "SP_SOKNAD_DATA_DIR": tmp,
                # Autosave publishes no events; the broker would only add start-up time.
                "SP_SOKNAD_BUS_URL": "memory://",
                "SP_SOKNAD_LOG_LEVEL": "WARNING",
            }
            log = Path(tmp, "soknad.log")
            async with uvicorn_app(
                "soknad.app:create_standalone_app", env=env, ready_path="/soknad/health/ready", log=log
            ) as server:
                postgres = await drive(server, **EDITOR_LOAD)
                show("soknad on PostgreSQL", postgres)
                saturation = await drive(server, **SATURATION_LOAD, target="autosave")
        results |= editor_figures(postgres, "postgres")
        print(f"saturation: {SATURATION_CLIENTS} clients without think time, {SATURATION_S:g} s", flush=True)
        show("autosave on PostgreSQL", saturation)

        async with pg_database() as database_url:
            env = {"BENCH_BASELINE_DATABASE_URL": database_url}
            log = Path(tmp, "baseline.log")
            async with uvicorn_app(
                "bench.baseline_app:create_app", env=env, ready_path="/health", log=log
            ) as server:
                baseline = await drive(server, **SATURATION_LOAD, target="baseline")
        show("bare FastAPI + PostgreSQL insert", baseline)
    results |= {
        "autosave_saturation_per_s": round(saturation["per_s"], 1),
        "autosave_saturation_errors": saturation["errors"],
        "baseline_insert_per_s": round(baseline["per_s"], 1),
        "autosave_saturation_ratio": round(saturation["per_s"] / baseline["per_s"], 3),
    }
    return results
