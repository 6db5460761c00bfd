"""Format of one answer per answer type, with Norwegian messages; empty answers are simply not given.

Pure: the deployment's `allow_synthetic` and today's date come in as arguments."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.domain.identifiers import InvalidPersonnummer, validate_fodselsnummer
from shared.domain.labels import KJONN_LABELS
from shared.platform.errors import ValidationFailed
from shared.platform.web.params import parse_int
from soknad.skjema.modell import Skjema, Sporsmal

Feil = tuple[str, str]
"""(field, Norwegian message); field is `innhold.<id>` or `innhold.<id>.<part>`."""

KORT_TEKST_MAKS = 200
LANG_TEKST_MAKS = 20_000
BELOP_MAKS = 1_000_000_000

MSG_UKJENT = "Ukjent spørsmål i skjemaet."
MSG_UKJENT_DEL = "Ukjent felt."
MSG_TEKST = "Må være tekst."
MSG_HELTALL = "Må være et heltall."
MSG_BELOP = "Må være et beløp i hele kroner, for eksempel 150000."
MSG_DATO = "Må være en gyldig dato (ÅÅÅÅ-MM-DD)."
MSG_FREMTID = "Datoen kan ikke være frem i tid."
MSG_VALG = "Velg et av alternativene."
MSG_JA_NEI = "Svar ja eller nei."
MSG_OBJEKT = "Forventet et JSON-objekt."
MSG_ATC = "ATC-koden har feil format (for eksempel L01FA01)."
MSG_ICD10 = "ICD-10-koden har feil format (for eksempel G35 eller G36.0)."
MSG_FOR_STORT = "Tallet er for stort."
MSG_FOR_LITE = "Tallet er for lite."


@dataclass(frozen=True)
class Del:
    etikett: str
    maks_lengde: int = KORT_TEKST_MAKS
    pakrevd: bool = False


DELER: dict[str, dict[str, Del]] = {
    "legemiddel": {
        "navn": Del("Legemiddelnavn", pakrevd=True),
        "virkestoff": Del("Virkestoff", pakrevd=True),
        "atc": Del("ATC-kode", maks_lengde=7),
        "fest_id": Del("FEST-id", maks_lengde=60),
        "legemiddelform": Del("Legemiddelform"),
        "styrke": Del("Styrke"),
    },
    "icd10": {
        "kode": Del("ICD-10-kode", maks_lengde=8, pakrevd=True),
        "tekst": Del("Diagnosetekst", maks_lengde=300, pakrevd=True),
    },
}
"""The fixed parts of composite answers (a contract with the API, the page and the event mapping);
each also has a boolean `verifisert`: chosen from the catalogue (true) or typed by hand (false)."""

_ATC = re.compile(r"[A-Z](\d{2}([A-Z]([A-Z](\d{2})?)?)?)?")
_ICD10 = re.compile(r"[A-Z]\d{2}(\.?\d{1,2})?")
_NORSK_DATO = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_TRUE = {"true", "on", "1", "ja"}
_DIGITS = re.compile(r"[+-]?[0-9]+")


class _Ugyldig(Exception):
    def __init__(self, message: str, part: str | None = None):
        super().__init__(message)
        self.message = message
        self.part = part


def is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, dict):
        return all(is_empty(v) for k, v in value.items() if k != "verifisert")
    return False


def normalize_answer(sp: Sporsmal, value: Any, *, allow_synthetic: bool, today: date) -> Any:
    """The stored form of one answer (None when empty); raises `_Ugyldig` when malformed."""
    if value is None or (is_empty(value) and not sp.kompositt):
        return None
    match sp.type:
        case "kort_tekst" | "lang_tekst":
            return _text(
                value, sp.maks_lengde or (KORT_TEKST_MAKS if sp.type == "kort_tekst" else LANG_TEKST_MAKS)
            )
        case "heltall":
            return _bounded(_integer(value, MSG_HELTALL), sp, unit="")
        case "belop":
            return _bounded(_integer(value, MSG_BELOP, amount=True), sp, unit=" kr")
        case "dato":
            return _date(value, sp, today)
        case "valg":
            if not isinstance(value, str) or value not in {a.verdi for a in sp.alternativer}:
                raise _Ugyldig(MSG_VALG)
            return value
        case "ja_nei":
            if isinstance(value, bool):
                return "ja" if value else "nei"
            if isinstance(value, str) and value.strip().lower() in ("ja", "nei"):
                return value.strip().lower()
            raise _Ugyldig(MSG_JA_NEI)
        case "personnummer":
            if not isinstance(value, str | int):
                raise _Ugyldig(MSG_TEKST)
            try:
                return validate_fodselsnummer(str(value), allow_synthetic=allow_synthetic, today=today).value
            except InvalidPersonnummer as exc:
                raise _Ugyldig(exc.message_nb) from exc
        case "legemiddel" | "icd10":
            return _composite(sp.type, value)
    raise AssertionError(sp.type)  # pragma: no cover - Svartype is exhaustive


def _text(value: Any, limit: int) -> str:
    if not isinstance(value, str):
        raise _Ugyldig(MSG_TEKST)
    text = value.strip()
    if len(text) > limit:
        raise _Ugyldig(f"Teksten er for lang (høyst {limit} tegn).")
    return text


def _integer(value: Any, message: str, *, amount: bool = False) -> int:
    if isinstance(value, bool):
        raise _Ugyldig(message)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "")
        if amount:
            text = text.removesuffix(",-").removesuffix("kr").removesuffix("NOK").strip()
        try:
            # ASCII digits, bounded: «²» or 5,000 digits is a message next to the field, not a 500.
            return parse_int(text, field="svar")
        except ValidationFailed:
            if _DIGITS.fullmatch(text):
                raise _Ugyldig(MSG_FOR_STORT if not text.startswith("-") else MSG_FOR_LITE) from None
    raise _Ugyldig(message)


def _bounded(number: int, sp: Sporsmal, *, unit: str) -> int:
    low = sp.min if sp.min is not None else (0 if sp.type == "belop" else None)
    high = sp.maks if sp.maks is not None else (BELOP_MAKS if sp.type == "belop" else None)
    if low is not None and number < low:
        raise _Ugyldig(f"Må være minst {low}{unit}.")
    if high is not None and number > high:
        raise _Ugyldig(f"Kan ikke være mer enn {high:,}{unit}.".replace(",", "\u00a0"))
    return number


def _date(value: Any, sp: Sporsmal, today: date) -> str:
    if not isinstance(value, str):
        raise _Ugyldig(MSG_DATO)
    text = value.strip()
    try:
        norsk = _NORSK_DATO.fullmatch(text)
        parsed = (
            date(int(norsk.group(3)), int(norsk.group(2)), int(norsk.group(1)))
            if norsk
            else date.fromisoformat(text)
        )
    except ValueError:
        raise _Ugyldig(MSG_DATO) from None
    if len(text) != 10 and not norsk:  # fromisoformat also takes 20260101 and week dates
        raise _Ugyldig(MSG_DATO)
    if sp.ikke_i_fremtiden and parsed > today:
        raise _Ugyldig(MSG_FREMTID)
    return parsed.isoformat()


def _composite(kind: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Ugyldig(MSG_OBJEKT)
    parts = DELER[kind]
    result: dict[str, Any] = {}
    for key, raw in value.items():
        if key == "verifisert":
            result[key] = raw if isinstance(raw, bool) else str(raw).strip().lower() in _TRUE
            continue
        part = parts.get(key)
        if part is None:
            raise _Ugyldig(MSG_UKJENT_DEL, key)
        if raw is None:
            raw = ""
        if not isinstance(raw, str):
            raise _Ugyldig(MSG_TEKST, key)
        text = raw.strip()
        if len(text) > part.maks_lengde:
            raise _Ugyldig(f"Teksten er for lang (høyst {part.maks_lengde} tegn).", key)
        result[key] = text
    if kind == "legemiddel" and result.get("atc"):
        result["atc"] = result["atc"].upper()
        if not _ATC.fullmatch(result["atc"]):
            raise _Ugyldig(MSG_ATC, "atc")
    if kind == "icd10" and result.get("kode"):
        kode = result["kode"].upper()
        if not _ICD10.fullmatch(kode):
            raise _Ugyldig(MSG_ICD10, "kode")
        result["kode"] = f"{kode[:3]}.{kode[3:]}" if len(kode) > 3 and "." not in kode else kode
    return result


def validate_answer(
    sp: Sporsmal, value: Any, *, allow_synthetic: bool, today: date
) -> tuple[Any, list[Feil]]:
    """(stored value, []) or (None, [(field, message)])."""
    try:
        return normalize_answer(sp, value, allow_synthetic=allow_synthetic, today=today), []
    except _Ugyldig as exc:
        field = f"innhold.{sp.id}" + (f".{exc.part}" if exc.part else "")
        return None, [(field, exc.message)]


def validate_answers(
    skjema: Skjema, answers: Mapping[str, Any], *, allow_synthetic: bool, today: date
) -> tuple[dict[str, Any], list[Feil]]:
    """Format of the answers given (a draft may be half-written); unknown question ids are errors."""
    clean: dict[str, Any] = {}
    errors: list[Feil] = []
    for key, value in answers.items():
        sp = skjema.finn(key)
        if sp is None:
            errors.append((f"innhold.{key}", MSG_UKJENT))
            continue
        normalized, problems = validate_answer(sp, value, allow_synthetic=allow_synthetic, today=today)
        errors.extend(problems)
        if not problems:
            clean[key] = normalized
    return clean, errors


def merge_answers(stored: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """Answers left out are kept; an empty answer clears; composites merge part by part, so a part the
    page held back (it was invalid) keeps its last saved value."""
    merged = dict(stored)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            value = {**merged[key], **value}
        if value is None or (isinstance(value, dict) and is_empty(value) and not value.get("verifisert")):
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def derive(skjema: Skjema, innhold: Mapping[str, Any], *, today: date) -> dict[str, dict[str, Any]]:
    """Age and sex derived from every personnummer answer, for display next to the field."""
    derived: dict[str, dict[str, Any]] = {}
    for sp in skjema.sporsmal():
        value = innhold.get(sp.id)
        if sp.type != "personnummer" or not isinstance(value, str) or not value:
            continue
        try:
            number = validate_fodselsnummer(value, allow_synthetic=True, today=today)
        except InvalidPersonnummer:
            continue
        alder = number.age(today)
        parts = []
        if alder is not None:
            parts.append(f"{alder} år")
        if number.sex:
            parts.append(KJONN_LABELS[number.sex].lower())
        derived[sp.id] = {
            "alder": alder,
            "kjonn": number.sex,
            "tekst": ", ".join(parts).capitalize()
            if parts
            else "Alder og kjønn kan ikke utledes av nummeret",
        }
    return derived
