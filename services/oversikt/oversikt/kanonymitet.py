"""k-anonymity of the national case rows: no displayed row may single out a patient.

The quasi-identifiers of a single-patient case are age band × sex × ICD-10 code × trust × month sent.
A release (one search's whole result, every page of it) is generalised bottom-up along one ladder of
levels. At level 0 every case shows its own values; the cases whose displayed combination is shared
by fewer than `K` cases of the release move up a level (a wider age band, then the ICD-10 category,
the quarter, the chapter, the year, then age and sex hidden, then the diagnosis) and are grouped
again with the others that moved; whoever is still alone at the top is suppressed (not shown at
all). Cases that stayed below are never regrouped, so every displayed combination is shown by at
least `K` rows of the release, identical on all five fields: a reader who knows a patient's true
values finds at least `K` rows that fit them.

The trust is never generalised: each row shows its løpenummer (`HBE-2026-000042`), which names the
trust and the year, because a reader must know whom to ask. For the same reason the top level keeps
the year. Group cases (`gruppe`) describe no patient and are not part of this.

Each level's cells are unions of the cells of the level below, so a case's level depends only on the
cases in its own top cell: `generaliser_for` finds the levels of one page's rows by reading the cells
of the rows still undecided, one level at a time, instead of the whole release."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from oversikt.icd10 import kapittel, kapittel_label, kategori

K = 3
"""Fewest cases that may share a displayed combination."""

AlderNiva = Literal["gruppe", "bred", "skjult"]
IcdNiva = Literal["kode", "kategori", "kapittel", "skjult"]
PeriodeNiva = Literal["maned", "kvartal", "ar"]


@dataclass(frozen=True)
class Trinn:
    alder: AlderNiva
    kjonn: bool
    """Whether sex is shown at this level."""
    icd10: IcdNiva
    periode: PeriodeNiva


LADDER: tuple[Trinn, ...] = (
    Trinn("gruppe", True, "kode", "maned"),
    Trinn("bred", True, "kode", "maned"),
    Trinn("bred", True, "kategori", "maned"),
    Trinn("bred", True, "kategori", "kvartal"),
    Trinn("bred", True, "kapittel", "kvartal"),
    Trinn("bred", True, "kapittel", "ar"),
    Trinn("skjult", True, "kapittel", "ar"),
    Trinn("skjult", False, "kapittel", "ar"),
    Trinn("skjult", False, "skjult", "ar"),
)
TOPP = len(LADDER) - 1

BRED: dict[str, str] = {
    "0-5": "0-17", "6-12": "0-17", "13-17": "0-17",
    "18-29": "18-49", "30-49": "18-49",
    "50-66": "50+", "67-79": "50+", "80+": "50+",
}  # fmt: skip
"""The wide age band of each of the summary's age bands (`shared.domain.identifiers.AGE_BANDS`)."""

BRED_BAND: dict[str, tuple[str, ...]] = {
    wide: tuple(band for band, w in BRED.items() if w == wide) for wide in dict.fromkeys(BRED.values())
}


@dataclass(frozen=True)
class Kvasi:
    """A single-patient case's quasi-identifiers as stored."""

    aldersgruppe: str | None
    kjonn: str | None
    icd10_kode: str
    hf: str
    maned: str
    """Month sent, `YYYY-MM`."""


@dataclass(frozen=True)
class Visning:
    """The quasi-identifiers as a row shows them; `None` is «not shown» (hidden or unknown)."""

    niva: int
    aldersgruppe: str | None
    kjonn: str | None
    icd10: str | None
    hf: str
    periode: str

    @property
    def generalisert(self) -> bool:
        return self.niva > 0


def kvartal(maned: str) -> str:
    year, month = maned[:4], int(maned[5:7])
    return f"{year}-K{(month - 1) // 3 + 1}"


def kvartal_maneder(kvartal_: str) -> tuple[str, ...]:
    year, q = kvartal_[:4], int(kvartal_[-1])
    return tuple(f"{year}-{m:02d}" for m in range(3 * q - 2, 3 * q + 1))


def noekkel(niva: int, q: Kvasi) -> tuple[str | None, ...]:
    """The combination a case shows at `niva` (two cases share a cell when their keys are equal)."""
    t = LADDER[niva]
    alder = q.aldersgruppe if t.alder == "gruppe" else (
        BRED.get(q.aldersgruppe or "", q.aldersgruppe) if t.alder == "bred" else "*"
    )  # fmt: skip
    icd = {"kode": q.icd10_kode, "kategori": kategori(q.icd10_kode), "kapittel": kapittel(q.icd10_kode)}.get(
        t.icd10, "*"
    )  # fmt: skip
    periode = (
        q.maned if t.periode == "maned" else (kvartal(q.maned) if t.periode == "kvartal" else q.maned[:4])
    )
    return (t.icd10, alder, q.kjonn if t.kjonn else "*", icd, q.hf, periode)


def vis(niva: int, q: Kvasi) -> Visning:
    t = LADDER[niva]
    _, alder, kjonn, icd, _, periode = noekkel(niva, q)
    return Visning(
        niva=niva,
        aldersgruppe=None if t.alder == "skjult" else alder,
        kjonn=kjonn if t.kjonn else None,
        icd10=None
        if t.icd10 == "skjult"
        else (str(icd) if t.icd10 != "kapittel" else kapittel_label(str(icd))),
        hf=q.hf,
        periode=str(periode),
    )


HOLDT_TILBAKE = TOPP + 1
"""The level of a case looked up by its løpenummer that no list may show: every quasi-identifier hidden."""


def holdt_tilbake(q: Kvasi) -> Visning:
    """How a withheld case shows when asked for by its løpenummer: the trust and year (which the løpenummer
    names anyway), nothing else of the five."""
    return Visning(
        niva=HOLDT_TILBAKE, aldersgruppe=None, kjonn=None, icd10=None, hf=q.hf, periode=q.maned[:4]
    )


def generaliser(grupper: Mapping[Kvasi, int], k: int = K, *, til: int = TOPP) -> dict[Kvasi, int | None]:
    """The level each combination is shown at (None: not settled by level `til`; at the top: suppressed).

    `grupper` counts the release's cases per combination of true values; the answer for a combination
    is exact as long as `grupper` holds every combination of its cell at level `til`."""
    niva_av: dict[Kvasi, int | None] = {}
    aktive = {q: n for q, n in grupper.items() if n > 0}
    for niva in range(til + 1):
        celler: dict[tuple[str | None, ...], int] = defaultdict(int)
        for q, n in aktive.items():
            celler[noekkel(niva, q)] += n
        videre: dict[Kvasi, int] = {}
        for q, n in aktive.items():
            if celler[noekkel(niva, q)] >= k:
                niva_av[q] = niva
            else:
                videre[q] = n
        aktive = videre
    for q in aktive:
        niva_av[q] = None
    return niva_av


LESENIVAER = (0, 3, 5, TOPP)
"""The levels whose cells `generaliser_for` reads: a read at a level settles every level below it, so
four reads (not nine) settle a page, small cells first."""

Hent = Callable[[int, list[Kvasi]], Awaitable[Mapping[Kvasi, int]]]
"""Reads the release's counts per combination in the cells (at a level) of the given cases."""


async def generaliser_for(kvasier: Iterable[Kvasi], hent: Hent, k: int = K) -> dict[Kvasi, Visning | None]:
    """How the given cases are shown in a release, reading only the cells they need (None: suppressed)."""
    uavklart = set(kvasier)
    svar: dict[Kvasi, Visning | None] = {}
    for niva in LESENIVAER:
        if not uavklart:
            break
        # One representative per cell is enough to name it.
        celler = {noekkel(niva, q): q for q in uavklart}
        niva_av = generaliser(await hent(niva, list(celler.values())), k, til=niva)
        for q in list(uavklart):
            settled = niva_av.get(q)
            if settled is not None:
                svar[q] = vis(settled, q)
                uavklart.discard(q)
    for q in uavklart:
        svar[q] = None
    return svar


def i_celle(niva: int, celle: Kvasi, q: Kvasi) -> bool:
    """Whether `q` lies in the cell `celle` names at `niva` (what a store's query must match)."""
    return noekkel(niva, q) == noekkel(niva, celle)
