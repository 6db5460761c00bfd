"""The drug (FEST) and diagnosis (ICD-10) look-up catalogue the application forms search in."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_PATH = Path(__file__).parent / "data" / "katalog.json"
_CODE_LIKE = re.compile(r"[A-Za-z][0-9]{1,2}\.?[0-9]*")


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

    def _fields(self) -> tuple[str, ...]:
        return (
            self.navn,
            self.navn_form_styrke,
            self.virkestoff,
            self.atc,
            self.legemiddelform,
            *self.sokeord,
        )


@dataclass(frozen=True)
class DiagnoseOppslag:
    kode: str
    tekst: str
    system: str = "icd10"

    @property
    def kode_uten_punktum(self) -> str:
        return self.kode.replace(".", "")


def _rank(fields: tuple[str, ...], q: str) -> int | None:
    """0 when a field starts with the query, 1 when it contains it, None when nothing matches."""
    folded = [f.casefold() for f in fields]
    if any(f.startswith(q) for f in folded):
        return 0
    if any(q in f for f in folded):
        return 1
    return None


@dataclass(frozen=True)
class Katalog:
    legemidler: tuple[LegemiddelOppslag, ...]
    diagnoser: tuple[DiagnoseOppslag, ...]

    @classmethod
    def load(cls, path: Path = DEFAULT_PATH) -> Katalog:
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            legemidler=tuple(
                LegemiddelOppslag(**{**item, "sokeord": tuple(item.get("sokeord", ()))})
                for item in raw["legemidler"]
            ),
            diagnoser=tuple(DiagnoseOppslag(**item) for item in raw["diagnoser"]),
        )

    def sok_legemidler(self, q: str, *, limit: int) -> list[LegemiddelOppslag]:
        needle = q.strip().casefold()
        if not needle:
            return list(self.legemidler[:limit])
        ranked = [
            (rank, i)
            for i, lm in enumerate(self.legemidler)
            if (rank := _rank(lm._fields(), needle)) is not None
        ]
        return [self.legemidler[i] for _, i in sorted(ranked)[:limit]]

    def legemiddel(self, fest_id: str) -> LegemiddelOppslag | None:
        return next((lm for lm in self.legemidler if lm.fest_id.casefold() == fest_id.casefold()), None)

    def sok_diagnoser(self, q: str, *, limit: int) -> list[DiagnoseOppslag]:
        needle = q.strip()
        if not needle:
            return list(self.diagnoser[:limit])
        if _CODE_LIKE.fullmatch(needle):
            # Codes are written with or without the dot (data files use `G360`, people `G36.0`).
            code = needle.upper().replace(".", "")
            return [d for d in self.diagnoser if d.kode_uten_punktum.startswith(code)][:limit]
        folded = needle.casefold()
        ranked = [
            (rank, i) for i, d in enumerate(self.diagnoser) if (rank := _rank((d.tekst,), folded)) is not None
        ]
        return [self.diagnoser[i] for _, i in sorted(ranked)[:limit]]

    def diagnose(self, kode: str) -> DiagnoseOppslag | None:
        wanted = kode.strip().upper().replace(".", "")
        return next((d for d in self.diagnoser if d.kode_uten_punktum == wanted), None)
