"""The ICD-10 reader: FinnKode's export (xlsx, CSV, tab-separated, JSON) read by its header names,
FinnKode's API JSON and the tab-separated code register; codes stored without dot."""

from __future__ import annotations

import io
import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from integrasjon.register.icd10 import Icd10FormatFeil, les_icd10, med_punktum, uten_punktum
from integrasjon.register.icd10_eksempel import skriv
from integrasjon.register.import_jobb import ICD10_EKSEMPEL, ICD10_FINNKODE_EKSEMPEL


def test_the_shipped_finnkode_sample_has_the_codes_of_the_forms() -> None:
    koder = {d.kode: d for d in les_icd10(ICD10_EKSEMPEL.read_bytes())}
    assert {"G35", "G360", "G700", "N042", "M331", "T860", "C539", "D180"} <= set(koder)
    assert koder["G360"].tekst == "Neuromyelitis optica [Devics sykdom]"
    assert koder["G360"].foreldre == "G36" and koder["G35"].foreldre is None
    assert koder["G360"].kode_med_punktum == "G36.0" and koder["G360"].aktiv
    assert koder["C539"].kjonn == "K" and koder["G35"].kjonn is None


def test_finnkode_json_carries_active_flag_parent_and_sex() -> None:
    data = [
        {"codeValue": "N40", "nameNorwegian": "Prostatahyperplasi", "active": True, "gender": "M"},
        {"codeValue": "A099", "nameNorwegian": "Utgått kode", "active": False, "parentCode": "A09"},
    ]
    n40, a099 = les_icd10(json.dumps(data).encode())
    assert (n40.kode, n40.kjonn, n40.aktiv) == ("N40", "M", True)
    assert (a099.aktiv, a099.foreldre) == (False, "A09")


def test_the_tab_separated_code_register_is_read_with_or_without_a_header() -> None:
    text = "Kode\tTekst\nG35\tMultippel sklerose\nG360\tNeuromyelitis optica [Devics sykdom]\n"
    koder = les_icd10(text.encode())
    assert [(d.kode, d.foreldre) for d in koder] == [("G35", None), ("G360", "G36")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'[{"codeValue": "XX", "nameNorwegian": "x"}]', "er ikke en ICD-10-kode"),
        (b'[{"codeValue": "G35", "nameNorwegian": ""}]', "mangler norsk tekst"),
        (
            b'[{"codeValue": "G35", "nameNorwegian": "a"}, {"codeValue": "G35", "nameNorwegian": "b"}]',
            "mer enn én gang",
        ),
        (b'{"feil": 1}', "ikke en liste"),
        (b"[", "Ugyldig JSON"),
        (b"G35 Multippel sklerose\n", "er ikke en ICD-10-kode|mangler tekst"),
        (b"", "ingen ICD-10-koder"),
        (b"\xff\xfe", "ikke UTF-8"),
    ],
)
def test_unusable_files_are_refused_in_norwegian(data: bytes, message: str) -> None:
    with pytest.raises(Icd10FormatFeil, match=message):
        les_icd10(data)


def test_codes_are_written_with_and_without_the_dot() -> None:
    assert (uten_punktum(" g36.0 "), med_punktum("G360"), med_punktum("G35")) == ("G360", "G36.0", "G35")


# --- FinnKode's export: xlsx, CSV, tab-separated and JSON, columns by header name --------------------

IDAG = date(2026, 6, 1)


def xlsx(*sheets: tuple[str, list[list[Any]]]) -> bytes:
    workbook = Workbook()
    assert workbook.active is not None
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_the_shipped_finnkode_export_has_the_same_codes_as_the_json_sample(tmp_path: Path) -> None:
    from_xlsx = les_icd10(ICD10_FINNKODE_EKSEMPEL.read_bytes())
    assert from_xlsx == les_icd10(ICD10_EKSEMPEL.read_bytes())
    assert len(from_xlsx) == 30  # the chapter and block rows are not codes
    # The shipped file is what the generator writes.
    skriv(tmp_path / "ny.xlsx")
    assert les_icd10((tmp_path / "ny.xlsx").read_bytes()) == from_xlsx


def test_an_xlsx_export_is_read_by_its_header_names() -> None:
    data = xlsx(
        ("Forklaring", [["Kodeliste ICD-10"], ["Arket «Koder» har alle koder."]]),
        (
            "Koder",
            [
                ["ICD-10 2026, eksportert fra FinnKode"],
                [],
                ["Stjernekode", "Kjønn", "Kode", "Tekst med maksimalt 60 tegn",
                 "Tekst uten lengdebegrensning", "Gyldig fra", "Gyldig til", "Overordnet kode", "Ukjent"],
                [None, None, "XIV", None, "(N00-N99) Sykdommer i urin- og kjønnsorganer", None, None, None,
                 "x"],
                [None, None, "N40-N51", None, "Sykdommer i mannlige kjønnsorganer", None, None, "XIV", "x"],
                [None, "Menn", "N40", "Prostatahyperplasi", "Prostatahyperplasi", datetime(1999, 1, 1), None,
                 "N40-N51", "x"],
                [None, "K", "C53.9", "Ondartet svulst i livmorhals, uspes.",
                 "Ondartet svulst i livmorhals, uspesifisert", "1999-01-01T00:00:00", None, "C53", "x"],
                [None, None, "A09.9", "Gastroenteritt", "Gastroenteritt og kolitt", datetime(1999, 1, 1),
                 datetime(2025, 12, 31, 23, 59), "A09", "x"],
                [None, None, "U07.1", "Covid-19", "", "01.01.2027", None, "U07", "x"],
                [None, None, None, None, None, None, None, None, None],
            ],
        ),
    )  # fmt: skip
    koder = {d.kode: d for d in les_icd10(data, idag=IDAG)}
    assert list(koder) == ["N40", "C539", "A099", "U071"]
    assert (koder["N40"].kjonn, koder["N40"].foreldre, koder["N40"].aktiv) == ("M", None, True)
    assert (koder["C539"].kjonn, koder["C539"].foreldre) == ("K", "C53")
    # The full text, not the 60-character one; the short one when the full text is empty.
    assert koder["C539"].tekst == "Ondartet svulst i livmorhals, uspesifisert"
    assert koder["U071"].tekst == "Covid-19"
    assert koder["A099"].aktiv is False  # valid until the end of 2025
    assert koder["U071"].aktiv is False  # valid from 2027


def test_a_tab_separated_export_keeps_extra_columns_out_of_the_text() -> None:
    text = (
        "Kode\tTekst uten lengdebegrensning\tAktiv\tForeldrekode\tKjønn\tStjernekode\n"
        "G35\tMultippel sklerose\tJa\tG35-G37\t\t\n"
        "G36.0\tNeuromyelitis optica [Devics sykdom]\tJa\tG36\t\t\n"
        "N95.0\tPostmenopausal blødning\tJa\tN95\tKvinne\t\n"
        "A09.9\tGastroenteritt og kolitt\tNei\tA09\t\t\n"
    )
    koder = les_icd10(text.encode(), idag=IDAG)
    assert [(d.kode, d.tekst, d.aktiv, d.foreldre, d.kjonn) for d in koder] == [
        ("G35", "Multippel sklerose", True, None, None),
        ("G360", "Neuromyelitis optica [Devics sykdom]", True, "G36", None),
        ("N950", "Postmenopausal blødning", True, "N95", "K"),
        ("A099", "Gastroenteritt og kolitt", False, "A09", None),
    ]


def test_a_csv_export_with_underscored_headers_and_quoted_texts() -> None:
    text = (
        "Kode;Tekst_uten_lengdebegrensning;Gyldig_fra;Gyldig_til;Foreldrekode\r\n"
        'M31.4;"Aortabuesyndrom; [Takayasus arteritt]";1999-01-01;;M31\r\n'
        "M06.1;Stills sykdom med debut i voksen alder;1999-01-01;2020-12-31;M06\r\n"
    )
    m314, m061 = les_icd10(text.encode(), idag=IDAG)
    assert (m314.kode, m314.tekst, m314.aktiv) == ("M314", "Aortabuesyndrom; [Takayasus arteritt]", True)
    assert (m061.kode, m061.aktiv) == ("M061", False)


def test_finnkodes_export_as_json_is_read_like_the_table() -> None:
    data = [
        {"Kode": "I", "Tekst_uten_lengdebegrensning": "(A00-B99) Visse infeksjonssykdommer",
         "Gyldig_fra": "1999-01-01T00:00:00", "Gyldig_til": None, "Kjønn": None, "Foreldrekode": None},
        {"Kode": "A00.0", "Tekst_uten_lengdebegrensning": "Kolera som skyldes Vibrio cholerae 01",
         "Gyldig_fra": "1999-01-01T00:00:00", "Gyldig_til": None, "Kjønn": None, "Foreldrekode": "A00"},
    ]  # fmt: skip
    (a000,) = les_icd10(json.dumps(data).encode(), idag=IDAG)
    assert (a000.kode, a000.foreldre, a000.aktiv) == ("A000", "A00", True)


def test_a_code_listed_again_with_an_expired_row_keeps_the_row_in_force() -> None:
    text = "Kode\tTekst\tGyldig til\nG35\tDisseminert sklerose\t2010-12-31\nG35\tMultippel sklerose\t\n"
    (g35,) = les_icd10(text.encode(), idag=IDAG)
    assert (g35.tekst, g35.aktiv) == ("Multippel sklerose", True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (xlsx(("Ark1", [["Kode", "Beskrivelse på engelsk"], ["G35", "Multiple sclerosis"]])),
         "Fant ikke kolonnen «Tekst uten lengdebegrensning» i arket «Ark1»"),
        (xlsx(("Ark1", [["Diagnose", "Tekst"], ["G35", "Multippel sklerose"]])),
         "Fant ikke kolonnen «Kode» i noe arbeidsark"),
        (b"Diagnose;Tekst\nG35;Multippel sklerose\n", "Fant ikke kolonnen «Kode» i overskriftsraden"),
        (b"Kode\tNavn\nG35\tMultippel sklerose\n", "Fant ikke kolonnen «Tekst uten lengdebegrensning»"),
        (b"Kode\tTekst\tGyldig til\nG35\tMultippel sklerose\tsnart\n",
         "Linje 2: «snart» i kolonnen «Gyldig til» er ikke en dato"),
        (b"Kode\tTekst\nG35\t\n", "Linje 2: kode G35 mangler tekst i kolonnen «Tekst»"),
        (b"Kode\tTekst\nG3x5\tMultippel sklerose\n", "Linje 2: «G3x5» er ikke en ICD-10-kode"),
        (b"PK\x03\x04 ikke en arbeidsbok", "kunne ikke leses som et Excel-ark"),
    ],
)  # fmt: skip
def test_an_export_without_the_columns_is_refused_naming_the_column(data: bytes, message: str) -> None:
    with pytest.raises(Icd10FormatFeil, match=re.escape(message)):
        les_icd10(data, idag=IDAG)
