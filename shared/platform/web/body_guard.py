"""Request bodies checked before any route sees them: size, UTF-8, and text that cannot be stored.

A browser pasting a broken character sends a lone UTF-16 surrogate (`"\\ud800"`) in JSON; Python
accepts it, but no database, log or event can encode it, so a case that stored it would fail on every
later read. Such text is refused here, naming the field, before anything is written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class BodyRefused(Exception):
    def __init__(self, status: int, title: str, detail: str, field: str | None = None):
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.field = field


def is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def check_json_body(body: bytes) -> None:
    """Raise `BodyRefused` for a JSON body that is not UTF-8 or holds a lone surrogate."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyRefused(
            400, "Ugyldig tegnkoding", f"Innholdet må være UTF-8 (ugyldig byte ved posisjon {exc.start})."
        ) from None
    # Only a body that escapes a surrogate can hold a lone one: the common body is never parsed twice.
    if not _SURROGATE_ESCAPE.search(body):
        return
    try:
        parsed = json.loads(body)
    except ValueError:
        return  # malformed JSON is the route's validation error to report
    for path in _lone_surrogates(parsed, ()):
        field = ".".join(path) or None
        raise BodyRefused(
            422,
            "Ugyldige opplysninger",
            "Teksten inneholder et ugyldig tegn (ofte fra innliming). Fjern tegnet og prøv igjen.",
            field=field,
        )


def _lone_surrogates(value: Any, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    if isinstance(value, str):
        if _SURROGATE.search(value):
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            if _SURROGATE.search(key):
                yield (*path, "(feltnavn)")
            yield from _lone_surrogates(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _lone_surrogates(item, (*path, str(index)))


def has_lone_surrogate(text: str) -> bool:
    return bool(_SURROGATE.search(text))
