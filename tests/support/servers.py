"""What a test needs from the machine (PostgreSQL, RabbitMQ, Debian's chromium), and what happens when
it is missing: with `SP_TEST_REQUIRE_SERVERS` set (`.ci/run` sets it) the test fails with what to start;
without it the test is skipped with the reason, so `make test` on a laptop without servers runs the rest.

Tests are marked by what they use (tests/conftest.py); `pytest_runtest_setup` there checks the markers
with the probes below, and the fixtures call `unavailable` themselves too."""

from __future__ import annotations

import functools
import os
import shutil
import socket
from typing import NoReturn

import pytest

REQUIRE_SERVERS = "SP_TEST_REQUIRE_SERVERS"

PG_HOST = os.environ.get("SP_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("SP_TEST_PG_PORT", "5432"))
RABBIT_HOST = "127.0.0.1"
RABBIT_PORT = 5672
CHROMIUM = os.environ.get("SP_TEST_CHROMIUM", "/usr/bin/chromium")

HOW_TO_START = {
    "postgres": "start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` "
    "(see .ci/run)",
    "rabbitmq": "install rabbitmq-server and start it with `rabbitmq-server -detached` (see .ci/run)",
    "browser": "install Debian's chromium: `apt-get install chromium` (see .ci/run)",
}


def servers_required() -> bool:
    return os.environ.get(REQUIRE_SERVERS, "").strip().lower() not in {"", "0", "false", "no"}


def unavailable(kind: str, problem: str) -> NoReturn:
    """Fail (servers required) or skip (not required) a test whose `kind` of server is missing."""
    message = f"{problem}; {HOW_TO_START[kind]}"
    if servers_required():
        pytest.fail(f"{message}. {REQUIRE_SERVERS} is set, so this fails instead of skipping.", pytrace=False)
    pytest.skip(f"{message} (skipped: set {REQUIRE_SERVERS}=1 to make this a failure)")


def _unreachable(host: str, port: int) -> str | None:
    try:
        with socket.create_connection((host, port), timeout=3):
            return None
    except OSError as exc:
        return str(exc)


@functools.cache
def problem(kind: str) -> str | None:
    """Why `kind` ("postgres", "rabbitmq", "browser") cannot be used here, or None; probed once a session."""
    if kind == "postgres":
        error = _unreachable(PG_HOST, PG_PORT)
        return None if error is None else f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT} ({error})"
    if kind == "rabbitmq":
        if shutil.which("rabbitmqctl") is None:
            return "rabbitmqctl is not installed: the tests administer the local RabbitMQ with it"
        error = _unreachable(RABBIT_HOST, RABBIT_PORT)
        return (
            None if error is None else f"RabbitMQ is not reachable at {RABBIT_HOST}:{RABBIT_PORT} ({error})"
        )
    if kind == "browser":
        return None if os.path.exists(CHROMIUM) else f"{CHROMIUM} is missing"
    raise ValueError(kind)


def require(kind: str) -> None:
    found = problem(kind)
    if found is not None:
        unavailable(kind, found)
