"""Numbers typed by people or put in a URL, parsed in one place: ASCII digits only, bounded.

`str.isdigit()` accepts «²» and `int()` of 5,000 digits is slow and then overflows a column; both
were 500s. Every number from a query string or a form goes through here and is a 4xx naming the field.
"""

from __future__ import annotations

import re

from shared.platform.errors import ValidationFailed

_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")


def parse_int(raw: str | None, *, field: str, minimum: int | None = None, maximum: int | None = None) -> int:
    text = (raw or "").strip().replace(" ", "").replace("\u00a0", "")
    if not _INTEGER.fullmatch(text):
        raise ValidationFailed(f"«{field}» må være et heltall.", field=field)
    value = int(text)
    if minimum is not None and value < minimum:
        raise ValidationFailed(f"«{field}» må være minst {minimum}.", field=field)
    if maximum is not None and value > maximum:
        raise ValidationFailed(f"«{field}» kan ikke være mer enn {maximum}.", field=field)
    return value


def parse_optional_int(
    raw: str | None, *, field: str, minimum: int | None = None, maximum: int | None = None
) -> int | None:
    """Empty is None; anything else must be a number within the bounds."""
    if raw is None or not raw.strip():
        return None
    return parse_int(raw, field=field, minimum=minimum, maximum=maximum)
