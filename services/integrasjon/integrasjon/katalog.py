"""The in-memory look-up index the application forms search: drugs (FEST) and diagnosis codes (ICD-10).

Built from the active generation of the stored catalogue after each successful import; the database is
the truth, this is what makes a search answer in well under a millisecond per thousand entries. An index
is immutable: a new import builds a new one and swaps the reference, so a search never sees half of
each."""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from shared.platform.katalog.katalog import fold

_CODE_LIKE: Final = re.compile(r"[A-Za-z][0-9]{1,2}(\.?[0-9A-Za-z]{0,3})?")
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
    haystack: str
    status: int


@dataclass(frozen=True)
class _Code:
    item: DiagnoseOppslag
    kode: str
    tekst: str


def _drug_rank(d: _Drug, needle: str) -> int:
    """0 exact ATC, 1 ATC prefix, 2 name prefix, 3 substance prefix, 4 name contains, 5 substance
    contains, 6 anything else (form, strength)."""
    if d.atc == needle:
        return 0
    if d.atc.startswith(needle):
        return 1
    if any(n.startswith(needle) for n in d.navn):
        return 2
    if any(s.startswith(needle) for s in d.stoff):
        return 3
    if any(needle in n for n in d.navn):
        return 4
    if any(needle in s for s in d.stoff):
        return 5
    return 6


@dataclass(frozen=True)
class Katalog:
    legemidler: tuple[LegemiddelOppslag, ...] = ()
    diagnoser: tuple[DiagnoseOppslag, ...] = ()
    versjon: str = "0"
    """Changes with every import: what the look-ups' ETag is built from."""
    _drugs: tuple[_Drug, ...] = field(default=(), repr=False, compare=False)
    _codes: tuple[_Code, ...] = field(default=(), repr=False, compare=False)
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
                    haystack="\x00".join((atc, *navn, *stoff, *rest)),
                    status=_MARKEDSSTATUS_RANG.get(lm.markedsstatus, 3),
                )
            )
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
            _drug_by_id={lm.fest_id.casefold(): lm for lm in drugs},
            _code_by_kode={d.kode_uten_punktum.upper(): d for d in codes},
        )

    def sok_legemidler(self, q: str, *, limit: int) -> list[LegemiddelOppslag]:
        needle = fold(q)
        if not needle:
            return list(self.legemidler[:limit])
        # One substring scan of a pre-folded text per entry filters; only the hits are ranked.
        hits = (
            (_drug_rank(d, needle), d.status, i) for i, d in enumerate(self._drugs) if needle in d.haystack
        )
        return [self._drugs[i].item for _, _, i in heapq.nsmallest(limit, hits)]

    def legemiddel(self, fest_id: str) -> LegemiddelOppslag | None:
        return self._drug_by_id.get(fest_id.strip().casefold())

    def sok_diagnoser(self, q: str, *, limit: int) -> list[DiagnoseOppslag]:
        needle = q.strip()
        if not needle:
            return list(self.diagnoser[:limit])
        if _CODE_LIKE.fullmatch(needle):
            # Codes are written with or without the dot (data files use `G360`, people `G36.0`).
            code = needle.upper().replace(".", "")
            return [c.item for c in self._codes if c.kode.startswith(code)][:limit]
        words = fold(needle).split()
        hits = (
            (0 if c.tekst.startswith(words[0]) else 1 if f" {words[0]}" in f" {c.tekst}" else 2, i)
            for i, c in enumerate(self._codes)
            if all(w in c.tekst for w in words)
        )
        return [self._codes[i].item for _, i in heapq.nsmallest(limit, hits)]

    def diagnose(self, kode: str) -> DiagnoseOppslag | None:
        return self._code_by_kode.get(kode.strip().upper().replace(".", ""))
