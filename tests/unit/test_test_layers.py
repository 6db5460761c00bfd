"""The test layers: every test is marked by the servers, browser and processes it uses (tests/conftest.py),
so `make test-fast` can leave those out; a missing server skips, or fails when SP_TEST_REQUIRE_SERVERS is
set (tests/support/servers.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import DISTRIBUTED_MODULES, xdist_unit
from tests.support import servers

pytest_plugins = ("pytester",)

ROOT = Path(__file__).resolve().parents[2]

CONFTEST = """
from tests.conftest import pytest_collection_modifyitems, pg_url, rabbit_vhost_url
from tests.support.browser import browser
from tests.support.rabbit import rabbit_users
from tests.support.rabbit_node import rabbit_node
"""

MODULE = """
import pytest

from scripts.run_distributed import Topology
from tests.support.embedded_server import embedded_server, free_port
from tests.support.rabbit import temporary_vhost


def start_server(path):
    with embedded_server(path):
        pass


class Cluster:
    def start(self):
        Topology(trusts=("HBE",)).start()


@pytest.fixture
def database(pg_url):
    return pg_url


@pytest.fixture
def via_database(database):
    return database


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request):
    if request.param == "sqlite":
        return "sqlite://"
    return request.getfixturevalue("pg_url")


def test_in_process():
    assert free_port() > 0


def test_pg(pg_url):
    pass


def test_pg_through_two_fixtures(via_database):
    pass


def test_pg_asked_for_by_name(url):
    pass


def test_vhost_helper():
    with temporary_vhost():
        pass


def test_users(rabbit_users):
    pass


def test_private_node(rabbit_node):
    pass


def test_browser(browser):
    pass


def test_server_through_a_module_function(tmp_path):
    start_server(tmp_path)


def test_topology_through_a_class():
    Cluster().start()


class TestGrouped:
    def test_method(self, rabbit_vhost_url):
        pass


@pytest.mark.e2e
def test_marked_by_hand():
    pass
"""


def collected_markers(pytester: pytest.Pytester) -> dict[str, set[str]]:
    pytester.syspathinsert(ROOT)
    pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
        "markers =\n    postgres\n    rabbitmq\n    browser\n    e2e\n"
    )
    pytester.makeconftest(CONFTEST)
    module = pytester.makepyfile(test_layers_sample=MODULE)
    items, _ = pytester.inline_genitems(module)
    layers = {"postgres", "rabbitmq", "browser", "e2e"}
    return {item.name: {m.name for m in item.iter_markers()} & layers for item in items}


def test_every_test_is_marked_by_what_it_uses(pytester: pytest.Pytester) -> None:
    assert collected_markers(pytester) == {
        "test_in_process": set(),
        "test_pg": {"postgres"},
        "test_pg_through_two_fixtures": {"postgres"},
        "test_pg_asked_for_by_name[sqlite]": {"postgres"},
        "test_pg_asked_for_by_name[postgresql]": {"postgres"},
        "test_vhost_helper": {"rabbitmq"},
        "test_users": {"rabbitmq"},
        "test_private_node": {"rabbitmq", "e2e"},
        "test_browser": {"browser"},
        "test_server_through_a_module_function": {"e2e"},
        "test_topology_through_a_class": {"postgres", "rabbitmq", "e2e"},
        "test_method": {"rabbitmq"},
        "test_marked_by_hand": {"e2e"},
    }


DISTRIBUTED_SAMPLE = """
from scripts.run_distributed import Topology


class Cluster:
    def start(self):
        Topology(trusts=("HBE",)).start()


def test_topology_through_a_class():
    Cluster().start()
"""


def test_a_module_of_the_suite_that_starts_a_topology_must_be_listed(pytester: pytest.Pytester) -> None:
    pytester.syspathinsert(ROOT)
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\nmarkers =\n    e2e\n")
    pytester.makeconftest(CONFTEST)
    folder = pytester.mkdir("tests").joinpath("e2e")
    folder.mkdir()
    folder.joinpath("test_new_topology.py").write_text(DISTRIBUTED_SAMPLE)
    result = pytester.runpytest_inprocess("--collect-only", folder)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*add them to DISTRIBUTED_MODULES*", "tests/e2e/test_new_topology.py"])


def test_xdist_hands_out_whole_modules_and_the_distributed_ones_as_one() -> None:
    assert xdist_unit("tests/unit/test_icd10.py::test_a[x::y]") == "tests/unit/test_icd10.py"
    assert xdist_unit("tests/e2e/test_browser_draft.py::test_b") == "tests/e2e/test_browser_draft.py"
    assert {xdist_unit(f"{module}::test_c") for module in DISTRIBUTED_MODULES} == {"distributed"}
    for module in DISTRIBUTED_MODULES:
        assert (ROOT / module).is_file(), module


def test_the_markers_are_registered() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    for name in ("postgres", "rabbitmq", "browser", "e2e"):
        assert re.search(rf'^\s*"{name}: ', text, re.M), name


def test_make_test_fast_leaves_out_every_marked_layer() -> None:
    makefile = (ROOT / "Makefile").read_text()
    fast = re.search(r"^FAST := (.+)$", makefile, re.M)
    assert fast and fast.group(1) == "not postgres and not rabbitmq and not browser and not e2e"
    assert re.search(r'^test-fast:.*\n\t.*pytest .*-m "\$\(FAST\)"', makefile, re.M)


def test_a_missing_server_fails_when_servers_are_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(servers.REQUIRE_SERVERS, "1")
    with pytest.raises(pytest.fail.Exception, match=r"PostgreSQL is not reachable.*pg_ctlcluster.*is set"):
        servers.unavailable("postgres", "PostgreSQL is not reachable at 127.0.0.1:1")


def test_a_missing_server_skips_with_the_reason_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(servers.REQUIRE_SERVERS, raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"chromium is missing.*apt-get install chromium"):
        servers.unavailable("browser", "/usr/bin/chromium is missing")


def test_ci_requires_the_servers() -> None:
    assert re.search(r"^export SP_TEST_REQUIRE_SERVERS=1$", (ROOT / ".ci" / "run").read_text(), re.M)
