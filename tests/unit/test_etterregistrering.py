"""Post-registration's pure parts: each row check and its Norwegian message, the stable key, the choice of
drug among the catalogue's hits, and reading CSV and XLSX files (headings, encoding, empty rows)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, date, datetime

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from shared.domain.identifiers import synthetic_fodselsnummer
from shared.domain.oppslag import DiagnoseTreff, LegemiddelTreff
from shared.events.common import Indikasjon, Legemiddel, Pasient
from shared.events.contracts import SakEtterregistrert
from shared.events.envelope import Envelope
from soknad.etterregistrering.fil import FilFeil, open_file
from soknad.etterregistrering.katalogoppslag import Legemiddelvalg, choose, normalise_icd10
from soknad.etterregistrering.kolonner import KOLONNER, OVERSKRIFTER, template_csv, template_xlsx
from soknad.etterregistrering.saksrader import (
    BEGRUNNELSE,
    SOKER_ID,
    envelope_head,
    event_data_json,
    forbered,
    json_time,
    registrert_json,
)
from soknad.etterregistrering.validering import Feil, Kontekst, check_row, stable_key

FNR = synthetic_fodselsnummer(date(1979, 4, 12), sex="kvinne")
RITUKSIMAB = Legemiddelvalg(navn="rituksimab", virkestoff="rituksimab", atc="L01FA01")
CTX = Kontekst(
    enheter=frozenset({"HBE-NEVRO", "HBE-REVMA"}),
    today=date(2026, 12, 3),
    allow_synthetic=True,
    legemidler={"l01fa01": RITUKSIMAB, "finnesikke": None},
    diagnoser={"G36.0": DiagnoseTreff(kode="G36.0", tekst="Neuromyelitis optica"), "X99.9": None},
)


def rad(**overrides: str) -> dict[str, str]:
    values = {
        "saksreferanse": "ESA-2019/1",
        "type": "enkeltpasient",
        "kategori": "off_label",
        "enhet": "HBE-NEVRO",
        "fodselsnummer": FNR,
        "pasient_navn": "Syntetisk Testpasient",
        "gruppe_storrelse": "",
        "legemiddel": "L01FA01",
        "icd10": "G36.0",
        "sendt_dato": "2019-03-04",
        "vedtak_dato": "2019-03-18",
        "utfall": "innvilget",
        "gyldig_til": "2020-03-18",
        "estimert_kostnad": "180 000 kr",
        "soker_navn": "",
    }
    return values | overrides


def problems(**overrides: str) -> list[tuple[str, str]]:
    data, feil = check_row(7, rad(**overrides), CTX)
    assert data is None and all(f.radnummer == 7 for f in feil)
    return [(f.kolonne, f.melding) for f in feil]


def test_a_valid_row_becomes_what_the_import_stores() -> None:
    data, feil = check_row(2, rad(), CTX)
    assert feil == []
    assert data is not None
    assert data["fodselsnummer"] == FNR and data["fodselsdato"] == "1979-04-12" and data["kjonn"] == "kvinne"
    assert data["legemiddel"]["atc"] == "L01FA01" and data["indikasjon"]["kode"] == "G36.0"
    assert (data["sendt_dato"], data["vedtak_dato"], data["gyldig_til"]) == (
        "2019-03-04",
        "2019-03-18",
        "2020-03-18",
    )
    assert data["estimert_kostnad_nok"] == 180_000 and data["utfall"] == "innvilget"


def test_labels_norwegian_dates_and_a_group_are_accepted() -> None:
    data, feil = check_row(
        2,
        rad(
            type="Pasientgruppe",
            kategori="Unntaksordningen (Nye metoder)",
            fodselsnummer="",
            pasient_navn="",
            gruppe_storrelse="12",
            sendt_dato="4.2.2020",
            vedtak_dato="20.02.2020",
            gyldig_til="",
            utfall="Innvilget med vilkår",
            icd10="g360",
            enhet="hbe-revma",
        ),
        CTX,
    )
    assert feil == [] and data is not None
    assert (data["type"], data["kategori"], data["utfall"]) == (
        "gruppe",
        "unntaksordningen",
        "innvilget_med_vilkar",
    )
    assert data["gruppe_storrelse"] == 12 and data["enhet"] == "HBE-REVMA" and "fodselsnummer" not in data


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"type": ""}, ("Type", "Type mangler. Skriv enkeltpasient eller gruppe.")),
        ({"type": "alle"}, ("Type", "Ukjent type «alle». Skriv enkeltpasient eller gruppe.")),
        (
            {"kategori": "h-resept"},
            (
                "Ordning",
                "Ukjent ordning «h-resept». Skriv off_label, godkjenningsfritak, unntaksordningen eller "
                "tilgangsordningen.",
            ),
        ),
        (
            {"enhet": "OUS-NEVRO"},
            ("Enhet", "Ukjent enhet «OUS-NEVRO». Bruk en enhetskode fra helseforetakets katalog."),
        ),
        (
            {"fodselsnummer": ""},
            ("Fødselsnummer", "Fødselsnummer mangler. Det er påkrevd for enkeltpasient."),
        ),
        (
            {"fodselsnummer": "12345678901"},
            ("Fødselsnummer", "Ugyldig fødselsnummer: Kontrollsifrene stemmer ikke."),
        ),
        ({"pasient_navn": ""}, ("Pasientnavn", "Pasientnavn mangler. Det er påkrevd for enkeltpasient.")),
        (
            {"gruppe_storrelse": "3"},
            ("Gruppestørrelse", "Gruppestørrelse gjelder bare pasientgrupper. La feltet stå tomt."),
        ),
        (
            {"legemiddel": ""},
            ("Legemiddel", "Legemiddel mangler. Skriv preparatnavn, virkestoff, ATC-kode eller FEST-id."),
        ),
        (
            {"legemiddel": "Finnesikke"},
            (
                "Legemiddel",
                "Fant ikke «Finnesikke» i legemiddelkatalogen. Skriv preparatnavn, virkestoff, "
                "ATC-kode eller FEST-id slik katalogen har dem.",
            ),
        ),
        ({"icd10": ""}, ("ICD-10", "ICD-10-kode mangler, for eksempel G35 eller G36.0.")),
        ({"icd10": "MS"}, ("ICD-10", "«MS» er ikke en ICD-10-kode. Skriv for eksempel G35 eller G36.0.")),
        ({"icd10": "X99.9"}, ("ICD-10", "Fant ikke ICD-10-koden X99.9 i kodeverket.")),
        (
            {"sendt_dato": ""},
            ("Søknadsdato", "Søknadsdato mangler. Skriv datoen som ÅÅÅÅ-MM-DD eller DD.MM.ÅÅÅÅ."),
        ),
        (
            {"sendt_dato": "31.02.2019"},
            (
                "Søknadsdato",
                "«31.02.2019» er ikke en gyldig dato. Skriv datoen som ÅÅÅÅ-MM-DD eller DD.MM.ÅÅÅÅ.",
            ),
        ),
        ({"sendt_dato": "1989-12-31"}, ("Søknadsdato", "Søknadsdato kan ikke være før 1990.")),
        (
            {"vedtak_dato": "2026-12-04", "gyldig_til": ""},
            ("Vedtaksdato", "Vedtaksdato kan ikke være fram i tid."),
        ),
        ({"vedtak_dato": "2019-03-01"}, ("Vedtaksdato", "Vedtaksdatoen kan ikke være før søknadsdatoen.")),
        ({"utfall": ""}, ("Utfall", "Utfall mangler. Skriv innvilget, innvilget med vilkår eller avslått.")),
        (
            {"utfall": "delvis"},
            ("Utfall", "Ukjent utfall «delvis». Skriv innvilget, innvilget med vilkår eller avslått."),
        ),
        ({"utfall": "avslått"}, ("Gyldig til", "Et avslag har ingen gyldighet. La «Gyldig til» stå tom.")),
        ({"gyldig_til": "2019-03-17"}, ("Gyldig til", "«Gyldig til» kan ikke være før vedtaksdatoen.")),
        (
            {"gyldig_til": "snart"},
            ("Gyldig til", "Skriv datoen som ÅÅÅÅ-MM-DD eller DD.MM.ÅÅÅÅ, for eksempel 2020-03-18."),
        ),
        (
            {"estimert_kostnad": "mye"},
            ("Estimert kostnad (kr)", "Kostnaden må være et helt antall kroner, for eksempel 180000."),
        ),
        ({"saksreferanse": "x" * 101}, ("Saksreferanse", "Saksreferansen er for lang (høyst 100 tegn).")),
    ],
)
def test_each_bad_value_is_named_by_column_with_a_norwegian_message(
    overrides: dict[str, str], expected: tuple[str, str]
) -> None:
    assert problems(**overrides) == [expected]


def test_a_group_must_not_name_a_patient() -> None:
    assert problems(type="gruppe", gruppe_storrelse="0") == [
        ("Fødselsnummer", "En pasientgruppe skal ikke ha fødselsnummer. La feltet stå tomt."),
        ("Pasientnavn", "En pasientgruppe skal ikke ha pasientnavn. La feltet stå tomt."),
        ("Gruppestørrelse", "Gruppestørrelsen må være et helt tall fra 1 til 100 000."),
    ]


FNR_0 = synthetic_fodselsnummer(date(1979, 4, 5), sex="kvinne")
"""Born on the 5th: the number starts with 0, which Excel drops from a number."""


def test_a_fodselsnummer_that_lost_its_leading_zero_is_read_with_it() -> None:
    assert FNR_0.startswith("0") and len(FNR_0) == 11
    data, feil = check_row(2, rad(fodselsnummer=FNR_0[1:]), CTX)
    assert feil == [] and data is not None
    assert data["fodselsnummer"] == FNR_0 and data["fodselsdato"] == "1979-04-05"
    # The same decision with the 0 or without it: one key, so a re-upload is no duplicate.
    with_zero, _ = check_row(2, rad(fodselsnummer=FNR_0), CTX)
    assert with_zero is not None and stable_key(with_zero) == stable_key(data)


def test_ten_digits_that_are_no_number_with_a_zero_in_front_are_refused() -> None:
    # A digit left out, not a 0 lost: the control digits do not match with a 0 in front.
    assert problems(fodselsnummer=FNR[:10]) == [
        (
            "Fødselsnummer",
            "Ugyldig fødselsnummer: Fødselsnummeret har 10 siffer. Med en 0 foran, som Excel kan ha fjernet: "
            "Kontrollsifrene stemmer ikke.",
        )
    ]
    assert problems(fodselsnummer="123456789") == [
        ("Fødselsnummer", "Ugyldig fødselsnummer: Fødselsnummeret må ha 11 siffer.")
    ]


def test_synthetic_numbers_are_refused_where_the_installation_refuses_them() -> None:
    strict = Kontekst(**{**CTX.__dict__, "allow_synthetic": False, "personnumre": {}})
    _data, feil = check_row(3, rad(), strict)
    assert feil == [
        Feil(
            3,
            "Fødselsnummer",
            "Ugyldig fødselsnummer: Syntetiske testnumre er ikke tillatt i denne installasjonen.",
        )
    ]


def test_the_stable_key_is_the_reference_or_the_identifying_fields_and_never_shows_the_number() -> None:
    first, _ = check_row(2, rad(), CTX)
    same_ref_other_text, _ = check_row(2, rad(saksreferanse=" esa-2019/1 ", soker_navn="Noen"), CTX)
    assert first and same_ref_other_text and stable_key(first) == stable_key(same_ref_other_text)
    no_ref, _ = check_row(2, rad(saksreferanse=""), CTX)
    same_decision, _ = check_row(2, rad(saksreferanse="", sendt_dato="04.03.2019", estimert_kostnad=""), CTX)
    other_outcome, _ = check_row(2, rad(saksreferanse="", utfall="innvilget med vilkår"), CTX)
    assert no_ref and same_decision and other_outcome
    assert stable_key(no_ref) == stable_key(same_decision) != stable_key(other_outcome)
    assert FNR not in stable_key(no_ref) and len(stable_key(no_ref)) == 64


def treff(navn: str, virkestoff: str, atc: str, form: str = "tablett 4 mg") -> LegemiddelTreff:
    return LegemiddelTreff(
        fest_id=f"ID_{navn.upper()}-{form[:3].upper()}",
        navn=navn,
        navn_form_styrke=f"{navn} {form}",
        virkestoff=virkestoff,
        atc=atc,
        legemiddelform=form,
        styrke="4 mg",
        krever_godkjenningsfritak=False,
    )


def test_the_drug_is_chosen_only_on_an_exact_match() -> None:
    mabthera = treff("MabThera", "rituksimab", "L01FA01")
    truxima = treff("Truxima", "rituksimab", "L01FA01")
    hits = [mabthera, truxima]
    assert choose("L01FA01", hits) == RITUKSIMAB
    assert choose("Rituksimab", hits) == RITUKSIMAB
    assert choose("rituximab", hits) == RITUKSIMAB  # another name, found by the catalogue's search words
    brand = choose("mabthera", hits)
    assert brand is not None and brand.fest_id == mabthera.fest_id and brand.navn == "MabThera tablett 4 mg"
    assert choose("ritu", hits) is None  # a beginning only
    assert choose("anything", []) is None
    two_forms = [
        treff("RoActemra", "tocilizumab", "L04AC07", "infusjon"),
        treff("RoActemra", "tocilizumab", "L04AC07"),
    ]
    by_name = choose("RoActemra", two_forms)
    assert by_name is not None and by_name.fest_id is None and by_name.navn == "RoActemra"


def test_icd10_codes_are_written_with_the_dot_in_upper_case() -> None:
    assert [normalise_icd10(v) for v in ("g360", " G36.0 ", "g35", "M33 1")] == [
        "G36.0",
        "G36.0",
        "G35",
        "M33.1",
    ]


# --- reading files ---------------------------------------------------------------------------------


def test_the_templates_read_back_with_their_example_row() -> None:
    for content, name in ((template_csv(), "mal.csv"), (template_xlsx(), "mal.xlsx")):
        tabell = open_file(content, name)
        rows = list(tabell.rader())
        assert [nr for nr, _ in rows] == [2]
        assert rows[0][1] == {k.key: k.eksempel for k in KOLONNER}


def test_csv_with_commas_any_case_headings_in_any_order_and_empty_rows() -> None:
    headings = list(reversed(OVERSKRIFTER))
    content = (
        ",".join(h.upper() for h in headings)
        + "\r\n"
        + ",".join("" for _ in headings)
        + "\r\n"
        + ",".join("x" if h == "Type" else "" for h in headings)
        + "\r\n"
    )
    tabell = open_file(content.encode(), "vedtak.csv")
    assert tabell.format == "csv"
    assert [(nr, r["type"]) for nr, r in tabell.rader()] == [(3, "x")]


def test_xlsx_cells_become_text_as_people_typed_them() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(OVERSKRIFTER)
    values: dict[str, object] = {
        "Søknadsdato": date(2019, 3, 4),
        "Estimert kostnad (kr)": 180000.0,
        "Type": "gruppe",
    }
    sheet.append([values.get(h) for h in OVERSKRIFTER])
    out = io.BytesIO()
    workbook.save(out)
    [(nr, row)] = list(open_file(out.getvalue(), "vedtak.xlsx").rader())
    assert nr == 2 and row["sendt_dato"] == "2019-03-04" and row["estimert_kostnad"] == "180000"
    assert row["type"] == "gruppe" and row["fodselsnummer"] == ""


def test_a_fodselsnummer_typed_as_a_number_in_excel_is_checked_with_its_leading_zero() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(OVERSKRIFTER)
    # What Excel stores for 05847900077 typed into a cell formatted as a number.
    sheet.append([int(FNR_0) if h == "Fødselsnummer" else None for h in OVERSKRIFTER])
    out = io.BytesIO()
    workbook.save(out)
    [(_nr, row)] = list(open_file(out.getvalue(), "vedtak.xlsx").rader())
    assert row["fodselsnummer"] == FNR_0[1:]  # read as the number it is
    data, feil = check_row(2, rad(fodselsnummer=row["fodselsnummer"]), CTX)
    assert feil == [] and data is not None and data["fodselsnummer"] == FNR_0


def test_the_xlsx_template_has_its_text_columns_formatted_as_text_in_every_row() -> None:
    workbook = load_workbook(io.BytesIO(template_xlsx()))
    sheet = workbook["Vedtak"]
    formats = {}
    for index, kolonne in enumerate(KOLONNER, start=1):
        letter = get_column_letter(index)
        # The column's own style: what Excel gives every cell typed into the column, in any row.
        formats[kolonne.key] = sheet.column_dimensions[letter].number_format
        assert sheet.cell(row=2, column=index).number_format == "@"  # the example row, as before
    assert formats["fodselsnummer"] == "@"
    assert {k for k, f in formats.items() if f == "@"} == {
        "saksreferanse",
        "type",
        "kategori",
        "enhet",
        "fodselsnummer",
        "pasient_navn",
        "legemiddel",
        "icd10",
        "utfall",
        "soker_navn",
    }
    assert {k for k, f in formats.items() if f != "@"} == {
        "gruppe_storrelse",
        "sendt_dato",
        "vedtak_dato",
        "gyldig_til",
        "estimert_kostnad",
    }
    # As the file says it: one <col> per column, the text columns with the style whose format is text (49).
    with zipfile.ZipFile(io.BytesIO(template_xlsx())) as z:
        cols = re.findall(r"<col [^>]*>", z.read("xl/worksheets/sheet1.xml").decode())
        xfs = re.findall(r"<xf [^>]*>", z.read("xl/styles.xml").decode().split("<cellXfs", 1)[1])
    styled = {
        int(m[1]): int(s[1])
        for c in cols
        if (m := re.search(r'min="(\d+)"', c)) and (s := re.search(r'style="(\d+)"', c))
    }
    fnr_column = [k.key for k in KOLONNER].index("fodselsnummer") + 1
    assert 'numFmtId="49"' in xfs[styled[fnr_column]]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "a.csv", "Filen er tom."),
        (b"\xef\xbb\xbf", "a.csv", "Filen er tom."),
        (b"Type;Type;Farge\r\n", "a.csv", "Kolonnen «Type» står to ganger."),
        (b"Type;Type;Farge\r\n", "a.csv", "Ukjent kolonne «Farge»."),
        (b"Type\r\n", "a.csv", "Mangler kolonnene «Ordning», «Enhet», «Legemiddel», «ICD-10», «Søknadsdato»"),
        ("Søknadsdato".encode("cp1252"), "a.csv", "Filen har feil tegnkoding: den må være UTF-8."),
        (b"Type\x00\x00", "a.txt", "Filen er verken CSV eller XLSX."),
        (b"x", "vedtak.docx", "Filen må være CSV eller XLSX, men heter «vedtak.docx»."),
        (b"\xd0\xcf\x11\xe0rest", "vedtak.csv", "Filen er i det gamle Excel-formatet (.xls)."),
        (b"\xd0\xcf\x11\xe0rest", "vedtak.xls", "Filen er i det gamle Excel-formatet (.xls). Lagre den som"),
        (b"Type;Ordning\r\n", "vedtak.xls", "Filen er i det gamle Excel-formatet (.xls)."),
        (b"\xd0\xcf\x11\xe0rest", "vedtak.doc", "Filen må være CSV eller XLSX, men heter «vedtak.doc»."),
        (b"PK\x03\x04broken", "vedtak.xlsx", "Filen kunne ikke leses som et Excel-ark (.xlsx)."),
    ],
)
def test_an_unreadable_file_says_why(content: bytes, name: str, message: str) -> None:
    with pytest.raises(FilFeil) as raised:
        open_file(content, name)
    assert any(m.startswith(message) for m in raised.value.meldinger), raised.value.meldinger


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {
            "fodselsnummer": "",
            "pasient_navn": "",
            "type": "gruppe",
            "gruppe_storrelse": "12",
            "gyldig_til": "",
        },
        {"estimert_kostnad": "", "utfall": "avslått", "gyldig_til": "", "pasient_navn": "Åse Ørnulf «Æ»"},
    ],
)
def test_the_event_the_import_writes_is_what_the_contract_model_writes(overrides: dict[str, str]) -> None:
    # The import builds `SakEtterregistrert` without a model per row; it must still be the contract's.
    data, feil = check_row(2, rad(**overrides), CTX)
    assert feil == [] and data is not None
    at = datetime(2026, 12, 3, 14, 0, 1, 123456, tzinfo=UTC)
    (ready,) = forbered([(2, stable_key(data), data)])
    fast = event_data_json(
        ready._replace(soknad_id="case-1"), "HBE-2019-000001", registrert_json("hbe-admin", at)
    )
    legemiddel = data["legemiddel"]
    model = SakEtterregistrert(
        soknad_id="case-1",
        lopenummer="HBE-2019-000001",
        type=data["type"],
        kategori=data["kategori"],
        enhet=data["enhet"],
        pasient=Pasient(
            fodselsnummer=data["fodselsnummer"],
            navn=data["pasient_navn"],
            fodselsdato=data.get("fodselsdato"),
            kjonn=data.get("kjonn"),
        )
        if data["type"] == "enkeltpasient"
        else None,
        gruppe_storrelse=data.get("gruppe_storrelse"),
        legemiddel=Legemiddel(**legemiddel, verifisert=True),
        indikasjon=Indikasjon(**data["indikasjon"], verifisert=True),
        utfall=data["utfall"],
        sendt_dato=date.fromisoformat(data["sendt_dato"]),
        vedtak_dato=date.fromisoformat(data["vedtak_dato"]),
        gyldig_til=date.fromisoformat(data["gyldig_til"]) if data.get("gyldig_til") else None,
        estimert_kostnad_nok=data.get("estimert_kostnad_nok"),
        registrert_av="hbe-admin",
        registrert_at=at,
    )
    assert json.loads(fast) == json.loads(model.model_dump_json())
    assert SakEtterregistrert.model_validate_json(fast) == model
    envelope = Envelope.model_validate_json(
        f'{{"specversion":"1.0","id":"e-1",{envelope_head("HBE", at)}"subject":"HBE-2019-000001",'
        f'"correlationid":"c-1","data":{fast}}}'
    )
    assert (envelope.type, envelope.hf, envelope.source, envelope.time) == (
        SakEtterregistrert.TYPE,
        "HBE",
        "/hf/HBE/soknad",
        at,
    )


MERKE = Legemiddelvalg(
    navn='MabThera "IV" 500 mg',
    virkestoff="Rituksimab",
    atc="L01FA01",
    fest_id="ID_ABC-1",
    legemiddelform="Konsentrat til infusjonsvæske",
    styrke="10 mg/ml",
)


@pytest.mark.parametrize(
    ("overrides", "legemiddel"),
    [
        ({}, RITUKSIMAB),
        ({"legemiddel": "merke", "saksreferanse": "", "soker_navn": "Dr. Ærlig «Ø»"}, MERKE),
        (
            {"fodselsnummer": "", "pasient_navn": "", "type": "gruppe", "gruppe_storrelse": "12"},
            RITUKSIMAB,
        ),
        ({"estimert_kostnad": "", "utfall": "avslått", "gyldig_til": ""}, RITUKSIMAB),
    ],
)
def test_the_case_rows_json_is_what_the_form_stores_for_a_decided_case(
    overrides: dict[str, str], legemiddel: Legemiddelvalg
) -> None:
    # The import writes the case's JSON from templates; it must hold what the form's JSON holds.
    ctx = Kontekst(
        enheter=CTX.enheter,
        today=CTX.today,
        allow_synthetic=True,
        legemidler={"l01fa01": RITUKSIMAB, "merke": MERKE},
        diagnoser=CTX.diagnoser,
    )
    data, feil = check_row(2, rad(**overrides), ctx)
    assert feil == [] and data is not None
    (ready,) = forbered([(2, stable_key(data), data)])
    type_, kategori, status, soker_id, soker_navn, enhet, medforfattere, innhold, skjema, vedtak, versjon = (
        ready.soknad_midt
    )
    sendt_at, vedtatt_at, utfall, navn, virkestoff, atc, kode, tekst = ready.soknad_slutt
    expected_legemiddel = {
        k: v
        for k, v in {
            "navn": legemiddel.navn,
            "virkestoff": legemiddel.virkestoff,
            "atc": legemiddel.atc,
            "fest_id": legemiddel.fest_id,
            "legemiddelform": legemiddel.legemiddelform,
            "styrke": legemiddel.styrke,
        }.items()
        if v
    } | {"verifisert": True}
    expected_innhold: dict[str, object] = {
        "legemiddel": expected_legemiddel,
        "indikasjon": {"kode": "G36.0", "tekst": "Neuromyelitis optica", "verifisert": True},
    }
    if data["type"] == "enkeltpasient":
        expected_innhold |= {"pasient_fodselsnummer": FNR, "pasient_navn": "Syntetisk Testpasient"}
    else:
        expected_innhold["gruppe_storrelse"] = 12
    if data["estimert_kostnad_nok"] is not None:
        expected_innhold["estimert_kostnad_nok"] = 180_000
    assert json.loads(innhold) == expected_innhold
    assert json.loads(vedtak) == {
        "utfall": data["utfall"],
        "begrunnelse": BEGRUNNELSE,
        "gyldig_til": data["gyldig_til"],
        "fattet_at": "2019-03-18T11:00:00+00:00",
        "etterregistrert": True,
        "saksreferanse": data["saksreferanse"],
    }
    assert (type_, kategori, status, soker_id, enhet, json.loads(medforfattere), skjema, versjon) == (
        data["type"],
        "off_label",
        "vedtatt",
        SOKER_ID,
        "HBE-NEVRO",
        [],
        1,
        1,
    )
    assert soker_navn == (data["soker_navn"] or "Ukjent (etterregistrert)")
    assert (sendt_at, vedtatt_at) == (
        datetime(2019, 3, 4, 11, tzinfo=UTC),
        datetime(2019, 3, 18, 11, tzinfo=UTC),
    )
    assert (utfall, navn, virkestoff, atc, kode, tekst) == (
        data["utfall"],
        legemiddel.navn,
        legemiddel.virkestoff.lower(),
        "L01FA01",
        "G36.0",
        "Neuromyelitis optica",
    )
    assert (ready.radnummer, ready.aar, ready.saksreferanse) == (2, 2019, data["saksreferanse"])
    assert len({ready.soknad_id, ready.event_id}) == 2
    assert json_time(datetime(2026, 12, 3, 14, tzinfo=UTC)) == "2026-12-03T14:00:00Z"
