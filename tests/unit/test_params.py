"""Numbers from query strings and forms: ASCII digits, bounded, a 4xx naming the field."""

from __future__ import annotations

import pytest

from shared.platform.errors import ValidationFailed
from shared.platform.web.params import parse_int, parse_optional_int


@pytest.mark.parametrize("raw", ["²", "١٢", "1.5", "", "abc", "9" * 5000, "1e3", "0x10"])
def test_what_is_not_a_small_ascii_integer_is_refused_naming_the_field(raw: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_int(raw, field="side", minimum=1, maximum=10_000)
    assert caught.value.field == "side"
    assert caught.value.status == 422


def test_bounds_are_checked_and_spaces_between_thousands_allowed() -> None:
    assert parse_int("12 500", field="kostnad") == 12_500
    assert parse_int("3", field="side", minimum=1, maximum=3) == 3
    with pytest.raises(ValidationFailed, match="minst 1"):
        parse_int("0", field="side", minimum=1)
    with pytest.raises(ValidationFailed, match="mer enn 3"):
        parse_int("4", field="side", maximum=3)


def test_empty_optional_is_none() -> None:
    assert parse_optional_int("  ", field="versjon") is None
    assert parse_optional_int(None, field="versjon") is None
    assert parse_optional_int("7", field="versjon") == 7
