"""Print the configuration reference (docs/configuration.md) from the settings classes."""

from __future__ import annotations

import json
from typing import Any

from pydantic import SecretStr
from pydantic_settings import BaseSettings

from beslutning.settings import BeslutningSettings
from embedded.settings import EmbeddedSettings
from integrasjon.settings import IntegrasjonSettings
from oversikt.settings import OversiktSettings
from soknad.settings import SoknadSettings
from vurdering.settings import VurderingSettings

CLASSES: list[tuple[str, type[BaseSettings]]] = [
    ("soknad", SoknadSettings),
    ("vurdering", VurderingSettings),
    ("beslutning", BeslutningSettings),
    ("integrasjon", IntegrasjonSettings),
    ("oversikt", OversiktSettings),
]


def _default(value: Any) -> str:
    if isinstance(value, SecretStr):
        return "(demo value)"
    if isinstance(value, tuple | list | dict):
        return f"`{json.dumps(list(value) if isinstance(value, tuple) else value)}`"
    return f"`{value}`" if value not in ("", None) else "(empty)"


def render() -> str:
    lines = [
        "# Configuration reference",
        "",
        "Generated from the settings classes by",
        "`python scripts/settings_reference.py > docs/configuration.md`;",
        "a test fails when it is stale. Every service reads environment variables with its own prefix",
        "(`SP_SOKNAD_`, `SP_VURDERING_`, …). Lists and mappings are JSON; `HF` also takes `HBE,OUS`.",
        "",
        "## Every service (`SP_<SERVICE>_…`)",
        "",
        "| variable | default | meaning |",
        "|---|---|---|",
    ]
    common = set(SoknadSettings.model_fields) & set(OversiktSettings.model_fields)
    for name, field in SoknadSettings.model_fields.items():
        if name in common and name != "service_name":
            default = field.default_factory() if field.default_factory else field.default  # type: ignore[call-arg]
            lines.append(f"| `{name.upper()}` | {_default(default)} | {field.description or ''} |")
    for service, cls in CLASSES:
        extra = [(n, f) for n, f in cls.model_fields.items() if n not in common]
        extra = [(n, f) for n, f in extra if n != "service_name"]
        if not extra:
            continue
        lines += [
            "",
            f"## {service} only (`SP_{service.upper()}_…`)",
            "",
            "| variable | default | meaning |",
            "|---|---|---|",
        ]
        for name, field in extra:
            default = field.default_factory() if field.default_factory else field.default  # type: ignore[call-arg]
            lines.append(f"| `{name.upper()}` | {_default(default)} | {field.description or ''} |")
    lines += [
        "",
        "## Embedded default (`SP_…`, used by `make run`)",
        "",
        "| variable | default |",
        "|---|---|",
    ]
    for name, field in EmbeddedSettings.model_fields.items():
        lines.append(f"| `SP_{name.upper()}` | {_default(field.default)} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
