"""Run the embedded default (`python -m embedded`) as a real process on a free port."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port_block(span: int = 100) -> int:
    """The first of `span` ports that are all free now, for a distributed topology (`base_port`: the
    services listen on fixed offsets from it). Taken below the range the OS hands out for port 0, so no
    server that a test on another xdist worker starts on `free_port()` can be listening in the block,
    nor take one of its ports before the topology's processes bind it."""
    top = max(_ephemeral_start(), 20000 + 2 * span) - span
    for _ in range(200):
        # Not the module's generator: a test may have seeded it, and both workers would draw alike.
        base = random.SystemRandom().randrange(20000, top) // span * span
        if all(_free(port) for port in range(base, base + span)):
            return base
    raise RuntimeError(f"no block of {span} free ports below {top + span}")


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class EmbeddedServer:
    """`kill()` then `start()` restarts on the same port and data directory, with the same SQLite files."""

    def __init__(self, data_dir: Path, *, port: int | None = None, seed: bool = False):
        self.data_dir = data_dir
        self.port = port or free_port()
        self.seed = seed
        self.popen: subprocess.Popen[bytes] | None = None
        self.log = data_dir / "server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 60.0) -> None:
        env = {
            **os.environ,
            "SP_PORT": str(self.port),
            "SP_DATA_DIR": str(self.data_dir),
            "SP_SEED_DEMO_DATA": "true" if self.seed else "false",
        }
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # The child keeps its own copy of the descriptor; ours is closed so restarts leak nothing.
        with self.log.open("ab") as log:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "embedded"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"embedded server exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/soknad/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"embedded server not ready: {self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        if self.popen is not None:
            self.popen.kill()
            self.popen.wait(timeout=30)
            self.popen = None

    def stop(self) -> None:
        if self.popen is not None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
            self.popen = None


@contextmanager
def embedded_server(data_dir: Path, *, seed: bool = False) -> Iterator[EmbeddedServer]:
    server = EmbeddedServer(data_dir, seed=seed)
    server.start()
    try:
        yield server
    finally:
        server.stop()
