"""Reader of the Norwegian ICD-10 code list, as FinnKode and the Directorate's data files give it.

Two shapes are read:
- FinnKode's JSON (the answers behind finnkode.helsedirektoratet.no): a list of objects with `codeValue`
  (no dot, `G360`), `nameNorwegian`, `active` and `isLeafNode`; `parentCode` and `gender` are read when
  present, otherwise the parent is taken from the code itself;
- the tab-separated code register (`KODE<TAB>tekst`, UTF-8, no dot), the format of the ICD-10 data files.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Final

SYSTEM: Final = "icd10"
OID: Final = "2.16.578.1.12.4.1.1.7110"
_KODE: Final = re.compile(r"[A-Z][0-9]{2}[0-9A-Z]{0,3}")
_KJONN: Final = {"k": "K", "kvinne": "K", "f": "K", "female": "K", "m": "M", "mann": "M", "male": "M"}


class Icd10FormatFeil(ValueError):
    """The file is not a usable ICD-10 code list; the message is Norwegian, for the admin."""


@dataclass(frozen=True)
class Diagnosekode:
    kode: str
    """Without dot, as the data files have it (`G360`)."""
    tekst: str
    aktiv: bool = True
    foreldre: str | None = None
    kjonn: str | None = None
    """`K` or `M` for codes used for one sex only."""

    @property
    def kode_med_punktum(self) -> str:
        return med_punktum(self.kode)


def uten_punktum(kode: str) -> str:
    return kode.strip().upper().replace(".", "")


def med_punktum(kode: str) -> str:
    kode = uten_punktum(kode)
    return f"{kode[:3]}.{kode[3:]}" if len(kode) > 3 else kode


def _foreldre(kode: str) -> str | None:
    return kode[:3] if len(kode) > 3 else None


def _kode(raw: object, plass: str) -> str:
    kode = uten_punktum(str(raw or ""))
    if not _KODE.fullmatch(kode):
        raise Icd10FormatFeil(f"{plass}: «{raw}» er ikke en ICD-10-kode.")
    return kode


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("false", "nei", "0", "n", "")
    return bool(value)


def _fra_json(data: Any) -> list[Diagnosekode]:
    items = data.get("codes", data.get("children")) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise Icd10FormatFeil("JSON-filen er ikke en liste med koder fra FinnKode.")
    result = []
    for nr, item in enumerate(items, start=1):
        if not isinstance(item, dict) or "codeValue" not in item:
            raise Icd10FormatFeil(f"Kode nr. {nr} mangler «codeValue».")
        kode = _kode(item["codeValue"], f"Kode nr. {nr}")
        tekst = str(item.get("nameNorwegian") or "").strip()
        if not tekst:
            raise Icd10FormatFeil(f"Kode {kode} mangler norsk tekst («nameNorwegian»).")
        parent = item.get("parentCode")
        kjonn = _KJONN.get(str(item.get("gender") or "").strip().lower())
        result.append(
            Diagnosekode(
                kode=kode,
                tekst=tekst,
                aktiv=_bool(item.get("active", True)),
                foreldre=uten_punktum(str(parent)) if parent else _foreldre(kode),
                kjonn=kjonn,
            )
        )
    return result


def _fra_tekst(text: str) -> list[Diagnosekode]:
    result = []
    for nr, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        kode_raw, _, tekst = line.partition("\t")
        if nr == 1 and "\t" in line and not _KODE.fullmatch(uten_punktum(kode_raw)):
            continue  # a header line
        kode = _kode(kode_raw, f"Linje {nr}")
        if not tekst.strip():
            raise Icd10FormatFeil(
                f"Linje {nr}: kode {kode} mangler tekst (kode og tekst skilles med tabulator)."
            )
        result.append(Diagnosekode(kode=kode, tekst=tekst.strip(), foreldre=_foreldre(kode)))
    return result


def les_icd10(data: bytes) -> list[Diagnosekode]:
    """The codes of a FinnKode JSON export or a tab-separated code register; duplicates are refused."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Icd10FormatFeil("Filen er ikke UTF-8-tekst.") from exc
    if text.lstrip().startswith(("[", "{")):
        try:
            koder = _fra_json(json.loads(text))
        except json.JSONDecodeError as exc:
            raise Icd10FormatFeil(f"Ugyldig JSON ved linje {exc.lineno}.") from exc
    else:
        koder = _fra_tekst(text)
    if not koder:
        raise Icd10FormatFeil("Filen inneholder ingen ICD-10-koder.")
    seen: set[str] = set()
    for d in koder:
        if d.kode in seen:
            raise Icd10FormatFeil(f"Koden {d.kode} står mer enn én gang i filen.")
        seen.add(d.kode)
    return koder
