"""Every exported FHIR resource through three independent validators: npm `fhir` and `@medplum/core`
(with its R4 definitions), both pinned in `tests/support/node_validatorer/`, and `fhir.resources`' R4B
models. `errors(resources)` returns one line per error; a test asserts it is empty."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from tests.support.node import run_script


def node_errors(resources: list[dict[str, Any]]) -> list[str]:
    out = run_script("validate.mjs", stdin=json.dumps(resources))
    lines = []
    for report in json.loads(out):
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
