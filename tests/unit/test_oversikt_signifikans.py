"""Fisher's exact test (written by hand) against published values, Holm's correction, and when a
combination of substance and indication is flagged for disagreement between trusts."""

from __future__ import annotations

from fractions import Fraction
from math import comb

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oversikt.signifikans import MIN_VEDTAK, fisher_exact, holm, vurder
from oversikt.store import kvartiler, kvartiler_av_telling


@pytest.mark.parametrize(
    ("table", "p"),
    [
        # Fisher's lady tasting tea: two-sided p = 34/70.
        ((3, 1, 1, 3), 0.4857142857),
        # R: fisher.test(matrix(c(1, 11, 9, 3), 2))$p.value
        ((1, 9, 11, 3), 0.002759456),
        # R: fisher.test(matrix(c(8, 1, 2, 5), 2))$p.value
        ((8, 2, 1, 5), 0.03496503),
        ((10, 0, 0, 10), 1.0825088e-05),
        ((5, 0, 5, 0), 1.0),
    ],
)
def test_fisher_exact_matches_known_values(table: tuple[int, int, int, int], p: float) -> None:
    assert fisher_exact(*table) == pytest.approx(p, rel=1e-6)


def _exact(a: int, b: int, c: int, d: int) -> float:
    r1, r2, c1 = a + b, c + d, a + c

    def pr(x: int) -> Fraction:
        return Fraction(comb(r1, x) * comb(r2, c1 - x), comb(r1 + r2, c1))

    observed = pr(a)
    return float(sum(pr(x) for x in range(max(0, c1 - r2), min(r1, c1) + 1) if pr(x) <= observed))


@settings(max_examples=200, deadline=None)
@given(*(st.integers(0, 40) for _ in range(4)))
def test_fisher_exact_equals_the_exact_rational_sum(a: int, b: int, c: int, d: int) -> None:
    assert fisher_exact(a, b, c, d) == pytest.approx(_exact(a, b, c, d), rel=1e-6, abs=1e-12)


def test_holm_adjusts_and_keeps_the_order_monotone() -> None:
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])
    assert holm([]) == []


def test_trusts_that_decide_alike_are_not_flagged() -> None:
    vurdering = vurder({"HBE": (8, 2), "OUS": (9, 3), "UNN": (7, 2)})
    assert vurdering.testbar and not vurdering.ulik_praksis


def test_one_trust_refusing_what_the_others_grant_is_flagged() -> None:
    vurdering = vurder({"HBE": (1, 19), "OUS": (18, 2), "UNN": (17, 3)})
    assert vurdering.ulik_praksis
    assert next(t.hf for t in vurdering.tester if t.avviker) == "HBE"


def test_trusts_with_too_few_decisions_are_left_out() -> None:
    vurdering = vurder({"HBE": (0, MIN_VEDTAK - 1), "OUS": (20, 0)})
    assert not vurdering.testbar and not vurdering.ulik_praksis
    assert vurdering.utelatt == ["HBE"]


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.integers(0, 400), st.integers(1, 30), max_size=40))
def test_quartiles_from_a_histogram_equal_those_of_the_values(telling: dict[int, int]) -> None:
    values = [v for v, n in telling.items() for _ in range(n)]
    assert kvartiler_av_telling(telling) == kvartiler(values)


def test_quartiles_interpolate_like_percentile_cont() -> None:
    # PostgreSQL: percentile_cont(0.25/0.5/0.75) of 1, 2, 3, 4 is 1.75, 2.5, 3.25.
    t = kvartiler([4, 1, 3, 2])
    assert (t.antall, t.q1, t.median, t.q3) == (4, 1.75, 2.5, 3.25)
