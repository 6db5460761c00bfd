"""A small JSON Schema validator for the subset the event catalogue uses (the keywords pydantic emits
plus `const`, `pattern` and `allOf`), so a test can hold a real message against the served document
without a schema library the project does not lock. Unknown keywords fail loudly, never pass silently."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

ANNOTATIONS = frozenset(
    {"title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly"}
)
_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


def _is(value: Any, kind: str) -> bool:
    if kind in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, _TYPES[kind])


def errors(instance: Any, schema: dict[str, Any], root: dict[str, Any], path: str = "$") -> list[str]:
    """Every way `instance` breaks `schema`; `$ref`s are JSON pointers into `root`."""
    found: list[str] = []
    for keyword, rule in schema.items():
        if keyword in ANNOTATIONS or keyword.startswith("x-"):
            continue
        if keyword == "$ref":
            found += errors(instance, resolve(root, rule), root, path)
        elif keyword == "type":
            kinds = rule if isinstance(rule, list) else [rule]
            if not any(_is(instance, k) for k in kinds):
                found.append(f"{path}: {instance!r} is not of type {rule}")
        elif keyword == "const":
            if instance != rule or type(instance) is not type(rule):
                found.append(f"{path}: {instance!r} is not {rule!r}")
        elif keyword == "enum":
            if instance not in rule:
                found.append(f"{path}: {instance!r} is not one of {rule}")
        elif keyword == "anyOf":
            if all(errors(instance, option, root, path) for option in rule):
                found.append(f"{path}: matches none of anyOf")
        elif keyword == "allOf":
            for part in rule:
                found += errors(instance, part, root, path)
        elif keyword == "properties":
            if isinstance(instance, dict):
                for name, sub in rule.items():
                    if name in instance:
                        found += errors(instance[name], sub, root, f"{path}.{name}")
        elif keyword == "required":
            if isinstance(instance, dict):
                found += [f"{path}: missing {name}" for name in rule if name not in instance]
        elif keyword == "additionalProperties":
            if isinstance(instance, dict):
                extra = set(instance) - set(schema.get("properties", {}))
                if rule is False:
                    found += [f"{path}: unexpected {name}" for name in sorted(extra)]
                elif isinstance(rule, dict):
                    for name in sorted(extra):
                        found += errors(instance[name], rule, root, f"{path}.{name}")
        elif keyword == "items":
            if isinstance(instance, list):
                for i, item in enumerate(instance):
                    found += errors(item, rule, root, f"{path}[{i}]")
        elif keyword == "pattern":
            if isinstance(instance, str) and not re.search(rule, instance):
                found.append(f"{path}: {instance!r} does not match {rule}")
        elif keyword == "format":
            if isinstance(instance, str) and not _formatted(instance, rule):
                found.append(f"{path}: {instance!r} is not a {rule}")
        elif keyword in ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems"):
            found += _bound(instance, keyword, rule, path)
        else:
            raise ValueError(f"{path}: keyword {keyword!r} is not supported by this validator")
    return found


def _formatted(value: str, kind: str) -> bool:
    try:
        if kind == "date-time":
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        elif kind == "date":
            date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _bound(instance: Any, keyword: str, limit: int, path: str) -> list[str]:
    size: Any
    if keyword in ("minimum", "maximum"):
        if not _is(instance, "number"):
            return []
        size = instance
    elif keyword in ("minLength", "maxLength"):
        if not isinstance(instance, str):
            return []
        size = len(instance)
    else:
        if not isinstance(instance, list):
            return []
        size = len(instance)
    ok = size >= limit if keyword.startswith("min") else size <= limit
    return [] if ok else [f"{path}: {keyword} {limit} broken by {instance!r}"]


def resolve(root: dict[str, Any], ref: str) -> dict[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"only local references are supported: {ref}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    assert isinstance(node, dict)
    return node
