"""Small-cell suppression of the public statistics: on any generated tables (with margins, and regions
over trusts), no published cell and no «total minus published parts» is a count of 1 or 2."""

from __future__ import annotations

from collections.abc import Hashable

from hypothesis import given, settings
from hypothesis import strategies as st

from oversikt.prikking import GRENSE, Linje, avslort, prikk, tabell_linjer
from oversikt.statistikk import bygg
from oversikt.store import TID_INTERVALLER, Tellinger, Tider

small = st.integers(min_value=0, max_value=7)


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


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.tuples(
            st.sampled_from(["2026-01", "2026-02", "2026-03"]),
            st.sampled_from(["off_label", "unntaksordningen"]),
        ),
        small,
    ),
    st.dictionaries(
        st.tuples(
            st.sampled_from(["HBE", "SUS", "OUS", "AHUS", "UNN"]), st.sampled_from(["innvilget", "avslatt"])
        ),
        small,
    ),
)
def test_the_public_tables_together_give_no_small_count_away(
    maned_kategori: dict[tuple[str, str], int], hf_resultat: dict[tuple[str, str], int]
) -> None:
    # The same cases counted three ways (month × scheme, month × outcome, trust × outcome): build
    # consistent counts by giving every case a month, scheme, trust and outcome.
    cases = []
    hf_cases = [k for k, n in sorted(hf_resultat.items()) for _ in range(n)]
    month_cases = [k for k, n in sorted(maned_kategori.items()) for _ in range(n)]
    for i in range(min(len(hf_cases), len(month_cases))):
        cases.append((*month_cases[i], *hf_cases[i]))
    tellinger = Tellinger(
        maned_kategori=_count((m, k) for m, k, _, _ in cases),
        maned_resultat=_count((m, r) for m, _, _, r in cases),
        hf_resultat=_count((hf, r) for _, _, hf, r in cases),
        tider_hf={},
        tider_rhf={},
        tider_alle=Tider(0, None, None, None),
        tid_intervall={label: i % 4 for i, (label, _, _) in enumerate(TID_INTERVALLER)},
        oppfolging={("rituksimab", "G35", "god"): 2, ("rituksimab", "G35", "ingen"): 4},
    )
    stat = bygg(tellinger, prikk_sma=True)
    for tabell in stat.tabeller.values():
        for rad in [*tabell.rader, *([tabell.total] if tabell.total else [])]:
            assert all(v is None or not 0 < v < GRENSE for v in [*rad.verdier, rad.total])
            published = [v for v in rad.verdier if v is not None]
            if rad.total is not None and len(rad.verdier) > 1:
                assert not 0 < rad.total - sum(published) < GRENSE


def _count(keys: object) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for k in keys:  # type: ignore[attr-defined]
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
