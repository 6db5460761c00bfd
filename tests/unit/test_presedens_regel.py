"""The one rule for "a group decision already covers this case", shared by every precedent panel."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from shared.domain.presedens import Presedenssok, gruppevedtak_dekker

IDAG = date(2026, 12, 4)
SOK = Presedenssok(virkestoff="rituksimab", icd10="G36.0")
DEKKER: dict[str, Any] = {
    "type": "gruppe",
    "utfall": "innvilget",
    "icd10_kode": "G36",
    "opphevet": False,
    "gyldig_til": date(2027, 6, 30),
    "idag": IDAG,
}


def test_a_granted_valid_group_decision_for_the_category_covers_the_code() -> None:
    assert gruppevedtak_dekker(SOK, **DEKKER)
    assert gruppevedtak_dekker(SOK, **{**DEKKER, "icd10_kode": "G36.0", "utfall": "innvilget_med_vilkar"})
    assert gruppevedtak_dekker(SOK, **{**DEKKER, "gyldig_til": None})
    assert gruppevedtak_dekker(SOK, **{**DEKKER, "gyldig_til": IDAG})  # valid through its last day


@pytest.mark.parametrize(
    "endring",
    [
        {"type": "enkeltpasient"},
        {"utfall": "avslatt"},
        {"utfall": None},
        {"opphevet": True},
        {"gyldig_til": date(2026, 12, 3)},
        {"icd10_kode": "G36.1"},  # a sibling code is not this patient's indication
        {"icd10_kode": "G35"},
        {"icd10_kode": None},
    ],
)
def test_anything_else_does_not_cover_the_case(endring: dict[str, object]) -> None:
    assert not gruppevedtak_dekker(SOK, **{**DEKKER, **endring})
