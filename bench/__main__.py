"""`python -m bench`: run every benchmark, print a table, write bench/results.json.

`python -m bench spine fest` runs only those (by module name); their figures replace the same keys in
results.json and the rest stay as they were measured last."""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
from pathlib import Path

from shared.platform.observability.logging import configure_logging

RESULTS = Path(__file__).parent / "results.json"

# Autosave first: the spine benchmark leaves RabbitMQ busy for a while (vhosts and quorum queues being
# deleted), and the autosave latencies are the figures a busy neighbour disturbs most. The million-row
# national benchmark last: it leaves PostgreSQL with the most to vacuum.
MODULES = (
    "autosave",
    "spine",
    "saksbehandling_sak",
    "saksbehandling_innboks",
    "fest",
    "etterregistrering",
    "nasjonal",
    "oversikt",
    "fhir_export",
    "smart_launch",
)


async def main(selected: list[str]) -> None:
    configure_logging(level="WARNING", json=True)
    unknown = [name for name in selected if name not in MODULES]
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(MODULES)}")
    results: dict[str, float] = {}
    for name in selected or MODULES:
        module = importlib.import_module(f"bench.{name}")
        print(f"\n== {name}", flush=True)
        results |= await module.run()
    width = max(len(k) for k in results)
    print(f"\n{'figure'.ljust(width)}  value")
    for key, value in results.items():
        print(f"{key.ljust(width)}  {value}")
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    RESULTS.write_text(json.dumps(previous | results, indent=2, sort_keys=True) + "\n")
    print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
