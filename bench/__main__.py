"""`python -m bench`: run every benchmark, print a table, write bench/results.json."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from bench import autosave, spine
from shared.platform.observability.logging import configure_logging

RESULTS = Path(__file__).parent / "results.json"


async def main() -> None:
    configure_logging(level="WARNING", json=True)
    results: dict[str, float] = {}
    # Autosave first: the spine benchmark leaves RabbitMQ busy for a while (vhosts and quorum queues
    # being deleted), and the autosave latencies are the figures a busy neighbour disturbs most.
    results |= await autosave.run()
    results |= await spine.run()
    width = max(len(k) for k in results)
    print(f"\n{'figure'.ljust(width)}  value")
    for key, value in results.items():
        print(f"{key.ljust(width)}  {value}")
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    asyncio.run(main())
