"""Real-broker helpers for integration tests: a throw-away vhost per test, users, permissions.

The broker is the machine's RabbitMQ at 127.0.0.1:5672, administered with `rabbitmqctl` (run as root).
Everything a test creates lives in its own vhost, so tests never see each other's queues or
connections. A missing broker fails the test when `SP_TEST_REQUIRE_SERVERS` is set (CI) and skips it
otherwise (tests/support/servers.py).
"""

from __future__ import annotations

import atexit
import json
import os
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import quote, unquote, urlsplit

import pytest

from tests.support.servers import unavailable

RABBIT_HOST = "127.0.0.1"
RABBIT_PORT = 5672


class RabbitCtlError(RuntimeError):
    pass


def rabbitmqctl(*args: str) -> str:
    try:
        result = subprocess.run(
            ["rabbitmqctl", "--quiet", *args], capture_output=True, text=True, timeout=60, check=False
        )
    except FileNotFoundError:
        unavailable(
            "rabbitmq", "rabbitmqctl is not installed: the tests administer the local RabbitMQ with it"
        )
    if result.returncode != 0:
        raise RabbitCtlError(f"rabbitmqctl {' '.join(args)} failed: {result.stderr.strip() or result.stdout}")
    return result.stdout


def require_broker() -> None:
    try:
        with socket.create_connection((RABBIT_HOST, RABBIT_PORT), timeout=3):
            pass
    except OSError as exc:
        unavailable("rabbitmq", f"RabbitMQ is not reachable at {RABBIT_HOST}:{RABBIT_PORT} ({exc})")


def amqp_url(vhost: str, *, user: str = "guest", password: str = "guest") -> str:
    credentials = f"{quote(user, safe='')}:{quote(password, safe='')}"
    return f"amqp://{credentials}@{RABBIT_HOST}:{RABBIT_PORT}/{quote(vhost, safe='')}"


def vhost_of(url: str) -> str:
    return unquote(urlsplit(url).path.removeprefix("/")) or "/"


def create_vhost() -> str:
    """Create a uniquely named vhost on which guest may do everything; return its name."""
    require_broker()
    name = f"t-{uuid.uuid4().hex}"
    # One import instead of add_vhost + set_permissions: each rabbitmqctl call boots an Erlang VM
    # (about half a second), and every integration test pays for this.
    definitions = {
        "vhosts": [{"name": name}],
        "permissions": [{"user": "guest", "vhost": name, "configure": ".*", "write": ".*", "read": ".*"}],
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="rabbit-vhost-") as file:
        json.dump(definitions, file)
        file.flush()
        # The broker node reads the file itself, as its own OS user.
        os.chmod(file.name, 0o644)
        rabbitmqctl("import_definitions", os.path.abspath(file.name))
    return name


def delete_vhost(name: str) -> None:
    rabbitmqctl("delete_vhost", name)


_deletions: list[subprocess.Popen[bytes]] = []


def delete_vhost_in_background(name: str) -> None:
    """Delete `name` without waiting; the test session waits for all deletions before it exits."""
    _deletions[:] = [process for process in _deletions if process.poll() is None]
    _deletions.append(
        subprocess.Popen(
            ["rabbitmqctl", "--quiet", "delete_vhost", name],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    )


@atexit.register
def _finish_deletions() -> None:
    for process in _deletions:
        process.wait(timeout=60)


@contextmanager
def temporary_vhost() -> Iterator[str]:
    """Yield the amqp URL (as guest) of a fresh vhost, and delete the vhost afterwards.

    Deleting a vhost closes its connections and drops its queues, so nothing leaks between tests."""
    name = create_vhost()
    try:
        yield amqp_url(name)
    finally:
        delete_vhost_in_background(name)


def create_user(
    name: str,
    password: str,
    vhost: str,
    configure: str = ".*",
    write: str = ".*",
    read: str = ".*",
) -> str:
    """Create a broker user with permissions on `vhost`; return its amqp URL.

    Users are global, not per vhost: delete them (or use the `rabbit_users` fixture)."""
    rabbitmqctl("add_user", name, password)
    set_permissions(name, vhost, configure=configure, write=write, read=read)
    return amqp_url(vhost, user=name, password=password)


def delete_user(name: str) -> None:
    rabbitmqctl("delete_user", name)


def set_permissions(user: str, vhost: str, *, configure: str, write: str, read: str) -> None:
    rabbitmqctl("set_permissions", "-p", vhost, user, configure, write, read)


def set_topic_permissions(user: str, vhost: str, exchange: str, write: str, read: str) -> None:
    """Restrict the routing keys `user` may publish (`write`) and bind (`read`) on a topic `exchange`."""
    rabbitmqctl("set_topic_permissions", "-p", vhost, user, exchange, write, read)


def close_connections(vhost: str, reason: str = "closed by test") -> None:
    """Force-close every client connection of `vhost` from the broker side (other vhosts are untouched)."""
    rabbitmqctl("close_all_connections", "--vhost", vhost, reason)


def connection_count(vhost: str) -> int:
    rows = rabbitmqctl("list_connections", "--no-table-headers", "vhost")
    return sum(1 for row in rows.splitlines() if row.strip() == vhost)


@pytest.fixture
def rabbit_vhost_url() -> Iterator[str]:
    """A fresh vhost on the real broker for one test; `vhost_of(url)` gives its name."""
    with temporary_vhost() as url:
        yield url


UserFactory = Callable[..., str]


@pytest.fixture
def rabbit_users() -> Iterator[UserFactory]:
    """`create_user` that deletes the users it created when the test ends."""
    created: list[str] = []

    def create(name: str, password: str, vhost: str, *permissions: str) -> str:
        url = create_user(name, password, vhost, *permissions)
        created.append(name)
        return url

    yield create
    for name in created:
        delete_user(name)
