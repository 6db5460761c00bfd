"""Use cases own their transactions: no route or view commits, takes a `Uow` or opens a unit of work.

Routes and views call use cases (`@use_case` handlers) with the service's `Database`; an audited
read or a staged event then cannot depend on a route remembering to commit."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SERVICES = ["soknad", "vurdering", "beslutning", "oversikt", "integrasjon"]

FORBIDDEN_NAMES = {"Uow", "get_uow", "UnitOfWork"}
FORBIDDEN_CALLS = {"commit", "unit_of_work"}


def _web_modules(service: str) -> list[Path]:
    package = ROOT / "services" / service / service
    modules = []
    for entry in sorted(package.iterdir()):
        if not entry.name.startswith(("api", "views")):
            continue
        if entry.is_dir():
            modules += sorted(entry.rglob("*.py"))
        elif entry.suffix == ".py":
            modules.append(entry)
    return modules


def _violations(source: str, where: str) -> list[str]:
    tree = ast.parse(source, filename=where)
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in FORBIDDEN_CALLS
        ):
            found.append(f"{where}:{node.lineno} calls .{node.func.attr}(")
        elif isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            found.append(f"{where}:{node.lineno} uses {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_NAMES:
            found.append(f"{where}:{node.lineno} uses .{node.attr}")
        elif isinstance(node, ast.ImportFrom):
            found += [
                f"{where}:{node.lineno} imports {alias.name}"
                for alias in node.names
                if alias.name in FORBIDDEN_NAMES
            ]
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_routes_and_views_leave_the_transaction_to_the_use_case(service: str) -> None:
    modules = _web_modules(service)
    assert modules, f"no api or views modules found for {service}"
    violations = [
        v
        for module in modules
        for v in _violations(module.read_text(encoding="utf-8"), str(module.relative_to(ROOT)))
    ]
    assert violations == []


def test_the_check_finds_a_route_that_commits() -> None:
    source = "from soknad.deps import Uow\n\nasync def route(uow: Uow) -> None:\n    await uow.commit()\n"
    assert _violations(source, "probe.py") == [
        "probe.py:1 imports Uow",
        "probe.py:3 uses Uow",
        "probe.py:4 calls .commit(",
    ]


def test_the_check_reads_api_and_views_packages_and_modules() -> None:
    names = {
        m.relative_to(ROOT / "services" / "soknad" / "soknad").as_posix() for m in _web_modules("soknad")
    }
    assert {"api/soknader.py", "views/utkast.py", "views/varsler.py"} <= names
    assert not any(name.startswith(("handlers/", "store/")) for name in names)
