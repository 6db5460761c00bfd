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

`make test` spreads the test modules over pytest-xdist workers: each module runs whole on one worker, so
its module-scoped fixtures are built once and its tests run in their order; the modules that start the
distributed topology or a private RabbitMQ node (DISTRIBUTED_MODULES) run one after another on one
worker (`pytest_xdist_make_scheduler`).
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

DISTRIBUTED_MODULES = (
    "tests/e2e/test_three_trusts_national.py",
    "tests/e2e/test_two_trusts.py",
    "tests/integration/test_broker_restart_log_levels.py",
    "tests/integration/test_resilience.py",
    "tests/integration/test_run_distributed_sigterm.py",
)
"""The modules that start the distributed topology (a dozen service processes; the last one through
scripts/run_distributed.py) or a private RabbitMQ node (an Erlang VM that the fault tests restart).
Side by side on two cores they starve each other past their start-up deadlines, and the national
oversikt of every topology keeps its directory in one file (data/katalog.sqlite under the repository,
its working directory). So xdist runs them one module after another on one worker, beside the lighter
modules on the others; collection refuses a test elsewhere that uses the helpers below."""

DISTRIBUTED = ("distributed",)
DISTRIBUTED_FIXTURES: dict[str, tuple[str, ...]] = {"rabbit_node": DISTRIBUTED}


def _distributed_helpers() -> dict[int, tuple[str, ...]]:
    from scripts.run_distributed import Topology

    helpers = (Topology, rabbit_node.RabbitNode, rabbit_node.private_rabbit_node)
    return {id(obj): DISTRIBUTED for obj in helpers}


DISTRIBUTED_HELPERS = _distributed_helpers()


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


def markers_used_by(
    function: Callable[..., Any],
    seen: set[int] | None = None,
    depth: int = 4,
    fixtures: dict[str, tuple[str, ...]] = FIXTURE_MARKERS,
    helpers: dict[int, tuple[str, ...]] = HELPER_MARKERS,
) -> set[str]:
    """The layer markers that the helpers `function` calls (through test-module functions) need; with
    other tables of `fixtures` and `helpers`, what those tables give."""
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
        for requested in set(_code_strings(code)) & set(fixtures):
            found.update(fixtures[requested])
    namespace = getattr(function, "__globals__", {})
    for name in names:
        obj = namespace.get(name)
        if obj is None:
            continue
        found.update(helpers.get(id(obj), ()))
        for inner in _test_module_callables(obj, namespace.get("__name__", "")):
            found |= markers_used_by(inner, seen, depth - 1, fixtures, helpers)
    return found


def layer_markers(
    item: pytest.Item,
    fixtures: dict[str, tuple[str, ...]] = FIXTURE_MARKERS,
    helpers: dict[int, tuple[str, ...]] = HELPER_MARKERS,
) -> set[str]:
    found: set[str] = set()
    names = getattr(item, "fixturenames", ())
    for name in names:
        found.update(fixtures.get(name, ()))
    info = getattr(item, "_fixtureinfo", None)
    functions: list[Callable[..., Any]] = [item.obj] if isinstance(item, pytest.Function) else []
    if info is not None:
        for name in names:
            functions += [definition.func for definition in info.name2fixturedefs.get(name, ())]
    seen: set[int] = set()
    for function in functions:
        found |= markers_used_by(function, seen, fixtures=fixtures, helpers=helpers)
    return found


IN_PROCESS_LAYERS = ("unit", "service")
"""Folders whose tests must run without a server, a browser or a spawned process."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    misplaced: list[str] = []
    unlisted: set[str] = set()
    for item in items:
        present = {mark.name for mark in item.iter_markers()}
        needs = layer_markers(item)
        for name in sorted(needs - present):
            item.add_marker(getattr(pytest.mark, name))
        if needs and _layer(config, item) in IN_PROCESS_LAYERS:
            misplaced.append(f"{item.nodeid} needs {', '.join(sorted(needs))}")
        # Only the project's own modules: a pytester sample elsewhere is no module of this suite.
        module = _module(config, item)
        if (
            _layer(config, item)
            and module not in DISTRIBUTED_MODULES
            and layer_markers(item, DISTRIBUTED_FIXTURES, DISTRIBUTED_HELPERS)
        ):
            unlisted.add(module)
    if misplaced:
        # The folder is the promise `make test-fast` relies on: keep a test that needs servers elsewhere.
        raise pytest.UsageError(
            "tests under tests/unit or tests/service must need no server:\n" + "\n".join(misplaced)
        )
    if unlisted:
        raise pytest.UsageError(
            "these modules start the distributed topology or a private RabbitMQ node; add them to "
            "DISTRIBUTED_MODULES in tests/conftest.py:\n" + "\n".join(sorted(unlisted))
        )


def _module(config: pytest.Config, item: pytest.Item) -> str:
    """The module's path from the project's root, as in node ids (what the xdist scheduler sees)."""
    try:
        return item.path.relative_to(config.rootpath).as_posix()
    except ValueError:
        return item.path.as_posix()


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


def xdist_unit(nodeid: str) -> str:
    """The unit of work a test is handed to an xdist worker in: its module, or "distributed"."""
    module = nodeid.split("::", 1)[0]
    return "distributed" if module in DISTRIBUTED_MODULES else module


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """With `-n`, whichever load mode `--dist` names: the units of `xdist_unit`, handed out in
    collection order (the slow end-to-end and integration modules first, so no long one is left for
    the end; the default orders them by their number of tests, the many quick unit tests first)."""
    if config.getvalue("dist") not in ("load", "loadscope", "loadfile", "loadgroup"):
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByUnit(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_unit(nodeid)

    config.option.loadscopereorder = False
    return ByUnit(config, log)
