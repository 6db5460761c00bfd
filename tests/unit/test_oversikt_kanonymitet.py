"""k-anonymity of the national case rows: no displayed combination of age band × sex × ICD-10 code ×
trust × month is shown by fewer than 3 rows, on any generated data; reading cell by cell gives the
same answer as generalising the whole release."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping

from hypothesis import given, settings
from hypothesis import strategies as st

from oversikt.kanonymitet import TOPP, K, Kvasi, generaliser, generaliser_for, i_celle, kvartal, vis

AGES = ["0-5", "6-12", "13-17", "18-29", "30-49", "50-66", "67-79", "80+", None]
CODES = ["G35", "G36.0", "G36.1", "G70.0", "M33.1", "M33.2", "M32.1", "N04.2", "C53.9", "D69.3"]
MONTHS = [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)]

kvasi = st.builds(
    Kvasi,
    aldersgruppe=st.sampled_from(AGES),
    kjonn=st.sampled_from(["mann", "kvinne", None]),
    icd10_kode=st.sampled_from(CODES),
    hf=st.sampled_from(["HBE", "OUS", "UNN"]),
    maned=st.sampled_from(MONTHS),
)
cases = st.lists(kvasi, min_size=0, max_size=300)


def release(rows: list[Kvasi]) -> dict[Kvasi, int]:
    return dict(Counter(rows))


@settings(max_examples=300, deadline=None)
@given(cases)
def test_no_displayed_row_is_shared_by_fewer_than_k_rows(rows: list[Kvasi]) -> None:
    levels = generaliser(release(rows))
    shown = [vis(niva, q) for q in rows if (niva := levels[q]) is not None]
    counts = Counter((v.aldersgruppe, v.kjonn, v.icd10, v.hf, v.periode) for v in shown)
    assert all(n >= K for n in counts.values()), counts


@settings(max_examples=200, deadline=None)
@given(cases)
def test_every_row_is_shown_or_suppressed_and_levels_only_widen(rows: list[Kvasi]) -> None:
    levels = generaliser(release(rows))
    assert set(levels) == set(rows)
    for q, niva in levels.items():
        if niva is not None:
            assert 0 <= niva <= TOPP
            assert vis(niva, q).hf == q.hf  # the løpenummer names the trust: never generalised


@settings(max_examples=150, deadline=None)
@given(cases, st.data())
def test_reading_cell_by_cell_gives_the_whole_release_answer(rows: list[Kvasi], data: st.DataObject) -> None:
    whole = release(rows)
    expected = generaliser(whole)
    page = data.draw(st.lists(st.sampled_from(rows), max_size=20)) if rows else []

    async def hent(niva: int, celler: list[Kvasi]) -> Mapping[Kvasi, int]:
        return {q: n for q, n in whole.items() if any(i_celle(niva, c, q) for c in celler)}

    got = asyncio.run(generaliser_for(page, hent))
    for q in page:
        niva = expected[q]
        assert got[q] == (None if niva is None else vis(niva, q))


def test_three_alike_are_shown_as_they_are() -> None:
    q = Kvasi("30-49", "kvinne", "G35", "HBE", "2026-03")
    assert generaliser({q: 3}) == {q: 0}
    v = vis(0, q)
    assert (v.aldersgruppe, v.kjonn, v.icd10, v.periode) == ("30-49", "kvinne", "G35", "2026-03")


def test_a_lone_case_is_widened_until_it_has_company() -> None:
    alone = Kvasi("30-49", "kvinne", "G36.1", "HBE", "2026-02")
    others = {Kvasi("18-29", "kvinne", "G36.0", "HBE", "2026-03"): 2}
    levels = generaliser({alone: 1, **others})
    # A wider age band (18-49) and the category G36 are not enough (the months differ): they meet at the
    # quarter, all three at the same level.
    assert levels[alone] == 3 and all(levels[q] == 3 for q in others)
    v = vis(3, alone)
    assert (v.aldersgruppe, v.icd10, v.periode) == ("18-49", "G36", kvartal("2026-02"))


def test_a_case_alone_even_at_the_top_is_suppressed() -> None:
    alone = Kvasi("80+", "mann", "C53.9", "UNN", "2025-05")
    assert generaliser({alone: 1, Kvasi("80+", "mann", "C53.9", "HBE", "2025-05"): 5})[alone] is None
