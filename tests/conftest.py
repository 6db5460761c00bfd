"""Fixtures shared by every layer of tests, and the markers that say what a test needs.

Every test is marked by what it uses, wherever its file lives:

    postgres   the machine's PostgreSQL (`pg_url`, or the helpers of tests/support/postgres.py)
    rabbitmq   the machine's RabbitMQ or its installation (`rabbit_vhost_url`, `rabbit_users`,
               `rabbit_node`, the helpers of tests/support/rabbit.py and rabbit_node.py)
    browser    Debian's chromium through Playwright (`browser`)
    e2e        spawns processes: the embedded server, the distributed topology

A test gets a marker when it, or a fixture it uses (directly or through other fixtures), names one of
those fixtures (also through `request.getfixturevalue`), or calls one of those helpers (in its body, a
fixture's, or a function or class of the test modules they call). `make test-fast` runs what has none
of them; a test file may also set a marker itself. A marked test whose server is missing is skipped
with the reason, or fails when SP_TEST_REQUIRE_SERVERS is set (tests/support/servers.py).
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support import embedded_server, postgres, rabbit, rabbit_node, servers
from tests.support.oidc_issuer import oidc_issuer
from tests.support.postgres import pg_url
from tests.support.rabbit import rabbit_vhost_url

__all__ = ["oidc_issuer", "pg_url", "rabbit_vhost_url"]

SERVER_MARKERS = ("postgres", "rabbitmq", "browser")
LAYER_MARKERS = (*SERVER_MARKERS, "e2e")

FIXTURE_MARKERS: dict[str, tuple[str, ...]] = {
    "pg_url": ("postgres",),
    "rabbit_vhost_url": ("rabbitmq",),
    "rabbit_users": ("rabbitmq",),
    "rabbit_node": ("rabbitmq",),
    "browser": ("browser",),
}


def _helper_markers() -> dict[int, tuple[str, ...]]:
    """The support helpers that reach a server or spawn processes, by identity."""
    from scripts.run_distributed import Topology

    helpers: dict[Callable[..., Any] | type, tuple[str, ...]] = {
        postgres.create_database: ("postgres",),
        postgres.drop_database: ("postgres",),
        rabbit.rabbitmqctl: ("rabbitmq",),
        rabbit.require_broker: ("rabbitmq",),
        rabbit.create_vhost: ("rabbitmq",),
        rabbit.temporary_vhost: ("rabbitmq",),
        rabbit.create_user: ("rabbitmq",),
        rabbit.close_connections: ("rabbitmq",),
        rabbit.connection_count: ("rabbitmq",),
        rabbit_node.RabbitNode: ("rabbitmq", "e2e"),
        rabbit_node.private_rabbit_node: ("rabbitmq", "e2e"),
        embedded_server.EmbeddedServer: ("e2e",),
        embedded_server.embedded_server: ("e2e",),
        Topology: ("postgres", "rabbitmq", "e2e"),
    }
    return {id(obj): markers for obj, markers in helpers.items()}


HELPER_MARKERS = _helper_markers()


def _code_names(code: types.CodeType) -> Iterator[str]:
    yield from code.co_names
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_names(const)


def _code_strings(code: types.CodeType) -> Iterator[str]:
    for const in code.co_consts:
        if isinstance(const, str):
            yield const
        elif isinstance(const, types.CodeType):
            yield from _code_strings(const)


def _test_module_callables(obj: Any, here: str) -> list[Callable[..., Any]]:
    """A function, or a class's methods, defined in a test module (this one, `here`, or one under tests/)
    rather than in a library: those are looked into."""
    module = getattr(obj, "__module__", "") or ""
    if not (module == here or module.startswith("tests.")):
        return []
    if inspect.isclass(obj):
        return [f for f in vars(obj).values() if inspect.isfunction(f)]
    return [obj] if inspect.isfunction(obj) else []


def markers_used_by(function: Callable[..., Any], seen: set[int] | None = None, depth: int = 4) -> set[str]:
    """The layer markers that the helpers `function` calls (through test-module functions) need."""
    seen = set() if seen is None else seen
    function = inspect.unwrap(function)
    code = getattr(function, "__code__", None)
    if code is None or id(function) in seen or depth < 0:
        return set()
    seen.add(id(function))
    found: set[str] = set()
    names = set(_code_names(code))
    if "getfixturevalue" in names:
        # `request.getfixturevalue("pg_url")`: every variant of a parametrized fixture gets the marker,
        # since which one asks for the server is known only when it runs.
        for requested in set(_code_strings(code)) & set(FIXTURE_MARKERS):
            found.update(FIXTURE_MARKERS[requested])
    namespace = getattr(function, "__globals__", {})
    for name in names:
        obj = namespace.get(name)
        if obj is None:
            continue
        found.update(HELPER_MARKERS.get(id(obj), ()))
        for inner in _test_module_callables(obj, namespace.get("__name__", "")):
            found |= markers_used_by(inner, seen, depth - 1)
    return found


def layer_markers(item: pytest.Item) -> set[str]:
    found: set[str] = set()
    names = getattr(item, "fixturenames", ())
    for name in names:
        found.update(FIXTURE_MARKERS.get(name, ()))
    info = getattr(item, "_fixtureinfo", None)
    functions: list[Callable[..., Any]] = [item.obj] if isinstance(item, pytest.Function) else []
    if info is not None:
        for name in names:
            functions += [definition.func for definition in info.name2fixturedefs.get(name, ())]
    seen: set[int] = set()
    for function in functions:
        found |= markers_used_by(function, seen)
    return found


IN_PROCESS_LAYERS = ("unit", "service")
"""Folders whose tests must run without a server, a browser or a spawned process."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    misplaced: list[str] = []
    for item in items:
        present = {mark.name for mark in item.iter_markers()}
        needs = layer_markers(item)
        for name in sorted(needs - present):
            item.add_marker(getattr(pytest.mark, name))
        if needs and _layer(config, item) in IN_PROCESS_LAYERS:
            misplaced.append(f"{item.nodeid} needs {', '.join(sorted(needs))}")
    if misplaced:
        # The folder is the promise `make test-fast` relies on: keep a test that needs servers elsewhere.
        raise pytest.UsageError(
            "tests under tests/unit or tests/service must need no server:\n" + "\n".join(misplaced)
        )


def _layer(config: pytest.Config, item: pytest.Item) -> str:
    """`unit`, `service`, `integration` or `e2e`: the folder under the project's `tests/`."""
    try:
        parts = item.path.relative_to(config.rootpath).parts
    except ValueError:
        return ""
    return parts[1] if len(parts) > 2 and parts[0] == "tests" else ""


def pytest_runtest_setup(item: pytest.Item) -> None:
    for kind in SERVER_MARKERS:
        if item.get_closest_marker(kind) is not None:
            servers.require(kind)
