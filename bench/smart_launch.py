"""`smart_launch_to_draft_ms`: from the record opening `/soknad/smart/launch?iss=…&launch=…` to the
prefilled draft page, through real HTTP: the embedded default as a process, the mock EHR
(`tests/support/mock_ehr.py`) as the record's authorization and FHIR server. Each launch is a new browser
(no session) for a new patient, so every step runs: discovery (cached after the first), authorize, token
exchange, id_token check, Patient read, the directory look-up, the session, the new draft, its page.

    python -m bench.smart_launch
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

from bench.infra import free_port, quiet_machine, server_process
from shared.domain.identifiers import synthetic_fodselsnummer
from tests.support.mock_ehr import MockEhr, follow_launch, patient_resource, practitioner_resource

WARMUP = 5
LAUNCHES = 60


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


async def launch_once(base: str, ehr: MockEhr, patient: str) -> float:
    launch = ehr.launch_url(
        f"{base}/soknad/smart/launch", ehr.new_launch(patient=patient, practitioner="lege")
    )
    async with httpx.AsyncClient(headers={"accept": "text/html"}, timeout=10) as browser:
        started = time.perf_counter()
        callback = await follow_launch(browser, launch)
        if callback.status_code != 303 or "/s/" not in callback.headers.get("location", ""):
            raise RuntimeError(f"launch did not open a draft: {callback.status_code} {callback.text[:300]}")
        draft = await browser.get(callback.url.join(callback.headers["location"]))
        elapsed = (time.perf_counter() - started) * 1000
    if draft.status_code != 200 or "Hentet fra journalen" not in draft.text:
        raise RuntimeError(f"the draft is not prefilled: {draft.status_code}")
    return elapsed


async def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-smart-") as tmp, MockEhr(client_id="soknad") as ehr:
        ehr.add(practitioner_resource("lege", hpr="9144889", given="Kari", family="Nordmann"))
        for i in range(WARMUP + LAUNCHES):
            born = date(1950, 1, 1) + timedelta(days=97 * i)
            fnr = synthetic_fodselsnummer(born, sex="kvinne" if i % 2 else "mann")
            gender = "female" if i % 2 else "male"
            ehr.add(
                patient_resource(
                    f"p{i}",
                    fnr=fnr,
                    given="Test",
                    family=f"Pasient{i}",
                    birth=born.isoformat(),
                    gender=gender,
                )
            )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        ehr.redirect_uris.add(f"{base}/soknad/smart/callback")
        env = {
            "SP_PORT": str(port),
            "SP_DATA_DIR": str(Path(tmp, "data")),
            "SP_SEED_DEMO_DATA": "false",
            "SP_SOKNAD_SMART_ISSUERS": json.dumps([ehr.issuer_config]),
        }
        async with server_process(
            [sys.executable, "-m", "embedded"],
            env=env,
            port=port,
            ready_path="/soknad/health/ready",
            log=Path(tmp, "server.log"),
        ):
            for i in range(WARMUP):
                await launch_once(base, ehr, f"p{i}")
            await quiet_machine()
            timings = [await launch_once(base, ehr, f"p{WARMUP + i}") for i in range(LAUNCHES)]
    median, high = statistics.median(timings), p95(timings)
    print(f"smart launch → prefilled draft, {LAUNCHES} launches: median {median:.0f} ms, p95 {high:.0f} ms")
    return {"smart_launch_to_draft_ms": round(median, 1), "smart_launch_to_draft_p95_ms": round(high, 1)}


if __name__ == "__main__":
    asyncio.run(run())
