"""Run the embedded default (`python -m embedded`) as a real process on a free port."""

from __future__ import annotations

import os
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
