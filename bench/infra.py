"""Throw-away PostgreSQL databases, RabbitMQ vhosts and server processes for the benchmarks."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
ROOT = Path(__file__).resolve().parents[1]


@asynccontextmanager
async def pg_database() -> AsyncIterator[str]:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(database="postgres", **PG)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+asyncpg://{PG['user']}@{PG['host']}:{PG['port']}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _ctl(*args: str, check: bool = True) -> None:
    proc = await asyncio.create_subprocess_exec(
        "rabbitmqctl", "-q", *args, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _, err = await proc.communicate()
    if check and proc.returncode:
        raise RuntimeError(f"rabbitmqctl {' '.join(args)}: {err.decode()}")


@asynccontextmanager
async def rabbit_vhost() -> AsyncIterator[str]:
    name = f"bench-{uuid.uuid4().hex[:10]}"
    await _ctl("add_vhost", name)
    await _ctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    try:
        yield f"amqp://guest:guest@127.0.0.1:5672/{name}"
    finally:
        await _ctl("delete_vhost", name, check=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def named_cpu_seconds(name: str) -> float:
    """CPU time of the processes called `name` (e.g. PostgreSQL's), from /proc: the running ones', and
    their ended children's as their parent has collected it. A pool that opens and closes connections
    makes backends that end within the window; without their parent's share their CPU would be lost."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, rest = stat.read_text().rsplit(")", 1)
        except OSError:
            continue  # ended while we looked
        if head.split("(", 1)[1] == name:
            fields = rest.split()
            # utime, stime, and cutime, cstime: children that ended and were waited for.
            total += sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return total


def machine_cpu_seconds() -> float:
    """CPU time used by everything on the machine (all cores), from /proc/stat."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


async def quiet_machine(*, busy_cores: float = 0.1, max_wait_s: float = 90) -> None:
    """Wait until the machine is about idle (the last second used under `busy_cores` of CPU), so a
    figure is not taken while a neighbour, or the previous benchmark's aftermath (RabbitMQ deleting
    queues, PostgreSQL dropping a database), still uses the cores. Gives up after `max_wait_s`; the
    figures then carry the disturbed flag."""
    deadline = time.monotonic() + max_wait_s
    while True:
        before = machine_cpu_seconds()
        await asyncio.sleep(1.0)
        used = machine_cpu_seconds() - before
        if used < busy_cores:
            return
        if time.monotonic() > deadline:
            print(f"  ! the machine did not go quiet ({used:.0%} of a core in use): measuring anyway")
            return


@dataclass
class Server:
    url: str
    pid: int
    log: Path


@asynccontextmanager
async def server_process(
    argv: list[str], *, env: dict[str, str], port: int, ready_path: str, log: Path, timeout_s: float = 60
) -> AsyncIterator[Server]:
    """Start a server process, wait until `ready_path` answers 200, and always stop it afterwards."""
    url = f"http://127.0.0.1:{port}"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        proc = await asyncio.create_subprocess_exec(
            *argv, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=asyncio.subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + timeout_s
        async with httpx.AsyncClient(timeout=2) as client:
            while True:
                if proc.returncode is not None:
                    raise RuntimeError(f"{argv[2:4]} exited: {_tail(log)}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(url + ready_path)).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{argv[2:4]} not ready: {_tail(log)}")
                await asyncio.sleep(0.2)
        yield Server(url=url, pid=proc.pid, log=log)
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except TimeoutError:
                proc.kill()
                await proc.wait()


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


def embedded_default(data_dir: Path) -> AbstractAsyncContextManager[Server]:
    """`python -m embedded` as a user starts it (its default log settings), on SQLite in `data_dir`."""
    port = free_port()
    env = {"SP_PORT": str(port), "SP_DATA_DIR": str(data_dir), "SP_SEED_DEMO_DATA": "false"}
    return server_process(
        [sys.executable, "-m", "embedded"],
        env=env,
        port=port,
        ready_path="/soknad/health/ready",
        log=data_dir / "server.log",
    )


def uvicorn_app(
    factory: str, *, env: dict[str, str], ready_path: str, log: Path
) -> AbstractAsyncContextManager[Server]:
    """One uvicorn worker, as the services run in the distributed mode, without the access log."""
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "--factory", factory, "--port", str(port)]
    argv += ["--log-level", "warning", "--no-access-log"]
    return server_process(argv, env=env, port=port, ready_path=ready_path, log=log)
