"""Small-cell suppression of the public statistics: on any generated tables (with margins, and regions
over trusts), no published cell and no «total minus published parts» is a count of 1 or 2."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import TypeVar

from hypothesis import given, settings
from hypothesis import strategies as st

from oversikt.prikking import GRENSE, Linje, avslort, prikk, tabell_linjer
from oversikt.statistikk import Rad, Statistikk, Tabell, bygg, maneder_i
from oversikt.store import TID_INTERVALLER, UKJENT_TID, Tellinger, kvartiler

small = st.integers(min_value=0, max_value=7)
K = TypeVar("K", bound=Hashable)


def two_way(counts: list[list[int]]) -> tuple[dict[Hashable, int], list[Linje]]:
    rows, cols = range(len(counts)), range(len(counts[0]))
    verdier: dict[Hashable, int] = {("t", r, c): counts[r][c] for r in rows for c in cols}
    for r in rows:
        verdier[("rad", r)] = sum(counts[r])
    for c in cols:
        verdier[("kol", c)] = sum(counts[r][c] for r in rows)
    verdier[("alle",)] = sum(map(sum, counts))
    linjer = tabell_linjer(
        list(rows),
        list(cols),
        rad_total={r: ("rad", r) for r in rows},
        kolonne_total={c: ("kol", c) for c in cols},
        total=("alle",),
        navn="t",
    )
    return verdier, linjer


@settings(max_examples=400, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda c: st.lists(st.lists(small, min_size=c, max_size=c), min_size=1, max_size=8)
    )
)
def test_a_two_way_table_gives_no_small_count_away(counts: list[list[int]]) -> None:
    verdier, linjer = two_way(counts)
    skjult = prikk(verdier, linjer)
    assert avslort(verdier, linjer, skjult) == []


TRUSTS = {"HBE": "HV", "SUS": "HV", "OUS": "HSO", "AHUS": "HSO", "UNN": "HN"}
RESULTS = ("innvilget", "innvilget_med_vilkar", "avslatt", "under_behandling", "trukket", "opphevet")
DECIDED = ("innvilget", "innvilget_med_vilkar", "avslatt", "opphevet")
"""Written out here, not imported: the checker's relations come from what the tables mean."""

Relations = list[tuple[Hashable, Sequence[Hashable]]]
"""Sums that hold: a total and its parts."""
Case = tuple[str, str, str, str, int | None, str | None]
"""Month sent, scheme, trust, outcome, processing days (decided cases), follow-up (granted cases)."""

cases_strategy = st.lists(
    st.tuples(
        st.sampled_from(["2026-01", "2026-02", "2026-03"]),
        st.sampled_from(["off_label", "unntaksordningen", "godkjenningsfritak"]),
        st.sampled_from(sorted(TRUSTS)),
        st.sampled_from(RESULTS),
        st.one_of(st.none(), st.integers(0, 120)),
        st.sampled_from([None, "god", "ingen", "bivirkninger"]),
    ),
    max_size=150,
)


def tellinger_of(raw: list[Case]) -> Tellinger:
    """The grouped counts `store.tellinger` gives for these cases, counted here from the cases."""
    cases = [
        (m, k, hf, r, t if r in DECIDED else None, f if r.startswith("innvilget") else None)
        for m, k, hf, r, t, f in raw
    ]
    decided = [c for c in cases if c[3] in DECIDED]
    timed = [c for c in decided if c[4] is not None]

    def interval(days: int | None) -> str:
        if days is None:
            return UKJENT_TID
        return next(label for label, lo, hi in TID_INTERVALLER if lo <= days and (hi is None or days <= hi))

    return Tellinger(
        maned_kategori=_count((m, k) for m, k, *_ in cases),
        maned_resultat=_count((m, r) for m, _, _, r, *_ in cases),
        hf_resultat=_count((hf, r) for _, _, hf, r, *_ in cases),
        tider_hf={hf: kvartiler([c[4] for c in timed if c[2] == hf]) for hf in {c[2] for c in timed}},  # type: ignore[misc]
        tider_rhf={
            rhf: kvartiler([c[4] for c in timed if TRUSTS[c[2]] == rhf])  # type: ignore[misc]
            for rhf in {TRUSTS[c[2]] for c in timed}
        },
        tider_alle=kvartiler([c[4] for c in timed]),  # type: ignore[misc]
        tid_intervall=_count(interval(c[4]) for c in decided),
        oppfolging=_count(("rituksimab", "G35", c[5]) for c in cases if c[5] is not None),
    )


def _row(cell: str, rad: Rad, kolonner: list[str], total: Hashable) -> dict[Hashable, int | None]:
    """A table row's cells as (`cell`, row, column) and its total under `total`."""
    return {(cell, rad.nokkel, k): v for k, v in zip(kolonner, rad.verdier, strict=True)} | {total: rad.total}


def _total_row(tabell: Tabell, cell: str, total: Hashable) -> dict[Hashable, int | None]:
    """A table's total row: its column totals as (`cell`, column) and its grand total under `total`."""
    rad = tabell.total
    assert rad is not None
    kolonner = [k for k, _ in tabell.kolonner]
    return {(cell, k): v for k, v in zip(kolonner, rad.verdier, strict=True)} | {total: rad.total}


def published(stat: Statistikk) -> tuple[dict[Hashable, int | None], Relations]:
    """Every figure of the public release under a key that says what it counts, and the sums that hold
    between them by what they count, across tables as well as within them."""
    known: dict[Hashable, int | None] = {}
    t = stat.tabeller
    kategorier = [k for k, _ in t["maned_kategori"].kolonner]
    resultater = [r for r, _ in t["maned_resultat"].kolonner]
    oppf = [u for u, _ in t["oppfolging"].kolonner]
    hf_rader = [r for r in t["helseforetak"].rader if not r.delsum]
    rhf_rader = [r for r in t["helseforetak"].rader if r.delsum]
    for rad in t["maned_kategori"].rader:
        known |= _row("mk", rad, kategorier, ("m", rad.nokkel))
    for rad in t["maned_resultat"].rader:
        assert known[("m", rad.nokkel)] == rad.total  # one month total, suppressed alike in both tables
        known |= _row("mr", rad, resultater, ("m", rad.nokkel))
    for rad in hf_rader:
        known |= _row("hr", rad, resultater, ("h", rad.nokkel))
    for rad in rhf_rader:
        known |= _row("rr", rad, resultater, ("R", rad.nokkel))
    for rad in t["oppfolging"].rader:
        known |= _row("of", rad, oppf, ("ofr", rad.nokkel))
    known |= _total_row(t["maned_kategori"], "k", ("alle",))
    known |= _total_row(t["helseforetak"], "r", ("alle",))
    known |= _total_row(t["oppfolging"], "ofk", ("of_alle",))
    intervaller = [rad.nokkel for rad in t["behandlingstid_intervall"].rader]
    known |= {("ti", rad.nokkel): rad.verdier[0] for rad in t["behandlingstid_intervall"].rader}
    known |= _total_row(t["behandlingstid_intervall"], "ti_sum", ("b",))
    known |= {("Rb", rad.nokkel): rad.antall for rad in stat.tider}
    assert stat.antall_alle == known[("b",)]

    months = [rad.nokkel for rad in t["maned_kategori"].rader]
    hfs = [rad.nokkel for rad in hf_rader]
    rhfs = [rad.nokkel for rad in rhf_rader]
    par = [rad.nokkel for rad in t["oppfolging"].rader]
    relations: Relations = []
    for m in months:
        relations += [
            (("m", m), [("mk", m, k) for k in kategorier]),
            (("m", m), [("mr", m, r) for r in resultater]),
        ]
    relations += [(("k", k), [("mk", m, k) for m in months]) for k in kategorier]
    relations += [(("r", r), [("mr", m, r) for m in months]) for r in resultater]
    relations += [(("r", r), [("hr", hf, r) for hf in hfs]) for r in resultater]
    relations += [(("r", r), [("rr", rhf, r) for rhf in rhfs]) for r in resultater]
    relations += [(("h", hf), [("hr", hf, r) for r in resultater]) for hf in hfs]
    for rhf in rhfs:
        members = [hf for hf in hfs if TRUSTS[hf] == rhf]
        relations += [(("rr", rhf, r), [("hr", hf, r) for hf in members]) for r in resultater]
        relations += [
            (("R", rhf), [("rr", rhf, r) for r in resultater]),
            (("R", rhf), [("h", hf) for hf in members]),
        ]
        relations.append((("Rb", rhf), [("rr", rhf, r) for r in DECIDED]))
        relations.append((("R", rhf), [("Rb", rhf), *(("rr", rhf, r) for r in RESULTS if r not in DECIDED)]))
    for parts in (
        [("m", m) for m in months],
        [("k", k) for k in kategorier],
        [("r", r) for r in resultater],
        [("h", hf) for hf in hfs],
        [("R", rhf) for rhf in rhfs],
    ):
        relations.append((("alle",), parts))
    relations += [
        (("b",), [("r", r) for r in DECIDED]),
        (("b",), [("Rb", rhf) for rhf in rhfs]),
        (("b",), [("ti", label) for label in intervaller]),
        (("alle",), [("b",), *(("r", r) for r in RESULTS if r not in DECIDED)]),
    ]
    relations += [(("ofr", v), [("of", v, u) for u in oppf]) for v in par]
    relations += [(("ofk", u), [("of", v, u) for v in par]) for u in oppf]
    relations += [(("of_alle",), [("ofr", v) for v in par]), (("of_alle",), [("ofk", u) for u in oppf])]
    return known, relations


def worked_out(known: dict[Hashable, int | None], relations: Relations) -> list[str]:
    """Counts of 1 or 2 a reader finds: published, worked out of a sum with one unknown (and what that
    gives, in turn), or as the sum of a total's unknown parts."""
    values = {k: v for k, v in known.items() if v is not None}
    found = [f"{k!r} = {v}" for k, v in values.items() if 0 < v < GRENSE]
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            unknown = [k for k in (total, *parts) if k not in values]
            if total in values and unknown:
                rest = values[total] - sum(values[p] for p in parts if p in values)
                if 0 < rest < GRENSE:
                    found.append(f"the unknown parts of {total!r} add up to {rest}")
            if len(unknown) == 1:
                (u,) = unknown
                values[u] = (
                    sum(values[p] for p in parts)
                    if u == total
                    else values[total] - sum(values[p] for p in parts if p != u)
                )
                if 0 < values[u] < GRENSE:
                    found.append(f"{u!r} = {values[u]}, worked out of the sum {total!r}")
                changed = True
    return found


@settings(max_examples=300, deadline=None)
@given(cases_strategy)
def test_the_public_release_gives_no_small_count_away_within_or_across_its_tables(raw: list[Case]) -> None:
    known, relations = published(bygg(tellinger_of(raw), prikk_sma=True))
    assert worked_out(known, relations) == []


def test_a_regions_decision_count_cannot_give_its_hidden_outcomes_away() -> None:
    """The case found from outside: a region of one trust whose decisions (the processing-time table)
    are published while one of its undecided cases is hidden in the outcome table."""
    raw: list[Case] = [("2026-03", "off_label", "OUS", "innvilget", 10, None)] * 34
    raw += [("2026-03", "off_label", "OUS", "innvilget_med_vilkar", 10, None)] * 24
    raw += [("2026-03", "off_label", "OUS", "avslatt", 20, None)] * 42
    raw += [("2026-03", "unntaksordningen", "OUS", "under_behandling", None, None)]
    raw += [("2026-02", "off_label", "HBE", r, 5, None) for r in RESULTS for _ in range(3)]
    stat = bygg(tellinger_of(raw), prikk_sma=True)
    known, relations = published(stat)
    assert known[("hr", "OUS", "under_behandling")] is None
    assert worked_out(known, relations) == []


def test_the_checker_finds_a_count_given_away_across_tables() -> None:
    known: dict[Hashable, int | None] = {("R", "HSO"): 101, ("Rb", "HSO"): 100, ("u", "HSO"): None}
    found = worked_out(known, [(("R", "HSO"), [("Rb", "HSO"), ("u", "HSO")])])
    assert "('u', 'HSO') = 1, worked out of the sum ('R', 'HSO')" in found


def _count(keys: Iterable[K]) -> dict[K, int]:
    out: dict[K, int] = {}
    for k in keys:
        out[k] = out.get(k, 0) + 1
    return out


def test_one_small_cell_takes_a_complement_in_its_row_and_column() -> None:
    verdier, linjer = two_way([[1, 5, 6], [4, 7, 9]])
    skjult = prikk(verdier, linjer)
    assert ("t", 0, 0) in skjult
    # Its row and column each need a second suppressed entry, and the sum hidden in each must be ≥ 3.
    assert ("t", 0, 1) in skjult and ("t", 1, 0) in skjult and ("t", 1, 1) in skjult
    assert avslort(verdier, linjer, skjult) == []


def test_zero_is_published_and_a_table_without_small_counts_is_untouched() -> None:
    verdier, linjer = two_way([[0, 5], [3, 7]])
    assert prikk(verdier, linjer) == set()


def test_the_check_finds_a_count_recomputed_from_the_total() -> None:
    verdier, linjer = two_way([[1, 5], [4, 7]])
    assert avslort(verdier, linjer, {("t", 0, 0)})  # alone in its row: 6 − 5 = 1


def test_months_without_cases_are_listed_between_the_ends_of_the_period() -> None:
    assert maneder_i({"2025-02", "2025-04"}) == ["2025-02", "2025-03", "2025-04"]
    assert maneder_i({"2025-11"}, "2025-10", "2026-02") == [
        "2025-10",
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    assert (
        maneder_i(set(), "2026-01", "2026-12")[-1] == "2026-12"
        and len(maneder_i(set(), "2026-01", "2026-12")) == 12
    )
    assert maneder_i(set()) == []
    assert maneder_i({"1990-01", "2026-01"}) == ["1990-01", "2026-01"]  # 36 years: only the months with cases


def test_a_public_year_has_every_month_and_the_empty_ones_are_zero() -> None:
    stat = bygg(
        tellinger_of([("2026-03", "off_label", "HBE", "innvilget", 5, None)] * 4),
        prikk_sma=True,
        fra="2026-01",
        til="2026-12",
    )
    rows = stat.tabeller["maned_kategori"].rader
    assert [r.nokkel for r in rows] == [f"2026-{m:02d}" for m in range(1, 13)]
    assert [r.total for r in rows if r.nokkel != "2026-03"] == [0] * 11
