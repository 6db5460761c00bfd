"""Routes and views of the case services never own a transaction: they call use cases with the
service's `Database`, and the use case commits (STYLE.md 9). Read from the source, so a new route that
reaches for a unit of work or commits fails here before it can forget an audit row."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("vurdering", "beslutning", "oversikt", "integrasjon")


def web_modules() -> list[Path]:
    found: list[Path] = []
    for service in SERVICES:
        package = ROOT / "services" / service / service
        for pattern in ("api*.py", "views*.py", "api/**/*.py", "views/**/*.py"):
            found.extend(package.glob(pattern))
    return sorted(set(found))


def offences(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "commit":
            found.append(f"line {node.lineno}: .commit")
        if isinstance(node, ast.Name) and node.id in ("Uow", "UnitOfWork", "get_uow"):
            found.append(f"line {node.lineno}: {node.id}")
        if isinstance(node, ast.alias) and node.name.split(".")[-1] in ("Uow", "UnitOfWork", "get_uow"):
            found.append(f"line {node.lineno}: imports {node.name}")
        if isinstance(node, ast.Attribute) and node.attr == "unit_of_work":
            found.append(f"line {node.lineno}: .unit_of_work")
    return found


def test_every_case_service_has_routes_and_views_to_check() -> None:
    names = {(p.parts[-3], p.stem) for p in web_modules()}
    assert {(s, kind) for s in SERVICES for kind in ("api", "views")} <= names


@pytest.mark.parametrize("module", web_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_routes_and_views_never_commit_nor_take_a_unit_of_work(module: Path) -> None:
    assert offences(module.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "async def f(uow):\n    await uow.commit()\n",
        "from shared.platform.web.deps import Uow\n",
        "async def f(uow: Uow): ...\n",
        "async def f(db):\n    async with db.unit_of_work() as uow: ...\n",
    ],
)
def test_the_check_sees_a_commit_or_a_unit_of_work(source: str) -> None:
    assert offences(source)
