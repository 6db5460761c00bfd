"""ICD-10's structure as the national overview uses it: a code's 3-character category and its chapter."""

from __future__ import annotations

import re

# WHO ICD-10 (2019) chapters by category range; the Norwegian edition keeps the same chapters.
KAPITLER: tuple[tuple[str, str, str, str], ...] = (
    ("I", "A00", "B99", "Visse infeksjonssykdommer og parasittsykdommer"),
    ("II", "C00", "D48", "Svulster"),
    (
        "III",
        "D50",
        "D89",
        "Sykdommer i blod og bloddannende organer og visse tilstander som angår immunsystemet",
    ),
    ("IV", "E00", "E90", "Endokrine sykdommer, ernæringssykdommer og metabolske forstyrrelser"),
    ("V", "F00", "F99", "Psykiske lidelser og atferdsforstyrrelser"),
    ("VI", "G00", "G99", "Sykdommer i nervesystemet"),
    ("VII", "H00", "H59", "Sykdommer i øyet og øyets omgivelser"),
    ("VIII", "H60", "H95", "Sykdommer i øre og ørebensknute"),
    ("IX", "I00", "I99", "Sykdommer i sirkulasjonssystemet"),
    ("X", "J00", "J99", "Sykdommer i åndedrettssystemet"),
    ("XI", "K00", "K93", "Sykdommer i fordøyelsessystemet"),
    ("XII", "L00", "L99", "Sykdommer i hud og underhud"),
    ("XIII", "M00", "M99", "Sykdommer i muskel-skjelettsystemet og bindevev"),
    ("XIV", "N00", "N99", "Sykdommer i urin- og kjønnsorganer"),
    ("XV", "O00", "O99", "Svangerskap, fødsel og barseltid"),
    ("XVI", "P00", "P96", "Visse tilstander som oppstår i perinatalperioden"),
    ("XVII", "Q00", "Q99", "Medfødte misdannelser, deformiteter og kromosomavvik"),
    ("XVIII", "R00", "R99", "Symptomer, tegn, unormale kliniske funn og laboratoriefunn"),
    ("XIX", "S00", "T98", "Skader, forgiftninger og visse andre konsekvenser av ytre årsaker"),
    ("XX", "V01", "Y98", "Ytre årsaker til sykdom og død"),
    ("XXI", "Z00", "Z99", "Faktorer som har betydning for helsetilstand og kontakt med helsetjenesten"),
    ("XXII", "U00", "U99", "Koder for spesielle formål"),
)
KAPITTEL_NAVN = {nr: navn for nr, _, _, navn in KAPITLER}
KAPITTEL_OMRADE = {nr: (fra, til) for nr, fra, til, _ in KAPITLER}
UKJENT_KAPITTEL = "?"

_KAPITTEL = re.compile(r"(?:[IVX]+)")


def kategori(kode: str) -> str:
    """`G36.0` → `G36`: the 3-character category."""
    return kode.replace(".", "").upper()[:3]


def kapittel(kode: str) -> str:
    """The chapter's Roman numeral, or `?` for a code outside every chapter."""
    kat = kategori(kode)
    for nr, fra, til, _ in KAPITLER:
        if fra <= kat <= til:
            return nr
    return UKJENT_KAPITTEL


def is_kapittel(value: str) -> bool:
    return bool(_KAPITTEL.fullmatch(value)) and value in KAPITTEL_NAVN


def kapittel_label(nr: str) -> str:
    if nr not in KAPITTEL_OMRADE:
        return "Ukjent kapittel"
    fra, til = KAPITTEL_OMRADE[nr]
    return f"Kapittel {nr} ({fra}–{til})"
