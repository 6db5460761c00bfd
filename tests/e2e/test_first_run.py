"""What a person sees after `make run`: the banner (address and demo users) is the last thing printed
once the server listens, and request logs go to the log file under the data folder, not the console."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import httpx
import pytest

from tests.support.embedded_server import ROOT, free_port

pytestmark = pytest.mark.e2e

END_OF_BANNER = "Ctrl-C stopper."


def read_lines(stream: IO[str], into: queue.Queue[str | None]) -> None:
    for line in iter(stream.readline, ""):
        into.put(line.rstrip("\n"))
    into.put(None)


def test_the_banner_is_the_last_thing_printed_and_requests_are_logged_to_the_file(tmp_path: Path) -> None:
    port = free_port()
    data = tmp_path / "data"
    env = {**os.environ, "SP_PORT": str(port), "SP_DATA_DIR": str(data), "SP_SEED_DEMO_DATA": "true"}
    process = subprocess.Popen(
        [sys.executable, "-m", "embedded"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    assert process.stdout is not None
    threading.Thread(target=read_lines, args=(process.stdout, lines), daemon=True).start()
    printed: list[str] = []
    try:
        deadline = time.monotonic() + 120
        while not printed or END_OF_BANNER not in printed[-1]:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            assert line is not None, "the process ended before its banner:\n" + "\n".join(printed)
            printed.append(line)
        url = f"http://127.0.0.1:{port}/"
        # The banner comes once the server listens: it answers at once.
        assert httpx.get(url, timeout=10).status_code == 200
        assert httpx.get(url + "favicon.ico", timeout=10).status_code == 200
        # Seeding the demo data made dozens of requests; none reached the console, only the banner did.
        assert printed[-1].endswith(url)
        assert any(line == f"Søknadsportalen kjører på {url}" for line in printed[-30:])
        assert any("(hbe-soker)" in line for line in printed)
        assert not [line for line in printed if "request" in line or "[info" in line], printed
    finally:
        # What Ctrl-C sends: a graceful stop, without a traceback.
        process.send_signal(signal.SIGINT)
        returncode = process.wait(timeout=60)
    log = (data / "soknadsportalen.log").read_text()
    assert "demo_data_seeded" in log
    assert "route=/favicon.ico status=200" in log
    rest = []
    while (line := lines.get(timeout=10)) is not None:
        rest.append(line)
    assert not [line for line in rest if "request" in line or "Traceback" in line], rest
    assert returncode == 0, rest
