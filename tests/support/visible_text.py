"""What a person reads on a page or in an API answer, without the identifiers a machine uses.

A scan for fødselsnummer-like numbers must read this, not the raw response: a random UUID in a link
(`/register/…-22753823704a`) passes the mod-11 check about once in 9,000 and is not personal data.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

_HIDDEN = {"script", "style", "template"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden += 1
        # Text a person is shown in place of content: alternative text, titles and labels.
        for name, value in attrs:
            if value and name in ("alt", "title", "aria-label", "placeholder"):
                self.parts.append(value)
            if value and name == "value" and tag in ("input", "option") and ("type", "hidden") not in attrs:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The page's text nodes and the attributes a person sees or hears (not ids, links or tokens)."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "\n".join(parser.parts)


def readable_values(data: Any, *, skip: frozenset[str] = frozenset({"id"})) -> str:
    """Every value of a JSON answer except machine identifiers (keys in `skip`), one per line."""
    out: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key not in skip:
                    walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)
        elif value is not None:
            out.append(str(value))

    walk(data)
    return "\n".join(out)
