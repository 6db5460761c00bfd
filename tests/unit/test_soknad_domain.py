"""Pure rules of an application: transitions and the løpenummer (the form's rules: test_skjema_regler.py)."""

from __future__ import annotations

import pytest

from shared.platform.errors import InvalidTransition
from soknad.domain import Status, format_lopenummer, transition


@pytest.mark.parametrize(
    ("current", "action", "target"),
    [
        (Status.UTKAST, "send", Status.TIL_FORANKRING),
        (Status.RETURNERT, "send", Status.TIL_FORANKRING),
        (Status.TIL_FORANKRING, "forankre", Status.TIL_VURDERING),
        (Status.TIL_FORANKRING, "returnere", Status.RETURNERT),
        (Status.TIL_VURDERING, "vedtak", Status.VEDTATT),
        (Status.TILLEGGSINFO_ETTERSPURT, "vedtak", Status.VEDTATT),
        (Status.UTKAST, "trekke", Status.TRUKKET),
        (Status.UNDER_VURDERING, "trekke", Status.TRUKKET),
    ],
)
def test_allowed_transitions(current: Status, action: str, target: Status) -> None:
    assert transition(current, action) is target


@pytest.mark.parametrize(
    ("current", "action"),
    [
        (Status.TIL_FORANKRING, "send"),
        (Status.UTKAST, "forankre"),
        (Status.TIL_VURDERING, "forankre"),
        (Status.UTKAST, "vedtak"),
        (Status.VEDTATT, "vedtak"),
        (Status.VEDTATT, "trekke"),
        (Status.TRUKKET, "trekke"),
    ],
)
def test_refused_transitions_explain_in_norwegian(current: Status, action: str) -> None:
    with pytest.raises(InvalidTransition) as exc:
        transition(current, action)
    assert "Status nå" in exc.value.message


def test_lopenummer_format() -> None:
    assert format_lopenummer("HBE", 2026, 42) == "HBE-2026-000042"
