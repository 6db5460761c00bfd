"""Checking one row of a post-registration file: every bad value named by column, in Norwegian.

Pure: the catalogue's answers for the row's drug and code, the trust's units and today come in."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from shared.domain.identifiers import InvalidPersonnummer, Personnummer, validate_fodselsnummer
from shared.domain.labels import KATEGORI_LABELS
from shared.domain.oppslag import DiagnoseTreff
from soknad.etterregistrering.katalogoppslag import ICD10, Legemiddelvalg, fold, normalise_icd10
from soknad.etterregistrering.kolonner import BY_KEY

EARLIEST = date(1990, 1, 1)
"""Older than any decision a trust could still hold in its files; an earlier date is a typing error."""

MAX_TEKST = 200
MAX_REFERANSE = 100
MAX_KOSTNAD = 1_000_000_000

TYPER = {"enkeltpasient": "enkeltpasient", "gruppe": "gruppe", "pasientgruppe": "gruppe"}
KATEGORIER = {
    **{k: k for k in KATEGORI_LABELS},
    **{fold(label): k for k, label in KATEGORI_LABELS.items()},
    "off-label": "off_label",
    "off label": "off_label",
}
UTFALL = {
    "innvilget": "innvilget",
    "innvilget med vilkår": "innvilget_med_vilkar",
    "innvilget med vilkar": "innvilget_med_vilkar",
    "innvilget_med_vilkar": "innvilget_med_vilkar",
    "avslått": "avslatt",
    "avslatt": "avslatt",
}
_DATO_NORSK = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_DATO_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_HELTALL = re.compile(r"\d+")
_SIFFER = re.compile(r"[0-9]+")
_NO_CELLS = dict.fromkeys(BY_KEY, "")
_folded = lru_cache(maxsize=8192)(fold)
"""`fold` of the few values a file repeats (types, schemes, outcomes, drugs), six times a row."""


@dataclass(frozen=True)
class Feil:
    radnummer: int
    kolonne: str
    """The column's heading as the file has it."""
    melding: str


@dataclass(frozen=True)
class Kontekst:
    enheter: frozenset[str]
    today: date
    allow_synthetic: bool
    legemidler: Mapping[str, Legemiddelvalg | None]
    diagnoser: Mapping[str, DiagnoseTreff | None]
    personnumre: dict[str, Personnummer | str] = field(default_factory=dict)
    """Numbers checked so far in this file, with the result."""


def check_row(
    radnummer: int, rad: Mapping[str, str], ctx: Kontekst
) -> tuple[dict[str, Any] | None, list[Feil]]:
    """The row as the import stores it, or None and what is wrong with it."""
    feil: list[Feil] = []

    def bad(key: str, melding: str) -> None:
        feil.append(Feil(radnummer, BY_KEY[key].overskrift, melding))

    # Every column present (empty when the file lacks it), so a value is a plain (C-level) look-up: this
    # runs some twenty times a row.
    cells = _NO_CELLS | {key: (text or "").strip() for key, text in rad.items()}
    value = cells.__getitem__

    saksreferanse = value("saksreferanse") or None
    if saksreferanse and len(saksreferanse) > MAX_REFERANSE:
        bad("saksreferanse", f"Saksreferansen er for lang (høyst {MAX_REFERANSE} tegn).")

    type_ = _choice(value("type"), TYPER)
    if not value("type"):
        bad("type", "Type mangler. Skriv enkeltpasient eller gruppe.")
    elif type_ is None:
        bad("type", f"Ukjent type «{_short(value('type'))}». Skriv enkeltpasient eller gruppe.")

    kategori = _choice(value("kategori"), KATEGORIER)
    if not value("kategori"):
        bad(
            "kategori",
            "Ordning mangler. Skriv off_label, godkjenningsfritak, unntaksordningen eller tilgangsordningen.",
        )
    elif kategori is None:
        bad(
            "kategori",
            f"Ukjent ordning «{_short(value('kategori'))}». Skriv off_label, godkjenningsfritak, "
            "unntaksordningen eller tilgangsordningen.",
        )

    enhet = value("enhet").upper()
    if not enhet:
        bad("enhet", "Enhet mangler. Skriv enhetskoden fra helseforetakets katalog, for eksempel HBE-NEVRO.")
    elif enhet not in ctx.enheter:
        bad(
            "enhet",
            f"Ukjent enhet «{_short(value('enhet'))}». Bruk en enhetskode fra helseforetakets katalog.",
        )

    pasient: dict[str, Any] = {}
    fnr, navn = value("fodselsnummer"), value("pasient_navn")
    if type_ == "gruppe":
        if fnr:
            bad("fodselsnummer", "En pasientgruppe skal ikke ha fødselsnummer. La feltet stå tomt.")
        if navn:
            bad("pasient_navn", "En pasientgruppe skal ikke ha pasientnavn. La feltet stå tomt.")
    elif type_ == "enkeltpasient":
        if not fnr:
            bad("fodselsnummer", "Fødselsnummer mangler. Det er påkrevd for enkeltpasient.")
        else:
            person = _personnummer(fnr, ctx)
            if isinstance(person, str):
                bad("fodselsnummer", f"Ugyldig fødselsnummer: {person}")
            else:
                pasient = {
                    "fodselsnummer": person.value,
                    "fodselsdato": person.birth_date.isoformat() if person.birth_date else None,
                    "kjonn": person.sex,
                }
        if not navn:
            bad("pasient_navn", "Pasientnavn mangler. Det er påkrevd for enkeltpasient.")
        elif len(navn) > MAX_TEKST:
            bad("pasient_navn", f"Pasientnavnet er for langt (høyst {MAX_TEKST} tegn).")

    gruppe_storrelse: int | None = None
    if value("gruppe_storrelse"):
        raw = value("gruppe_storrelse").replace(" ", "").replace("\u00a0", "")
        if type_ == "enkeltpasient":
            bad("gruppe_storrelse", "Gruppestørrelse gjelder bare pasientgrupper. La feltet stå tomt.")
        elif not _HELTALL.fullmatch(raw) or int(raw) < 1 or int(raw) > 100_000:
            bad("gruppe_storrelse", "Gruppestørrelsen må være et helt tall fra 1 til 100 000.")
        else:
            gruppe_storrelse = int(raw)

    legemiddel = ctx.legemidler.get(_folded(value("legemiddel"))) if value("legemiddel") else None
    if not value("legemiddel"):
        bad("legemiddel", "Legemiddel mangler. Skriv preparatnavn, virkestoff, ATC-kode eller FEST-id.")
    elif legemiddel is None:
        bad(
            "legemiddel",
            f"Fant ikke «{_short(value('legemiddel'))}» i legemiddelkatalogen. "
            "Skriv preparatnavn, virkestoff, ATC-kode eller FEST-id slik katalogen har dem.",
        )

    kode = normalise_icd10(value("icd10"))
    diagnose = ctx.diagnoser.get(kode)
    if not kode:
        bad("icd10", "ICD-10-kode mangler, for eksempel G35 eller G36.0.")
    elif not ICD10.fullmatch(kode):
        bad(
            "icd10", f"«{_short(value('icd10'))}» er ikke en ICD-10-kode. Skriv for eksempel G35 eller G36.0."
        )
    elif diagnose is None:
        bad("icd10", f"Fant ikke ICD-10-koden {kode} i kodeverket.")

    sendt = _date(value("sendt_dato"), "sendt_dato", "Søknadsdato", ctx, bad)
    vedtatt = _date(value("vedtak_dato"), "vedtak_dato", "Vedtaksdato", ctx, bad)
    if sendt and vedtatt and vedtatt < sendt:
        bad("vedtak_dato", "Vedtaksdatoen kan ikke være før søknadsdatoen.")

    utfall = _choice(value("utfall"), UTFALL)
    if not value("utfall"):
        bad("utfall", "Utfall mangler. Skriv innvilget, innvilget med vilkår eller avslått.")
    elif utfall is None:
        bad(
            "utfall",
            f"Ukjent utfall «{_short(value('utfall'))}». "
            "Skriv innvilget, innvilget med vilkår eller avslått.",
        )

    gyldig_til: date | None = None
    if value("gyldig_til"):
        gyldig_til = _parse_date(value("gyldig_til"))
        if gyldig_til is None:
            bad("gyldig_til", "Skriv datoen som ÅÅÅÅ-MM-DD eller DD.MM.ÅÅÅÅ, for eksempel 2020-03-18.")
        elif utfall == "avslatt":
            bad("gyldig_til", "Et avslag har ingen gyldighet. La «Gyldig til» stå tom.")
        elif vedtatt and gyldig_til < vedtatt:
            bad("gyldig_til", "«Gyldig til» kan ikke være før vedtaksdatoen.")

    kostnad: int | None = None
    if value("estimert_kostnad"):
        raw = re.sub(r"[\s\u00a0]|kr\.?$|,-$", "", value("estimert_kostnad"), flags=re.IGNORECASE)
        if not _HELTALL.fullmatch(raw) or int(raw) > MAX_KOSTNAD:
            bad("estimert_kostnad", "Kostnaden må være et helt antall kroner, for eksempel 180000.")
        else:
            kostnad = int(raw)

    soker = value("soker_navn") or None
    if soker and len(soker) > MAX_TEKST:
        bad("soker_navn", f"Søkerens navn er for langt (høyst {MAX_TEKST} tegn).")

    if feil:
        return None, feil
    assert type_ and kategori and legemiddel and diagnose and sendt and vedtatt and utfall
    return {
        "saksreferanse": saksreferanse,
        "type": type_,
        "kategori": kategori,
        "enhet": enhet,
        "pasient_navn": navn or None,
        **pasient,
        "gruppe_storrelse": gruppe_storrelse,
        "legemiddel": {
            "navn": legemiddel.navn,
            "virkestoff": legemiddel.virkestoff,
            "atc": legemiddel.atc,
            "fest_id": legemiddel.fest_id,
            "legemiddelform": legemiddel.legemiddelform,
            "styrke": legemiddel.styrke,
        },
        "indikasjon": {"kode": diagnose.kode, "tekst": diagnose.tekst},
        "sendt_dato": sendt.isoformat(),
        "vedtak_dato": vedtatt.isoformat(),
        "utfall": utfall,
        "gyldig_til": gyldig_til.isoformat() if gyldig_til else None,
        "estimert_kostnad_nok": kostnad,
        "soker_navn": soker,
    }, []


def stable_key(data: Mapping[str, Any]) -> str:
    """The row's identity across uploads: its old case reference, or else what identifies the decision.
    Hashed, so the key itself never shows a fødselsnummer."""
    if data.get("saksreferanse"):
        source = "ref\x1f" + fold(str(data["saksreferanse"]))
    else:
        legemiddel = data["legemiddel"]
        source = "\x1f".join(
            str(part or "")
            for part in (
                data["type"],
                data["kategori"],
                data["enhet"],
                data.get("fodselsnummer"),
                legemiddel.get("fest_id") or legemiddel.get("atc"),
                data["indikasjon"]["kode"],
                data["sendt_dato"],
                data["vedtak_dato"],
                data["utfall"],
            )
        )
    return hashlib.sha256(source.encode()).hexdigest()


def _choice(value: str, allowed: Mapping[str, str]) -> str | None:
    return allowed.get(_folded(value)) if value else None


def _short(value: str) -> str:
    return value if len(value) <= 40 else value[:40] + "…"


def _personnummer(value: str, ctx: Kontekst) -> Personnummer | str:
    """The validated number or the Norwegian reason it is not one; kept for the import only (a patient
    recurs in a file), never in the process beyond it.

    Ten digits are a number that lost its leading 0 in Excel (a cell typed as a number, or a CSV saved
    from such a sheet): born on day 1 to 9 of a month. It is checked with the 0 put back; the control
    digits refuse a wrong guess."""
    known = ctx.personnumre.get(value)
    if known is None:
        mangler_null = len(value) == 10 and _SIFFER.fullmatch(value) is not None
        try:
            known = validate_fodselsnummer(
                "0" + value if mangler_null else value, allow_synthetic=ctx.allow_synthetic, today=ctx.today
            )
        except InvalidPersonnummer as exc:
            known = (
                f"Fødselsnummeret har 10 siffer. Med en 0 foran, som Excel kan ha fjernet: {exc.message_nb}"
                if mangler_null
                else exc.message_nb
            )
        ctx.personnumre[value] = known
    return known


@lru_cache(maxsize=20_000)
def _parse_date(value: str) -> date | None:
    text = value.strip().split(" ")[0].split("T")[0]
    for pattern, order in ((_DATO_ISO, (0, 1, 2)), (_DATO_NORSK, (2, 1, 0))):
        match = pattern.fullmatch(text)
        if match:
            parts = match.groups()
            try:
                return date(int(parts[order[0]]), int(parts[order[1]]), int(parts[order[2]]))
            except ValueError:
                return None
    return None


def _date(value: str, key: str, navn: str, ctx: Kontekst, bad: Any) -> date | None:
    if not value:
        bad(key, f"{navn} mangler. Skriv datoen som ÅÅÅÅ-MM-DD eller DD.MM.ÅÅÅÅ.")
        return None
    parsed = _parse_date(value)
    if parsed is None:
        bad(key, f"«{_short(value)}» er ikke en gyldig dato. Skriv datoen som ÅÅÅÅ-MM-DD eller DD.MM.ÅÅÅÅ.")
        return None
    if parsed > ctx.today:
        bad(key, f"{navn} kan ikke være fram i tid.")
        return None
    if parsed < EARLIEST:
        bad(key, f"{navn} kan ikke være før {EARLIEST.year}.")
        return None
    return parsed
