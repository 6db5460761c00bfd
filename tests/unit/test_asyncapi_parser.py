"""The event catalogue integrators read (docs/asyncapi.json, served at /integrasjon/asyncapi.json) passes
the official AsyncAPI parser: the specification's schema and its rules, not only our own checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.node import run_script

CATALOGUE = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.json"


def diagnostics(path: Path) -> list[dict[str, Any]]:
    return list(json.loads(run_script("asyncapi_parse.mjs", str(path))))


def test_the_checked_in_catalogue_has_no_error_or_warning_from_the_official_parser() -> None:
    found = [d for d in diagnostics(CATALOGUE) if d["severity"] in ("error", "warning")]
    assert found == []


def test_the_parser_catches_a_broken_catalogue(tmp_path: Path) -> None:
    # The check above must be able to fail: an operation pointing at a channel that does not exist.
    document = json.loads(CATALOGUE.read_text())
    operation = next(iter(document["operations"].values()))
    operation["channel"] = {"$ref": "#/channels/finnes_ikke"}
    broken = tmp_path / "asyncapi.json"
    broken.write_text(json.dumps(document))
    assert [d for d in diagnostics(broken) if d["severity"] == "error"]
