"""`scripts/run_distributed.py` stopped with SIGTERM tears down like Ctrl-C: no service process is left
running, and its vhosts, users and databases are gone.

Before, it `sigwait`ed without blocking the signals first, so SIGTERM killed it on the spot and left five
uvicorn processes, two vhosts, three users and five databases behind."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import IO

import pytest

from tests.support.embedded_server import free_port_block
from tests.support.rabbit import rabbitmqctl

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.rabbitmq]

ROOT = Path(__file__).resolve().parents[2]
READY = "stopper alt."


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # pid (comm) state ppid ...: comm may hold spaces and parentheses; split after the last ")".
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def databases(prefix: str) -> list[str]:
    out = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-At",
            "-c",
            "SELECT datname FROM pg_database",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    return [name for name in out.split() if name.startswith(prefix + "_")]


def named(listing: str, name: str) -> list[str]:
    return [line.split()[0] for line in listing.splitlines() if line.strip() and name in line.split()[0]]


def read_lines(stream: IO[str], into: queue.Queue[str | None]) -> None:
    for line in iter(stream.readline, ""):
        into.put(line.rstrip("\n"))
    into.put(None)


def test_sigterm_stops_every_service_and_deletes_what_the_run_created(tmp_path: Path) -> None:
    name = f"sigterm{uuid.uuid4().hex[:8]}"
    port = str(free_port_block())
    process = subprocess.Popen(
        [
            sys.executable,
            "scripts/run_distributed.py",
            "--trusts",
            "HBE",
            "--name",
            name,
            "--base-port",
            port,
        ],
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(tmp_path)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=read_lines, args=(process.stdout, lines), daemon=True).start()
    printed: list[str] = []
    services: set[int] = set()
    try:
        deadline = time.monotonic() + 240
        while not printed or READY not in printed[-1]:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            assert line is not None, "run_distributed.py ended before it was ready:\n" + "\n".join(printed)
            printed.append(line)
        services = children_of(process.pid)
        assert len(services) == 5, printed  # oversikt and the trust's four services
        # What it created while running, so the assertions below are not vacuous.
        assert len(databases(name)) == 7  # one per service, the trust's directory and oversikt's
        assert len(named(rabbitmqctl("list_vhosts", "--no-table-headers", "name"), name)) == 2
        assert len(named(rabbitmqctl("list_users", "--no-table-headers"), name)) == 3

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=180) == 0, "\n".join(printed)
    finally:
        if process.poll() is None:
            # A failure above: still let it clean up after itself, as the test asserts it does.
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=180)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)
        for pid in services:
            if running(pid):
                os.kill(pid, signal.SIGKILL)

    assert [pid for pid in services if running(pid)] == []
    assert databases(name) == []
    assert named(rabbitmqctl("list_vhosts", "--no-table-headers", "name"), name) == []
    assert named(rabbitmqctl("list_users", "--no-table-headers"), name) == []
