"""The shipped ICD-10 sample in the shape of FinnKode's Excel export: the codes of `icd10_eksempel.json`
(what the demo and the tests look up) with FinnKode's columns, codes with the dot, and the chapter and
block rows of the hierarchy the export lists among the codes.

    python -m integrasjon.register.icd10_eksempel [OUT.xlsx]

FinnKode's real export has these columns; the reader finds them by name, so their order does not matter."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from openpyxl import Workbook

DATA: Final = Path(__file__).resolve().parents[1] / "data"
JSON_SAMPLE: Final = DATA / "icd10_eksempel.json"
SAMPLE_PATH: Final = DATA / "icd10_finnkode_eksempel.xlsx"

KOLONNER: Final = (
    "Kode",
    "Tekst uten lengdebegrensning",
    "Tekst med maksimalt 60 tegn",
    "Gyldig fra",
    "Gyldig til",
    "Rapporteres til NPR",
    "Stjernekode",
    "Tilleggskode",
    "Kjønn",
    "Uspesifikk kode",
    "Foreldrekode",
    "Foreldrekodetekst",
)
_FRA: Final = datetime(1999, 1, 1)
_HIERARKI: Final = (
    ("VI", "(G00-G99) Sykdommer i nervesystemet", None, None),
    (
        "G35-G37",
        "Demyeliniserende sykdommer i sentralnervesystemet",
        "VI",
        "(G00-G99) Sykdommer i nervesystemet",
    ),
)
_BLOKK: Final = {"G35": ("G35-G37", "Demyeliniserende sykdommer i sentralnervesystemet")}


def _rad(kode: str, tekst: str, foreldre: str | None, foreldretekst: str | None, **kw: Any) -> list[Any]:
    values = {
        "Kode": kode,
        "Tekst uten lengdebegrensning": tekst,
        "Gyldig fra": _FRA,
        "Foreldrekode": foreldre,
        "Foreldrekodetekst": foreldretekst,
        **kw,
    }
    return [values.get(k) for k in KOLONNER]


def rader() -> list[list[Any]]:
    koder = json.loads(JSON_SAMPLE.read_text(encoding="utf-8"))
    result = [_rad(kode, tekst, foreldre, ftekst) for kode, tekst, foreldre, ftekst in _HIERARKI]
    for item in koder:
        kode: str = item["codeValue"]
        tekst: str = item["nameNorwegian"]
        dotted = f"{kode[:3]}.{kode[3:]}" if len(kode) > 3 else kode
        foreldre, foreldretekst = (kode[:3], None) if len(kode) > 3 else _BLOKK.get(kode, (None, None))
        result.append(
            _rad(
                dotted,
                tekst,
                foreldre,
                foreldretekst,
                **{
                    "Tekst med maksimalt 60 tegn": tekst if len(tekst) <= 60 else None,
                    "Rapporteres til NPR": "Ja",
                    "Kjønn": item.get("gender"),
                },
            )
        )
    return result


def skriv(path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "ICD-10"
    sheet.append(list(KOLONNER))
    for row in rader():
        sheet.append(row)
    workbook.properties.created = workbook.properties.modified = _FRA
    workbook.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ut", nargs="?", type=Path, default=SAMPLE_PATH)
    args = parser.parse_args()
    skriv(args.ut)


if __name__ == "__main__":
    main()
