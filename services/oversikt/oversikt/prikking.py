"""Small-cell suppression (prikking) of the public statistics, with complementary suppression.

A set of tables is given as cells (any hashable key → count) and the sums that hold between them
(`Linje`: a total and its parts, e.g. a row total and the row's cells, or a region and its trusts).
Tables that share a margin (two tables per month share the month totals) are passed as one set with
the shared cells under the same key, so they are suppressed together.

Rules:
1. Primary: every count of 1 or 2 (below `GRENSE`) is suppressed. Zero is published.
2. Complementary: a line with a suppressed entry must have at least two suppressed entries (else the
   one is its total minus the rest), and when its total is published the suppressed parts must add up
   to 0 or to at least `GRENSE` (else «total minus the published parts» is a count of 1 or 2).
   A line that breaks this has its smallest published positive part suppressed (its total when no
   part is left), and the lines are checked again until none breaks it.

What this does not protect against is stated where the page says how the figures are made: linear
algebra across many lines at once, and differences between releases of different periods."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

GRENSE = 3


@dataclass(frozen=True)
class Linje:
    total: Hashable
    deler: tuple[Hashable, ...]


def prikk(verdier: Mapping[Hashable, int], linjer: Sequence[Linje], grense: int = GRENSE) -> set[Hashable]:
    """The cells to suppress."""
    skjult = {c for c, v in verdier.items() if 0 < v < grense}
    endret = True
    while endret:
        endret = False
        for linje in linjer:
            tillegg = _mangler(verdier, linje, skjult, grense)
            if tillegg is not None:
                skjult.add(tillegg)
                endret = True
    return skjult


def _mangler(
    verdier: Mapping[Hashable, int], linje: Linje, skjult: set[Hashable], grense: int
) -> Hashable | None:
    """The next cell this line needs suppressed, or None when it is safe."""
    deler_skjult = [c for c in linje.deler if c in skjult]
    antall = len(deler_skjult) + (linje.total in skjult)
    if antall == 0:
        return None
    sum_skjult = sum(verdier[c] for c in deler_skjult)
    trygg = antall >= 2 and (linje.total in skjult or sum_skjult == 0 or sum_skjult >= grense)
    if trygg:
        return None
    kandidater = sorted(
        (c for c in linje.deler if c not in skjult and verdier[c] > 0), key=lambda c: (verdier[c], repr(c))
    )
    if kandidater:
        return kandidater[0]
    if linje.total not in skjult:
        return linje.total
    nuller = [c for c in linje.deler if c not in skjult]
    return nuller[0] if nuller else None


def avslort(verdier: Mapping[Hashable, int], linjer: Iterable[Linje], skjult: set[Hashable]) -> list[str]:
    """What a reader could work out from the published figures that is a count below the limit (the
    property the suppression must keep; empty when it does)."""
    funn = [f"{c!r} = {v}" for c, v in verdier.items() if c not in skjult and 0 < v < GRENSE]
    for linje in linjer:
        ukjente = [c for c in (*linje.deler, linje.total) if c in skjult]
        if linje.total not in skjult:
            rest = verdier[linje.total] - sum(verdier[c] for c in linje.deler if c not in skjult)
            if 0 < rest < GRENSE:
                funn.append(f"{linje.total!r} minus publiserte deler = {rest}")
        if len(ukjente) == 1 and 0 < verdier[ukjente[0]] < GRENSE:
            funn.append(f"{ukjente[0]!r} regnes ut av linjen = {verdier[ukjente[0]]}")
    return funn


def tabell_linjer(
    rader: Sequence[Hashable],
    kolonner: Sequence[Hashable],
    *,
    rad_total: Mapping[Hashable, Hashable],
    kolonne_total: Mapping[Hashable, Hashable],
    total: Hashable,
    navn: str,
) -> list[Linje]:
    """The lines of one two-way table `(navn, rad, kolonne)` with its margins under the given keys."""
    linjer = [Linje(rad_total[r], tuple((navn, r, k) for k in kolonner)) for r in rader]
    linjer += [Linje(kolonne_total[k], tuple((navn, r, k) for r in rader)) for k in kolonner]
    linjer.append(Linje(total, tuple(rad_total[r] for r in rader)))
    linjer.append(Linje(total, tuple(kolonne_total[k] for k in kolonner)))
    return linjer
