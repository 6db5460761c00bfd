"""Reader of the Norwegian ICD-10 code list, as FinnKode and the Directorate's data files give it.

Three shapes are read:
- FinnKode's code-list export (finnkode.ehelse.no, «Last ned» → Excel), and the same table as JSON, CSV
  or tab-separated text: one row per code, columns found by their header names (`Kode`, `Tekst uten
  lengdebegrensning`, `Gyldig fra`/`Gyldig til` or `Aktiv`, `Foreldrekode`, `Kjønn`, …; spelling variants
  and `_` for space are accepted, unknown columns ignored). Codes may carry the dot (`A00.0`); the
  chapter (`I`) and block (`A00-A09`) rows of the hierarchy are skipped;
- the JSON behind finnkode.helsedirektoratet.no: a list of objects with `codeValue` (no dot, `G360`),
  `nameNorwegian`, `active` and `isLeafNode`; `parentCode` and `gender` are read when present;
- the code register without a header row (`KODE<TAB>tekst`, UTF-8, no dot), the old KITH data files.
Where no parent is given, it is taken from the code itself.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from shared.platform.katalog.katalog import fold

SYSTEM: Final = "icd10"
OID: Final = "2.16.578.1.12.4.1.1.7110"
_KODE: Final = re.compile(r"[A-Z][0-9]{2}[0-9A-Z]{0,3}")
_HIERARKI: Final = re.compile(r"[IVXL]+|[A-Z][0-9]{2}-[A-Z][0-9]{2}")
"""Chapter (`XXII`) and block (`A00-A09`) rows of FinnKode's export: headings, not codes."""
_KJONN: Final = {"k": "K", "kvinne": "K", "f": "K", "female": "K", "m": "M", "mann": "M", "male": "M"}
_USANN: Final = frozenset({"false", "nei", "0", "n", "no", "", "inaktiv", "utgatt", "ugyldig"})
_XLSX_HEADER_ROWS: Final = 10
"""How far down a sheet the header row is looked for (an export may start with a title)."""


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
        return fold(value) not in _USANN
    return bool(value)


def _kjonn(value: Any) -> str | None:
    """`K`, `M` or None from the spellings seen (`K`, `Kvinne`, `Kun kvinner`, `Menn`, `female`)."""
    text = fold(str(value or ""))
    if text in _KJONN:
        return _KJONN[text]
    if "kvinn" in text or "female" in text:
        return "K"
    if "mann" in text or "menn" in text or "male" in text:
        return "M"
    return None


# --- FinnKode's export: a table found by its header names --------------------------------------------

_ALIASER: Final[dict[str, tuple[str, ...]]] = {
    "kode": ("kode", "code", "codevalue", "kodeverdi", "diagnosekode", "icd 10 kode", "icd10 kode"),
    # In order of preference: the full text first, the 60-character text as a last resort.
    "tekst": (
        "tekst uten lengdebegrensning",
        "tekst uten lengdebegrensing",
        "fulltekst",
        "kodetekst",
        "tekst",
        "namenorwegian",
        "norsk tekst",
        "betegnelse",
        "beskrivelse",
        "tekst med maksimalt 60 tegn",
        "tekst med maks 60 tegn",
    ),
    "aktiv": ("aktiv", "active", "gyldig"),
    "gyldig_fra": ("gyldig fra", "gyldig fom", "gyldig fra og med", "fra dato", "validfrom", "valid from"),
    "gyldig_til": ("gyldig til", "gyldig tom", "gyldig til og med", "til dato", "validto", "valid to"),
    "foreldre": ("foreldrekode", "overordnet kode", "overordnet", "foreldre", "parentcode", "parent"),
    "kjonn": ("kjonn", "kjoenn", "kjonnsspesifikk", "kjonnsspesifikk kode", "gender", "sex"),
}
_OVERSKRIFT: Final = {"kode": "Kode", "tekst": "Tekst uten lengdebegrensning"}
"""The header FinnKode gives a required column, named in the error when it is missing."""


def _norm(header: object) -> str:
    return fold(str(header or "").replace("_", " ").replace("-", " ")).strip(" :*")


@dataclass(frozen=True)
class _Kolonner:
    kode: int
    tekst: tuple[int, ...]
    aktiv: int | None
    gyldig_fra: int | None
    gyldig_til: int | None
    foreldre: int | None
    kjonn: int | None
    navn: tuple[str, ...]

    @classmethod
    def finn(cls, headers: Sequence[object], sted: str) -> _Kolonner:
        normert = [_norm(h) for h in headers]

        def index(alias: str) -> int | None:
            return normert.index(alias) if alias in normert else None

        def first(felt: str) -> int | None:
            return next((i for a in _ALIASER[felt] if (i := index(a)) is not None), None)

        navn = tuple(str(h).strip() for h in headers if str(h or "").strip())
        for felt in ("kode", "tekst"):
            if first(felt) is None:
                found = ", ".join(f"«{n[:60]}»" for n in navn[:15]) or "ingen"
                raise Icd10FormatFeil(
                    f"Fant ikke kolonnen «{_OVERSKRIFT[felt]}» i {sted} (kolonnene er: {found}). "
                    "Bruk eksporten fra FinnKode med overskriftsraden."
                )
        kode = first("kode")
        assert kode is not None
        return cls(
            kode=kode,
            tekst=tuple(i for a in _ALIASER["tekst"] if (i := index(a)) is not None),
            aktiv=first("aktiv"),
            gyldig_fra=first("gyldig_fra"),
            gyldig_til=first("gyldig_til"),
            foreldre=first("foreldre"),
            kjonn=first("kjonn"),
            navn=tuple(str(h or "").strip() for h in headers),
        )

    @staticmethod
    def er_overskrift(headers: Sequence[object]) -> bool:
        return any(_norm(h) in _ALIASER["kode"] for h in headers)


def _celle(row: Sequence[Any], index: int | None) -> Any:
    if index is None or index >= len(row):
        return None
    value = row[index]
    return value.strip() if isinstance(value, str) else value


def _dato(value: Any, plass: str, kolonne: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for parse in (
        lambda t: date.fromisoformat(t[:10]),
        lambda t: datetime.strptime(t[:10], "%d.%m.%Y").date(),
    ):
        try:
            return parse(text)
        except ValueError:
            continue
    raise Icd10FormatFeil(f"{plass}: «{text[:40]}» i kolonnen «{kolonne}» er ikke en dato.")


def _fra_tabell(
    kolonner: _Kolonner, rows: Iterable[tuple[int, Sequence[Any]]], idag: date, plassnavn: str
) -> list[Diagnosekode]:
    result = []
    for nr, row in rows:
        raw = _celle(row, kolonner.kode)
        if raw is None or str(raw).strip() == "":
            continue  # an empty row, as spreadsheets end with
        plass = f"{plassnavn} {nr}"
        if _HIERARKI.fullmatch(str(raw).strip().upper()):
            continue
        kode = _kode(raw, plass)
        tekst = next((str(t) for i in kolonner.tekst if (t := _celle(row, i)) not in (None, "")), "")
        if not tekst.strip():
            raise Icd10FormatFeil(
                f"{plass}: kode {kode} mangler tekst i kolonnen «{kolonner.navn[kolonner.tekst[0]]}»."
            )
        aktiv = True
        if kolonner.aktiv is not None and (flagg := _celle(row, kolonner.aktiv)) not in (None, ""):
            aktiv = _bool(flagg)
        if kolonner.gyldig_fra is not None:
            fra = _dato(_celle(row, kolonner.gyldig_fra), plass, kolonner.navn[kolonner.gyldig_fra])
            aktiv = aktiv and (fra is None or fra <= idag)
        if kolonner.gyldig_til is not None:
            til = _dato(_celle(row, kolonner.gyldig_til), plass, kolonner.navn[kolonner.gyldig_til])
            aktiv = aktiv and (til is None or til >= idag)
        parent = uten_punktum(str(_celle(row, kolonner.foreldre) or ""))
        result.append(
            Diagnosekode(
                kode=kode,
                tekst=tekst.strip(),
                aktiv=aktiv,
                # A three-character code's parent in FinnKode is its block (`A00-A09`), not a code.
                foreldre=parent if _KODE.fullmatch(parent) else _foreldre(kode),
                kjonn=_kjonn(_celle(row, kolonner.kjonn)),
            )
        )
    return result


def _fra_xlsx(data: bytes, idag: date) -> list[Diagnosekode]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise Icd10FormatFeil("Filen kunne ikke leses som et Excel-ark (.xlsx).") from exc
    try:
        for sheet in workbook.worksheets:
            rows: Iterator[tuple[Any, ...]] = sheet.iter_rows(values_only=True)
            # The explanation sheet of the Directorate's workbook has no header row: the next sheet is tried.
            for nr, row in enumerate(itertools.islice(rows, _XLSX_HEADER_ROWS), start=1):
                if _Kolonner.er_overskrift(row):
                    kolonner = _Kolonner.finn(row, f"arket «{sheet.title}»")
                    return _fra_tabell(kolonner, enumerate(rows, start=nr + 1), idag, "Rad")
        raise Icd10FormatFeil(
            f"Fant ikke kolonnen «{_OVERSKRIFT['kode']}» i noe arbeidsark i Excel-filen. "
            "Bruk eksporten fra FinnKode med overskriftsraden."
        )
    finally:
        workbook.close()


# --- the older shapes ------------------------------------------------------------------------------------


def _fra_json(data: Any, idag: date) -> list[Diagnosekode]:
    items = data.get("codes", data.get("children")) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise Icd10FormatFeil("JSON-filen er ikke en liste med koder fra FinnKode.")
    if items and isinstance(items[0], dict) and "codeValue" not in items[0]:
        # FinnKode's export as JSON (`Kode`, `Tekst_uten_lengdebegrensning`, …): the table by its keys.
        headers = list(dict.fromkeys(k for item in items if isinstance(item, dict) for k in item))
        kolonner = _Kolonner.finn(headers, "JSON-filen")
        rows = (
            (nr, [item.get(h) if isinstance(item, dict) else None for h in headers])
            for nr, item in enumerate(items, start=1)
        )
        return _fra_tabell(kolonner, rows, idag, "Kode nr.")
    result = []
    for nr, item in enumerate(items, start=1):
        if not isinstance(item, dict) or "codeValue" not in item:
            raise Icd10FormatFeil(f"Kode nr. {nr} mangler «codeValue».")
        kode = _kode(item["codeValue"], f"Kode nr. {nr}")
        tekst = str(item.get("nameNorwegian") or "").strip()
        if not tekst:
            raise Icd10FormatFeil(f"Kode {kode} mangler norsk tekst («nameNorwegian»).")
        parent = item.get("parentCode")
        result.append(
            Diagnosekode(
                kode=kode,
                tekst=tekst,
                aktiv=_bool(item.get("active", True)),
                foreldre=uten_punktum(str(parent)) if parent else _foreldre(kode),
                kjonn=_kjonn(item.get("gender")),
            )
        )
    return result


def _skilletegn(line: str) -> str | None:
    return next((d for d in ("\t", ";", ",") if d in line), None)


def _fra_tekst(text: str, idag: date) -> list[Diagnosekode]:
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return []
    skille = _skilletegn(lines[first])
    if skille is not None:
        fields = _split(lines[first], skille)
        if _Kolonner.er_overskrift(fields) or not _KODE.fullmatch(uten_punktum(fields[0])):
            # A header row: the columns by name, as in FinnKode's export (CSV or tab-separated).
            kolonner = _Kolonner.finn(fields, "overskriftsraden")
            rows = (
                (nr, _split(line, skille))
                for nr, line in enumerate(lines[first + 1 :], start=first + 2)
                if line.strip()
            )
            return _fra_tabell(kolonner, rows, idag, "Linje")
    # The code register without a header: code, then text, separated by a tab.
    result = []
    for nr, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        kode = _kode(fields[0], f"Linje {nr}")
        tekst = fields[1].strip() if len(fields) > 1 else ""
        if not tekst:
            raise Icd10FormatFeil(
                f"Linje {nr}: kode {kode} mangler tekst (kode og tekst skilles med tabulator)."
            )
        result.append(Diagnosekode(kode=kode, tekst=tekst, foreldre=_foreldre(kode)))
    return result


def _split(line: str, skille: str) -> list[str]:
    if skille == "\t":
        return line.split("\t")  # FinnKode's texts hold quotes and commas, never tabs: no quoting
    return next(csv.reader([line], delimiter=skille), [])


def les_icd10(data: bytes, *, idag: date | None = None) -> list[Diagnosekode]:
    """The codes of a FinnKode export (xlsx, JSON, CSV or tab-separated), FinnKode's API JSON or the code
    register; `idag` decides which codes are in force where the file gives validity dates. A code twice
    is refused, unless all but one of its rows are no longer in force (those are dropped)."""
    idag = idag or date.today()
    if data[:4] == b"PK\x03\x04":
        koder = _fra_xlsx(data, idag)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise Icd10FormatFeil("Filen er ikke UTF-8-tekst.") from exc
        if text.lstrip().startswith(("[", "{")):
            try:
                parsed = json.loads(text)
            except json.JSONDecodeError as exc:
                raise Icd10FormatFeil(f"Ugyldig JSON ved linje {exc.lineno}.") from exc
            koder = _fra_json(parsed, idag)
        else:
            koder = _fra_tekst(text, idag)
    if not koder:
        raise Icd10FormatFeil("Filen inneholder ingen ICD-10-koder.")
    return _uten_dubletter(koder)


def _uten_dubletter(koder: list[Diagnosekode]) -> list[Diagnosekode]:
    by_code: dict[str, Diagnosekode] = {}
    for d in koder:
        seen = by_code.get(d.kode)
        if seen is None:
            by_code[d.kode] = d
        elif seen.aktiv and d.aktiv:
            raise Icd10FormatFeil(f"Koden {d.kode} står mer enn én gang i filen.")
        elif d.aktiv or (not seen.aktiv and not d.aktiv):
            # An export with history lists a code's older rows too: the one in force wins, else the last.
            by_code[d.kode] = d
    return list(by_code.values())
