"""Reading an uploaded file: CSV (UTF-8) or XLSX, its headings checked, its rows as text by column key.

The headings are checked when the file is opened, so a wrong file is refused at once; the rows are read
lazily, so a large file is never held as Python objects all at once."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal
from zipfile import BadZipFile

from openpyxl import load_workbook

from soknad.etterregistrering.kolonner import BY_HEADING, KOLONNER, fold

MAX_FIL_BYTES = 50_000_000
MAX_RADER = 200_000
TILLATTE_ENDELSER = frozenset({"csv", "txt", "xlsx", ""})
MAX_CELLE = 1000
"""Longer cell text is cut before checking (no column accepts more): a broken file cannot flood memory."""

OLE2 = b"\xd0\xcf\x11\xe0"
"""How an old Excel file (.xls, a compound file) begins."""
GAMMEL_EXCEL = (
    "Filen er i det gamle Excel-formatet (.xls). Lagre den som .xlsx eller som CSV (UTF-8): "
    "i Excel, velg «Lagre som» og «Excel-arbeidsbok (*.xlsx)» eller «CSV UTF-8»."
)

Rad = tuple[int, dict[str, str]]
"""(row number as the spreadsheet shows it, headings being row 1; text by column key)."""


class FilFeil(Exception):
    """The file as a whole cannot be read; `meldinger` say why, in Norwegian."""

    def __init__(self, *meldinger: str):
        super().__init__(" ".join(meldinger))
        self.meldinger = list(meldinger)


@dataclass
class Tabell:
    format: Literal["csv", "xlsx"]
    keys: list[str | None]
    """The column key of each position (None: an empty heading, ignored)."""
    _rows: Iterator[list[Any]]
    _first_row_number: int = 2

    def rader(self) -> Iterator[Rad]:
        """The data rows; empty rows are skipped but keep their numbers. Raises FilFeil past MAX_RADER."""
        antall = 0
        # CSV cells are text already: only trimmed and cut, without `_text`'s checks of type.
        text = _csv_text if self.format == "csv" else _text
        keyed = [(i, key) for i, key in enumerate(self.keys) if key]
        for number, values in enumerate(self._rows, start=self._first_row_number):
            cells = [text(v) for v in values]
            if not any(cells):
                continue
            antall += 1
            if antall > MAX_RADER:
                raise FilFeil(
                    f"Filen har mer enn {MAX_RADER:,} rader. Del den i flere filer.".replace(",", "\u00a0")
                )
            width = len(cells)
            yield number, {key: cells[i] if i < width else "" for i, key in keyed}


def open_file(innhold: bytes, filnavn: str) -> Tabell:
    """The file's table with checked headings, and at least one data row. Raises FilFeil."""
    if not innhold:
        raise FilFeil("Filen er tom.")
    if len(innhold) > MAX_FIL_BYTES:
        raise FilFeil(f"Filen er for stor (høyst {MAX_FIL_BYTES // 1_000_000} MB). Del den i flere filer.")
    suffix = filnavn.rsplit(".", 1)[-1].lower() if "." in filnavn else ""
    # Old Excel by its name, or by its content (an OLE2 compound file) under a name that could be a
    # table's (not a Word .doc, also a compound file): the advice is how to save it as what is wanted.
    if suffix == "xls":
        raise FilFeil(GAMMEL_EXCEL)
    if suffix not in TILLATTE_ENDELSER:
        raise FilFeil(
            f"Filen må være CSV eller XLSX, men heter «{filnavn[-80:]}». Last ned malen og bruk den."
        )
    if innhold.startswith(OLE2):
        raise FilFeil(GAMMEL_EXCEL)
    return _with_data(_xlsx(innhold) if innhold.startswith(b"PK\x03\x04") else _csv(innhold))


def _with_data(tabell: Tabell) -> Tabell:
    rows = tabell._rows
    for offset, first in enumerate(rows):
        if any(_text(v) for v in first):
            # Put the first data row back in front of the rest.
            tabell._rows = _chain(first, rows)
            tabell._first_row_number += offset
            return tabell
    raise FilFeil("Filen har overskrifter, men ingen rader med vedtak.")


def _chain(first: list[Any], rest: Iterator[list[Any]]) -> Iterator[list[Any]]:
    yield first
    yield from rest


def _csv(innhold: bytes) -> Tabell:
    if b"\x00" in innhold[:4096]:
        raise FilFeil("Filen er verken CSV eller XLSX. Last ned malen og bruk den.")
    try:
        text = innhold.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FilFeil(
            "Filen har feil tegnkoding: den må være UTF-8. I Excel: velg «Lagre som» og «CSV UTF-8», "
            "eller lagre som .xlsx."
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(_lines(text), delimiter=delimiter)
    try:
        headings = next(reader)
    except (StopIteration, csv.Error):
        raise FilFeil("Filen er tom.") from None
    keys = _keys(headings)
    return Tabell("csv", keys, _csv_rows(reader))


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _lines(text: str) -> Iterator[str]:
    """The lines of the text with their endings, as `io.StringIO(text, newline="")` gives them, without
    its copy of the whole file (four bytes a character: 70 MB for 100,000 rows)."""
    for match in _LINE.finditer(text):
        yield match.group()


def _csv_rows(reader: Any) -> Iterator[list[Any]]:
    try:
        yield from reader
    except csv.Error as exc:
        raise FilFeil(f"CSV-filen er ødelagt nær rad {reader.line_num}: {exc}.") from None


def _xlsx(innhold: bytes) -> Tabell:
    try:
        workbook = load_workbook(io.BytesIO(innhold), read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError):
        raise FilFeil(
            "Filen kunne ikke leses som et Excel-ark (.xlsx). Last ned malen og bruk den."
        ) from None
    except Exception:  # openpyxl raises many kinds for a broken workbook; none of them is a 500
        raise FilFeil(
            "Filen kunne ikke leses som et Excel-ark (.xlsx). Last ned malen og bruk den."
        ) from None
    sheet = workbook["Vedtak"] if "Vedtak" in workbook.sheetnames else workbook.worksheets[0]
    rows = (list(row) for row in sheet.iter_rows(values_only=True))
    headings = next(rows, None)
    if headings is None:
        raise FilFeil("Filen er tom.")
    keys = _keys([_text(h) for h in headings])
    return Tabell("xlsx", keys, rows)


def _keys(headings: list[str]) -> list[str | None]:
    problems: list[str] = []
    keys: list[str | None] = []
    seen: set[str] = set()
    for heading in headings:
        heading = heading.strip()
        if not heading:
            keys.append(None)
            continue
        kolonne = BY_HEADING.get(fold(heading))
        if kolonne is None:
            problems.append(f"Ukjent kolonne «{heading[:60]}».")
            keys.append(None)
        elif kolonne.key in seen:
            problems.append(f"Kolonnen «{kolonne.overskrift}» står to ganger.")
            keys.append(None)
        else:
            seen.add(kolonne.key)
            keys.append(kolonne.key)
    missing = [k.overskrift for k in KOLONNER if k.pakrevd and k.key not in seen]
    if missing:
        problems.append(
            "Mangler "
            + ("kolonnen" if len(missing) == 1 else "kolonnene")
            + " «"
            + "», «".join(missing)
            + "»."
        )
    if problems:
        raise FilFeil(*problems, "Bruk overskriftene fra malen.")
    return keys


def _csv_text(value: str) -> str:
    return value.strip()[:MAX_CELLE]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()[:MAX_CELLE]
