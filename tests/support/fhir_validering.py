"""Every exported FHIR resource through three independent validators: npm `fhir` and `@medplum/core`
(with its R4 definitions), both pinned in `tests/support/fhir_validatorer/`, and `fhir.resources`' R4B
models. `errors(resources)` returns one line per error; a test asserts it is empty."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

FOLDER = Path(__file__).parent / "fhir_validatorer"


def _node_modules() -> None:
    if (FOLDER / "node_modules" / "@medplum" / "core").is_dir() and (
        FOLDER / "node_modules" / "fhir"
    ).is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is missing: the FHIR validators need Node.js and npm (apt-get install nodejs npm)")
    # `make test` installs them first; a test run on its own installs them here, from the lock.
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=FOLDER, check=True)


def node_errors(resources: list[dict[str, Any]]) -> list[str]:
    _node_modules()
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: the FHIR validators need Node.js")
    done = subprocess.run(
        [node, "validate.mjs"],
        cwd=FOLDER,
        input=json.dumps(resources),
        capture_output=True,
        text=True,
        check=True,
    )
    lines = []
    for report in json.loads(done.stdout):
        name = f"{report['resourceType']}/{report['id']}"
        lines += [f"{name} [fhir] {e}" for e in report["fhir"]]
        lines += [f"{name} [medplum] {e}" for e in report["medplum"]]
    return lines


def r4b_errors(resources: Iterable[dict[str, Any]]) -> list[str]:
    from fhir.resources.R4B import get_fhir_model_class

    lines = []
    for resource in resources:
        try:
            get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        except Exception as exc:  # pydantic's ValidationError or a KeyError for an unknown type
            lines.append(f"{resource.get('resourceType')}/{resource.get('id')} [fhir.resources R4B] {exc}")
    return lines


def errors(resources: list[dict[str, Any]]) -> list[str]:
    """Every error any of the three validators finds; resources inside a Bundle are checked one by one too."""
    flat: list[dict[str, Any]] = []
    for resource in resources:
        flat.append(resource)
        if resource.get("resourceType") == "Bundle":
            flat += [entry["resource"] for entry in resource.get("entry", []) if "resource" in entry]
    return node_errors(flat) + r4b_errors(flat)
