"""The in-memory look-up index the application forms search: drugs (FEST) and diagnosis codes (ICD-10).

Built from the active generation of the stored catalogue after each successful import; the database is
the truth, this is what makes a search answer in well under a millisecond per thousand entries. An index
is immutable: a new import builds a new one and swaps the reference, so a search never sees half of
each."""

from __future__ import annotations

import bisect
import heapq
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Final

from shared.platform.katalog.katalog import fold

_CODE_LIKE: Final = re.compile(r"[A-Za-z][0-9]{1,2}(\.?[0-9A-Za-z]{0,3})?")
_CONTROL: Final = re.compile(r"[\x00-\x1f]")
"""Never part of a search: the index's own separators are control characters."""
_MARKEDSSTATUS_RANG: Final = {
    "markedsfort": 0,
    "midlertidig_utgatt": 1,
    "ikke_markedsfort": 2,
    "ingen_pakning": 2,
}


@dataclass(frozen=True)
class LegemiddelOppslag:
    fest_id: str
    navn: str
    navn_form_styrke: str
    virkestoff: str
    atc: str
    legemiddelform: str
    styrke: str
    krever_godkjenningsfritak: bool
    smpc_url: str | None
    sokeord: tuple[str, ...] = ()
    """More words it is found by (the substance's English name)."""
    markedsstatus: str = "markedsfort"
    borte: bool = False
    """No longer in FEST's full extract: found by id (old applications name it), never by search."""


@dataclass(frozen=True)
class DiagnoseOppslag:
    kode: str
    """With dot, as people write it (`G36.0`)."""
    tekst: str
    system: str = "icd10"
    versjon: str = ""
    aktiv: bool = True
    foreldre: str | None = None
    kjonn: str | None = None
    borte: bool = False

    @property
    def kode_uten_punktum(self) -> str:
        return self.kode.replace(".", "")


@dataclass(frozen=True)
class _Drug:
    item: LegemiddelOppslag
    atc: str
    navn: tuple[str, ...]
    stoff: tuple[str, ...]
    rest: tuple[str, ...]
    status: int


@dataclass(frozen=True)
class _Code:
    item: DiagnoseOppslag
    kode: str
    tekst: str


class _Text:
    """The searchable texts of all entries in one string: `str.find` scans it at C speed and jumps
    straight from one entry that contains the text to the next."""

    def __init__(self, texts: list[str]):
        self.starts: list[int] = []
        offset = 0
        for text in texts:
            self.starts.append(offset)
            offset += len(text) + 1
        self.text = "\x01".join(texts)

    def containing(self, needle: str) -> Iterator[int]:
        """Positions of the entries containing `needle`, in order."""
        found = self.text.find(needle)
        while found != -1:
            position = bisect.bisect_right(self.starts, found) - 1
            yield position
            following = position + 1
            if following >= len(self.starts):
                return
            found = self.text.find(needle, self.starts[following])


def _prefix_range(keys: list[tuple[str, int]], needle: str) -> Iterator[int]:
    """Positions whose key starts with `needle`, from a sorted list of (key, position)."""
    start = bisect.bisect_left(keys, (needle, -1))
    for key, position in itertools.islice(keys, start, None):
        if not key.startswith(needle):
            return
        yield position


def _grouped(values: Iterable[tuple[Iterable[str], int]]) -> dict[str, list[int]]:
    groups: dict[str, set[int]] = {}
    for keys, position in values:
        for key in keys:
            if key:
                groups.setdefault(key, set()).add(position)
    return {key: sorted(positions) for key, positions in groups.items()}


def _sorted_keys(values: Iterable[tuple[Iterable[str], int]]) -> list[tuple[str, int]]:
    return sorted({(key, position) for keys, position in values for key in keys if key})


@dataclass(frozen=True)
class Katalog:
    legemidler: tuple[LegemiddelOppslag, ...] = ()
    diagnoser: tuple[DiagnoseOppslag, ...] = ()
    versjon: str = "0"
    """Changes with every import: what the look-ups' ETag is built from."""
    _drugs: tuple[_Drug, ...] = field(default=(), repr=False, compare=False)
    """In the order ties are broken in: marketed first, then by name."""
    _codes: tuple[_Code, ...] = field(default=(), repr=False, compare=False)
    _atc_keys: list[tuple[str, int]] = field(default_factory=list, repr=False, compare=False)
    _name_keys: list[tuple[str, int]] = field(default_factory=list, repr=False, compare=False)
    _stoff_keys: list[tuple[str, int]] = field(default_factory=list, repr=False, compare=False)
    _code_keys: list[str] = field(default_factory=list, repr=False, compare=False)
    _drug_texts: tuple[_Text, ...] = field(default=(), repr=False, compare=False)
    """Names and substances: one text per tier of contained hits."""
    _drug_rest: dict[str, list[int]] = field(default_factory=dict, repr=False, compare=False)
    """Form, strength and ATC code → positions: a few thousand distinct values for 9,000 brands."""
    _code_text: _Text | None = field(default=None, repr=False, compare=False)
    _drug_by_id: dict[str, LegemiddelOppslag] = field(default_factory=dict, repr=False, compare=False)
    _code_by_kode: dict[str, DiagnoseOppslag] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def bygg(
        cls,
        legemidler: Iterable[LegemiddelOppslag],
        diagnoser: Iterable[DiagnoseOppslag],
        *,
        versjon: str = "0",
    ) -> Katalog:
        drugs = sorted(legemidler, key=lambda lm: (fold(lm.navn_form_styrke), lm.fest_id))
        codes = sorted(diagnoser, key=lambda d: d.kode_uten_punktum)
        indexed_drugs = []
        for lm in drugs:
            if lm.borte:
                continue
            navn = (fold(lm.navn), fold(lm.navn_form_styrke))
            stoff = (fold(lm.virkestoff), *(fold(s) for s in lm.sokeord))
            rest = (fold(lm.legemiddelform), fold(lm.styrke))
            atc = fold(lm.atc)
            indexed_drugs.append(
                _Drug(
                    item=lm,
                    atc=atc,
                    navn=navn,
                    stoff=stoff,
                    rest=(atc, *rest),
                    status=_MARKEDSSTATUS_RANG.get(lm.markedsstatus, 3),
                )
            )
        indexed_drugs.sort(key=lambda d: d.status)  # stable: by name within each status
        indexed_codes = tuple(
            _Code(item=d, kode=d.kode_uten_punktum.upper(), tekst=fold(d.tekst))
            for d in codes
            if d.aktiv and not d.borte
        )
        return cls(
            legemidler=tuple(lm for lm in drugs if not lm.borte),
            diagnoser=tuple(c.item for c in indexed_codes),
            versjon=versjon,
            _drugs=tuple(indexed_drugs),
            _codes=indexed_codes,
            _atc_keys=_sorted_keys(((d.atc,), i) for i, d in enumerate(indexed_drugs)),
            _name_keys=_sorted_keys((d.navn, i) for i, d in enumerate(indexed_drugs)),
            _stoff_keys=_sorted_keys((d.stoff, i) for i, d in enumerate(indexed_drugs)),
            _code_keys=[c.kode for c in indexed_codes],
            _drug_texts=(
                _Text(["\x02".join(d.navn) for d in indexed_drugs]),
                _Text(["\x02".join(d.stoff) for d in indexed_drugs]),
            ),
            _drug_rest=_grouped((d.rest, i) for i, d in enumerate(indexed_drugs)),
            _code_text=_Text([c.tekst for c in indexed_codes]),
            _drug_by_id={lm.fest_id.casefold(): lm for lm in drugs},
            _code_by_kode={d.kode_uten_punktum.upper(): d for d in codes},
        )

    def sok_legemidler(self, q: str, *, limit: int) -> list[LegemiddelOppslag]:
        """Ranked: exact ATC, ATC prefix, name prefix, substance prefix (each found by bisection in a
        sorted key list), then name, substance and anything else containing the text (one scan, which
        stops as soon as the best of those tiers is full). Ties: marketed first, then by name."""
        needle = _CONTROL.sub("", fold(q))
        if not needle:
            return list(self.legemidler[:limit])
        taken: list[int] = []
        seen: set[int] = set()
        tiers: tuple[Iterable[int], ...] = (
            (p for p in _prefix_range(self._atc_keys, needle) if self._drugs[p].atc == needle),
            _prefix_range(self._atc_keys, needle),
            _prefix_range(self._name_keys, needle),
            _prefix_range(self._stoff_keys, needle),
        )
        for tier in tiers:
            for position in heapq.nsmallest(limit - len(taken), set(tier) - seen):
                seen.add(position)
                taken.append(position)
            if len(taken) >= limit:
                return [self._drugs[p].item for p in taken]
        rest = heapq.merge(*(positions for value, positions in self._drug_rest.items() if needle in value))
        for tier in (*(text.containing(needle) for text in self._drug_texts), rest):
            for position in tier:
                if position not in seen:
                    seen.add(position)
                    taken.append(position)
                    if len(taken) >= limit:
                        return [self._drugs[p].item for p in taken]
        return [self._drugs[p].item for p in taken]

    def legemiddel(self, fest_id: str) -> LegemiddelOppslag | None:
        return self._drug_by_id.get(fest_id.strip().casefold())

    def sok_diagnoser(self, q: str, *, limit: int) -> list[DiagnoseOppslag]:
        needle = q.strip()
        if not needle:
            return list(self.diagnoser[:limit])
        if _CODE_LIKE.fullmatch(needle):
            # Codes are written with or without the dot (data files use `G360`, people `G36.0`).
            code = needle.upper().replace(".", "")
            start = bisect.bisect_left(self._code_keys, code)
            found = []
            for c in itertools.islice(self._codes, start, start + limit):
                if not c.kode.startswith(code):
                    break
                found.append(c.item)
            return found
        words = _CONTROL.sub("", fold(needle)).split()
        if not words:
            return []
        first, rest = words[0], words[1:]
        starts: list[int] = []
        word_start: list[int] = []
        contains: list[int] = []
        assert self._code_text is not None
        for i in self._code_text.containing(first):
            c = self._codes[i]
            if rest and not all(w in c.tekst for w in rest):
                continue
            if c.tekst.startswith(first):
                starts.append(i)
                if len(starts) >= limit:
                    break
            elif f" {first}" in c.tekst:
                word_start.append(i)
            else:
                contains.append(i)
        return [self._codes[i].item for i in (starts + word_start + contains)[:limit]]

    def diagnose(self, kode: str) -> DiagnoseOppslag | None:
        return self._code_by_kode.get(kode.strip().upper().replace(".", ""))
