"""Do trusts disagree more than chance explains? Fisher's exact test, written out, and Holm's correction.

The test of one combination (a substance and indication, or an ATC group and ICD-10 chapter): each
trust with at least `MIN_VEDTAK` decisions is compared with all the other such trusts together in a
2×2 table (granted / refused × this trust / the rest), by Fisher's exact test (two-sided: the sum of
the hypergeometric probabilities of every table with the same margins that is no more probable than
the one observed). The p-values of the trusts of one combination are Holm-corrected, and the
combination is flagged when at least one corrected p-value is below `ALFA`. At least two trusts must
qualify; with fewer there is nothing to compare. No locked library has the test, so it is here."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

ALFA = 0.05
MIN_VEDTAK = 5
"""Fewest decisions a trust needs to be compared."""

_RELATIV_TOLERANSE = 1 + 1e-7
"""Tables as probable as the observed one, up to rounding, count as «no more probable» (as R does)."""

BESKRIVELSE = (
    f"Fishers eksakte test (tosidig) av hvert helseforetak mot de andre samlet (innvilget mot avslått), "
    f"Holm-korrigert for antall helseforetak; flagget når minst én korrigert p-verdi er under "
    f"{str(ALFA).replace('.', ',')}. Bare helseforetak med minst {MIN_VEDTAK} vedtak er med, "
    "og minst to må være med."
)


def _log_hypergeom(x: int, rad1: int, rad2: int, kol1: int) -> float:
    """log P(X = x) up to a constant (the margins' own term cancels in every ratio we take)."""
    lg = math.lgamma
    return -(lg(x + 1) + lg(rad1 - x + 1) + lg(kol1 - x + 1) + lg(rad2 - kol1 + x + 1))


_UBETYDELIG = 1e-13
"""A term this much smaller than the observed table's adds nothing a p-value's six digits can show."""


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of the 2×2 table [[a, b], [c, d]].

    The hypergeometric terms are walked from the mode outwards by the ratio of neighbours,
    P(x+1)/P(x) = (rad1-x)(kol1-x) / ((x+1)(rad2-kol1+x+1)), relative to the mode's term: one
    multiplication a term instead of six log-gammas. The terms fall away from the mode on both sides,
    so a walk stops once they are negligible beside the observed table's (which log-gammas place):
    on an ATC group × chapter, thousands of decisions a trust, the test went from 36 ms to well under
    one."""
    if min(a, b, c, d) < 0:
        raise ValueError("counts must not be negative")
    rad1, rad2, kol1 = a + b, c + d, a + c
    lav, hoy = max(0, kol1 - rad2), min(rad1, kol1)
    if lav == hoy:
        return 1.0
    modus = min(hoy, max(lav, ((rad1 + 1) * (kol1 + 1)) // (rad1 + rad2 + 2)))
    observert = math.exp(_log_hypergeom(a, rad1, rad2, kol1) - _log_hypergeom(modus, rad1, rad2, kol1))
    grense = observert * _RELATIV_TOLERANSE
    stopp = observert * _UBETYDELIG
    hale = 1.0 if grense >= 1.0 else 0.0  # the mode's own term, when it is no more probable
    total = 1.0
    w = 1.0
    for x in range(modus, hoy):
        w *= (rad1 - x) * (kol1 - x) / ((x + 1) * (rad2 - kol1 + x + 1))
        total += w
        if w <= grense:
            hale += w
            if w < stopp:
                break
    w = 1.0
    for x in range(modus, lav, -1):
        w *= x * (rad2 - kol1 + x) / ((rad1 - x + 1) * (kol1 - x + 1))
        total += w
        if w <= grense:
            hale += w
            if w < stopp:
                break
    return min(1.0, hale / total)


def holm(p_verdier: Sequence[float]) -> list[float]:
    """Holm–Bonferroni adjusted p-values, in the order given."""
    m = len(p_verdier)
    orden = sorted(range(m), key=lambda i: p_verdier[i])
    justert = [0.0] * m
    hoyeste = 0.0
    for rang, i in enumerate(orden):
        hoyeste = max(hoyeste, min(1.0, (m - rang) * p_verdier[i]))
        justert[i] = hoyeste
    return justert


@dataclass(frozen=True)
class HfTest:
    hf: str
    innvilget: int
    avslatt: int
    p: float
    p_justert: float

    @property
    def avviker(self) -> bool:
        return self.p_justert < ALFA


@dataclass(frozen=True)
class Vurdering:
    """The test of one combination: who was compared, and whether they disagree."""

    tester: list[HfTest]
    utelatt: list[str]
    """Trusts with too few decisions to be compared."""

    @property
    def testbar(self) -> bool:
        return len(self.tester) >= 2

    @property
    def ulik_praksis(self) -> bool:
        return self.testbar and any(t.avviker for t in self.tester)

    @property
    def minste_p(self) -> float | None:
        return min((t.p_justert for t in self.tester), default=None)


def vurder(per_hf: Mapping[str, tuple[int, int]]) -> Vurdering:
    """`per_hf`: trust → (granted, refused)."""
    med = {hf: v for hf, v in per_hf.items() if sum(v) >= MIN_VEDTAK}
    utelatt = sorted(hf for hf, v in per_hf.items() if 0 < sum(v) < MIN_VEDTAK)
    if len(med) < 2:
        return Vurdering([], utelatt)
    inn_totalt = sum(v[0] for v in med.values())
    av_totalt = sum(v[1] for v in med.values())
    hfs = sorted(med)
    p = [fisher_exact(med[hf][0], med[hf][1], inn_totalt - med[hf][0], av_totalt - med[hf][1]) for hf in hfs]
    justert = holm(p)
    return Vurdering(
        [HfTest(hf, med[hf][0], med[hf][1], p[i], justert[i]) for i, hf in enumerate(hfs)], utelatt
    )
