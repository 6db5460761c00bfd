"""The ICD-10 reader: FinnKode's JSON and the tab-separated code register, codes without dot."""

from __future__ import annotations

import json

import pytest

from integrasjon.register.icd10 import Icd10FormatFeil, les_icd10, med_punktum, uten_punktum
from integrasjon.register.import_jobb import ICD10_EKSEMPEL


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
