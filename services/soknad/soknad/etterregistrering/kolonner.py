"""The columns of the post-registration file: headings, what each holds, and the downloadable template."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet


@dataclass(frozen=True)
class Kolonne:
    key: str
    overskrift: str
    beskrivelse: str
    eksempel: str
    pakrevd: bool = False
    tekst: bool = True
    """The XLSX template formats the whole column as text, so Excel keeps what is typed as typed: a
    fødselsnummer starting with 0 its 0, a case reference or unit code of digits its leading zeros, a code
    like «2019-03» its form (not a date). False for the dates and numbers, which Excel may turn into its
    own dates and numbers: the reader takes those as well."""


KOLONNER: tuple[Kolonne, ...] = (
    Kolonne(
        "saksreferanse",
        "Saksreferanse",
        "Helseforetakets gamle saksnummer (valgfritt, høyst 100 tegn). Brukes til å kjenne igjen saken "
        "hvis filen lastes opp igjen; uten den kjennes saken igjen på pasient, legemiddel, diagnose, "
        "datoer og utfall.",
        "ESA-2019/1234",
    ),
    Kolonne("type", "Type", "enkeltpasient eller gruppe (pasientgruppe).", "enkeltpasient", pakrevd=True),
    Kolonne(
        "kategori",
        "Ordning",
        "off_label, godkjenningsfritak, unntaksordningen eller tilgangsordningen.",
        "off_label",
        pakrevd=True,
    ),
    Kolonne(
        "enhet",
        "Enhet",
        "Enhetskoden i helseforetakets katalog, for eksempel HBE-NEVRO (også nedlagte enheter).",
        "HBE-NEVRO",
        pakrevd=True,
    ),
    Kolonne(
        "fodselsnummer",
        "Fødselsnummer",
        "Pasientens fødselsnummer eller D-nummer, 11 siffer (eksempelet er et syntetisk testnummer). "
        "Påkrevd for enkeltpasient, tom for gruppe.",
        "12847900030",
    ),
    Kolonne(
        "pasient_navn",
        "Pasientnavn",
        "Pasientens fulle navn. Påkrevd for enkeltpasient, tom for gruppe.",
        "Syntetisk Testpasient",
    ),
    Kolonne(
        "gruppe_storrelse",
        "Gruppestørrelse",
        "Antall pasienter i gruppen (helt tall, valgfritt; bare for gruppe).",
        "",
        tekst=False,
    ),
    Kolonne(
        "legemiddel",
        "Legemiddel",
        "Preparatnavn, virkestoff, ATC-kode eller FEST-id slik de står i legemiddelkatalogen, "
        "for eksempel MabThera, rituksimab, L01FA01 eller ID_….",
        "L01FA01",
        pakrevd=True,
    ),
    Kolonne("icd10", "ICD-10", "Diagnosekoden, for eksempel G35 eller G36.0.", "G36.0", pakrevd=True),
    Kolonne(
        "sendt_dato",
        "Søknadsdato",
        "Datoen søknaden ble sendt, som ÅÅÅÅ-MM-DD eller DD.MM.ÅÅÅÅ. Ikke fram i tid.",
        "2019-03-04",
        pakrevd=True,
        tekst=False,
    ),
    Kolonne(
        "vedtak_dato",
        "Vedtaksdato",
        "Datoen vedtaket ble fattet, som ÅÅÅÅ-MM-DD eller DD.MM.ÅÅÅÅ. "
        "Ikke før søknadsdatoen og ikke fram i tid.",
        "2019-03-18",
        pakrevd=True,
        tekst=False,
    ),
    Kolonne("utfall", "Utfall", "innvilget, innvilget med vilkår eller avslått.", "innvilget", pakrevd=True),
    Kolonne(
        "gyldig_til",
        "Gyldig til",
        "Siste dag vedtaket gjelder (valgfritt; bare for innvilgede vedtak, ikke før vedtaksdatoen).",
        "2020-03-18",
        tekst=False,
    ),
    Kolonne(
        "estimert_kostnad",
        "Estimert kostnad (kr)",
        "Estimert årlig kostnad i hele kroner (valgfritt).",
        "180000",
        tekst=False,
    ),
    Kolonne("soker_navn", "Søker", "Navnet på legen som søkte (valgfritt).", "Kari Nordmann"),
)

BY_KEY = {k.key: k for k in KOLONNER}
OVERSKRIFTER = [k.overskrift for k in KOLONNER]


def fold(text: str) -> str:
    """A heading as people may type it: any case, surrounding spaces, `*` for a required column."""
    return " ".join(text.replace("*", "").split()).casefold()


BY_HEADING = {fold(k.overskrift): k for k in KOLONNER}


def template_csv() -> bytes:
    """Semicolon-separated UTF-8 with BOM: Norwegian Excel opens it with the columns and æøå right."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(OVERSKRIFTER)
    writer.writerow([k.eksempel for k in KOLONNER])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    workbook = Workbook()
    sheet: Worksheet = workbook.active
    sheet.title = "Vedtak"
    sheet.append(OVERSKRIFTER)
    sheet.append([k.eksempel for k in KOLONNER])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, kolonne in enumerate(KOLONNER, start=1):
        # The example row is text as written (the admin may type over it).
        sheet.cell(row=2, column=index).number_format = "@"
        column = sheet.column_dimensions[get_column_letter(index)]
        column.width = max(14, len(kolonne.overskrift) + 4)
        if kolonne.tekst:
            # The column's own style (`<col style=…>`, as Excel writes «Format Cells: Text» for a whole
            # column): every cell typed into it later is text, in every row, also once the example row
            # is deleted; a fødselsnummer typed as a number would lose its leading 0.
            column.number_format = "@"
    beskrivelse: Worksheet = workbook.create_sheet("Beskrivelse")
    beskrivelse.append(["Kolonne", "Påkrevd", "Beskrivelse"])
    for cell in beskrivelse[1]:
        cell.font = Font(bold=True)
    for kolonne in KOLONNER:
        beskrivelse.append([kolonne.overskrift, "ja" if kolonne.pakrevd else "nei", kolonne.beskrivelse])
    beskrivelse.column_dimensions["A"].width = 24
    beskrivelse.column_dimensions["C"].width = 100
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
