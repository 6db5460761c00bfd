"""Norwegian identifiers: fødselsnummer and relatives, organisasjonsnummer, age bands.

Pure functions, standard library only (DOMAIN.md section 5).

Fødselsnummer layout: ``DDMMYY`` + individnummer (3 digits) + k1 + k2.

* D-nummer: day + 40.
* H-nummer (hospital-internal) and NAV Dolly synthetic numbers: month + 40. The two share a pattern
  and cannot be told apart, so both are treated as synthetic/test-like (kind ``h_eller_dolly``).
* Skatteetaten Tenor/TestNorge synthetic numbers: month + 80 (kind ``tenor``).
* FH-nummer (NHN): first digit 8 or 9, otherwise random; only the check digits carry meaning.

Check digits: k1 with weights [3,7,6,1,8,9,4,5,2], k2 with weights [5,4,3,2,7,6,5,4,3,2]
(over the first ten digits, k1 included); ``11 - (sum mod 11)``, where 11 becomes 0 and 10 is invalid.
From 1.1.2032 k1 may be any of ``{11,12,13,14} - (sum mod 11)`` (each taken mod 11, 10 excluded);
such numbers carry neither sex nor century. Numbers valid under either rule are accepted.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

__all__ = [
    "AGE_BANDS",
    "InvalidPersonnummer",
    "Personnummer",
    "PersonnummerKind",
    "Sex",
    "age_band",
    "find_personnummer_like",
    "is_mod11_valid",
    "redact_personnummer_like",
    "synthetic_fodselsnummer",
    "validate_fodselsnummer",
    "validate_organisasjonsnummer",
]

PersonnummerKind = Literal["fodselsnummer", "d_nummer", "h_eller_dolly", "tenor", "fh"]
Sex = Literal["mann", "kvinne"]

K1_WEIGHTS: Final = (3, 7, 6, 1, 8, 9, 4, 5, 2)
K2_WEIGHTS: Final = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
ORGNR_WEIGHTS: Final = (3, 2, 7, 6, 5, 4, 3, 2)

D_NUMMER_DAY_OFFSET: Final = 40
H_OR_DOLLY_MONTH_OFFSET: Final = 40
TENOR_MONTH_OFFSET: Final = 80

# Norwegian messages shown to users; codes are stable machine-readable keys.
MSG_EMPTY: Final = "Fødselsnummer mangler."
MSG_INVALID_CHARACTERS: Final = (
    "Fødselsnummeret kan bare inneholde siffer, eventuelt med ett mellomrom etter de seks første."
)
MSG_WRONG_LENGTH: Final = "Fødselsnummeret må ha 11 siffer."
MSG_CHECK_DIGITS: Final = "Kontrollsifrene stemmer ikke."
MSG_SYNTHETIC_NOT_ALLOWED: Final = "Syntetiske testnumre er ikke tillatt i denne installasjonen."
MSG_INVALID_DATE: Final = "Datoen i nummeret finnes ikke."
MSG_FUTURE_DATE: Final = "Fødselsdatoen i nummeret kan ikke være frem i tid."

_ASCII_DIGITS = re.compile(r"[0-9]+")
_FNR_INPUT = re.compile(r"([0-9]{6}) ?([0-9]{5})")
_FNR_IN_TEXT = re.compile(r"(?<![0-9])([0-9]{6}) ?([0-9]{5})(?![0-9])")
_ORGNR_INPUT = re.compile(r"[0-9]{9}|[0-9]{3} [0-9]{3} [0-9]{3}")


class InvalidPersonnummer(ValueError):
    """A fødselsnummer (or D-/H-/FH-/synthetic number) that cannot be accepted.

    ``message_nb`` is a Norwegian (bokmål) message fit for the user; ``code`` is one of
    ``tomt``, ``ugyldige_tegn``, ``feil_lengde``, ``kontrollsiffer``, ``ugyldig_dato``,
    ``syntetisk_ikke_tillatt``, ``fremtidig_dato``. Subclasses ValueError, so pydantic validators
    turn it into an ordinary validation error.
    """

    def __init__(self, message_nb: str, code: str) -> None:
        super().__init__(message_nb)
        self.message_nb = message_nb
        self.code = code


@dataclass(frozen=True, slots=True, repr=False)
class Personnummer:
    """A validated Norwegian person identifier.

    ``birth_date`` and ``sex`` are ``None`` when they cannot be derived from the number: FH-nummer,
    numbers that are valid only under the 2032 rule, or an individnummer outside the century series.
    ``repr``/``str`` never show the full number; use ``value``. A D-nummer with a synthetic month
    offset gets the synthetic kind.
    """

    value: str
    kind: PersonnummerKind
    synthetic: bool
    birth_date: date | None
    sex: Sex | None
    uses_2032_rule: bool = False

    def age(self, on: date) -> int | None:
        """Whole years completed on ``on``; None when the birth date is unknown."""
        if self.birth_date is None:
            return None
        born = self.birth_date
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    def masked(self) -> str:
        """The first six digits followed by five asterisks, e.g. ``150385*****``."""
        return self.value[:6] + "*" * 5

    def __repr__(self) -> str:
        return f"Personnummer({self.masked()!r}, kind={self.kind!r}, synthetic={self.synthetic})"


# --- check digits -------------------------------------------------------------------------------


def _weighted_sum(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True))


def _control_digit(remainder: int) -> int | None:
    """``11 - remainder`` with 11 → 0 and 10 → None (invalid)."""
    k = 11 - remainder
    if k == 11:
        return 0
    if k == 10:
        return None
    return k


def _classic_k1(first_nine: str) -> int | None:
    return _control_digit(_weighted_sum(first_nine, K1_WEIGHTS) % 11)


def _k1_candidates_2032(first_nine: str) -> frozenset[int]:
    remainder = _weighted_sum(first_nine, K1_WEIGHTS) % 11
    return frozenset(k % 11 for k in (c - remainder for c in (11, 12, 13, 14)) if k % 11 != 10)


def _k2(first_ten: str) -> int | None:
    return _control_digit(_weighted_sum(first_ten, K2_WEIGHTS) % 11)


def _check_digit_rule(value: str) -> Literal["classic", "2032"] | None:
    """Which k1 rule makes the 11-digit ``value`` valid: classic first, then 2032; None if neither."""
    if _k2(value[:10]) != int(value[10]):
        return None
    k1 = int(value[9])
    if _classic_k1(value[:9]) == k1:
        return "classic"
    if k1 in _k1_candidates_2032(value[:9]):
        return "2032"
    return None


def is_mod11_valid(value: str) -> bool:
    """True for exactly 11 ASCII digits whose check digits are valid under the classic or 2032 rule."""
    if len(value) != 11 or not _ASCII_DIGITS.fullmatch(value):
        return False
    return _check_digit_rule(value) is not None


# --- validation ---------------------------------------------------------------------------------


def _normalise(value: str) -> str:
    stripped = value.strip()
    if not stripped:
        raise InvalidPersonnummer(MSG_EMPTY, "tomt")
    match = _FNR_INPUT.fullmatch(stripped)
    if match:
        return match.group(1) + match.group(2)
    compact = stripped.replace(" ", "")
    if not _ASCII_DIGITS.fullmatch(compact) or len(compact) == 11:  # other characters, or misplaced spaces
        raise InvalidPersonnummer(MSG_INVALID_CHARACTERS, "ugyldige_tegn")
    raise InvalidPersonnummer(MSG_WRONG_LENGTH, "feil_lengde")


def _century_year(two_digit_year: int, individnummer: int) -> int | None:
    """Four-digit birth year from the individnummer series (classic rule); None outside the series."""
    if individnummer <= 499:
        return 1900 + two_digit_year
    if individnummer <= 749 and two_digit_year >= 54:
        return 1800 + two_digit_year
    if two_digit_year <= 39:  # individnummer 500-999
        return 2000 + two_digit_year
    if individnummer >= 900:  # year 40-99
        return 1900 + two_digit_year
    return None


def _day_month_exists(day: int, month: int, two_digit_year: int) -> bool:
    """Whether day/month exists in some century for this two-digit year (29.02 if yy % 4 == 0)."""
    if not 1 <= month <= 12:
        return False
    # 2000 + yy is a leap year exactly when yy % 4 == 0 (2000 included), which is the permissive choice.
    return 1 <= day <= calendar.monthrange(2000 + two_digit_year, month)[1]


def validate_fodselsnummer(value: str, *, allow_synthetic: bool, today: date | None = None) -> Personnummer:
    """Validate a fødselsnummer, D-nummer, H-/Dolly-, Tenor- or FH-nummer.

    Surrounding whitespace and a single space after the six date digits are accepted. Month + 40
    (H-nummer/Dolly) and month + 80 (Tenor) are synthetic and only accepted when ``allow_synthetic``.
    ``today`` (default: the local date) rejects birth dates in the future.

    Raises InvalidPersonnummer with a Norwegian message and a code.
    """
    digits = _normalise(value)
    rule = _check_digit_rule(digits)
    if rule is None:
        raise InvalidPersonnummer(MSG_CHECK_DIGITS, "kontrollsiffer")
    uses_2032 = rule == "2032"

    if digits[0] in "89":
        return Personnummer(digits, "fh", False, None, None, uses_2032)

    day, month, yy = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    individnummer = int(digits[6:9])

    kind: PersonnummerKind = "fodselsnummer"
    if day > D_NUMMER_DAY_OFFSET:
        day -= D_NUMMER_DAY_OFFSET
        kind = "d_nummer"
    synthetic = False
    if month > TENOR_MONTH_OFFSET:
        month -= TENOR_MONTH_OFFSET
        kind, synthetic = "tenor", True
    elif month > H_OR_DOLLY_MONTH_OFFSET:
        month -= H_OR_DOLLY_MONTH_OFFSET
        kind, synthetic = "h_eller_dolly", True

    if not _day_month_exists(day, month, yy):
        raise InvalidPersonnummer(MSG_INVALID_DATE, "ugyldig_dato")

    birth_date: date | None = None
    sex: Sex | None = None
    if not uses_2032:
        sex = "mann" if int(digits[8]) % 2 == 1 else "kvinne"
        year = _century_year(yy, individnummer)
        if year is not None:
            try:
                birth_date = date(year, month, day)
            except ValueError:  # 29.02 in a non-leap century year, e.g. 1900
                raise InvalidPersonnummer(MSG_INVALID_DATE, "ugyldig_dato") from None

    if synthetic and not allow_synthetic:
        raise InvalidPersonnummer(MSG_SYNTHETIC_NOT_ALLOWED, "syntetisk_ikke_tillatt")

    if birth_date is not None and birth_date > (today or date.today()):
        raise InvalidPersonnummer(MSG_FUTURE_DATE, "fremtidig_dato")

    return Personnummer(digits, kind, synthetic, birth_date, sex, uses_2032)


# --- scanning text ------------------------------------------------------------------------------


def find_personnummer_like(text: str) -> list[str]:
    """Every mod-11-valid 11-digit run in ``text``, in order, exactly as it appears.

    A run is 11 ASCII digits, optionally with one space after the sixth, not adjacent to further
    digits (so 12-digit runs are ignored). Matches keep their space, so callers can replace them
    verbatim; strip the space to get the number itself.
    """
    return [
        match.group(0)
        for match in _FNR_IN_TEXT.finditer(text)
        if is_mod11_valid(match.group(1) + match.group(2))
    ]


def redact_personnummer_like(text: str, replacement: str = "***********") -> str:
    """``text`` with every match of ``find_personnummer_like`` replaced by ``replacement``."""

    def _replace(match: re.Match[str]) -> str:
        return replacement if is_mod11_valid(match.group(1) + match.group(2)) else match.group(0)

    return _FNR_IN_TEXT.sub(_replace, text)


# --- synthetic numbers --------------------------------------------------------------------------


def _individnummer_series(year: int) -> list[range]:
    if 1854 <= year <= 1899:
        return [range(500, 750)]
    if 1900 <= year <= 1939:
        return [range(0, 500)]
    if 1940 <= year <= 1999:
        return [range(0, 500), range(900, 1000)]
    if 2000 <= year <= 2039:
        return [range(500, 1000)]
    raise ValueError(f"Kan ikke lage fødselsnummer for fødselsåret {year}; gyldige år er 1854–2039.")


def synthetic_fodselsnummer(
    birth_date: date, *, sex: Sex, serial: int = 0, kind: Literal["tenor"] = "tenor"
) -> str:
    """A valid synthetic Tenor number (month + 80) for test and demo data. Deterministic.

    Individnummer candidates in the birth year's century series are walked in ascending order,
    keeping those with the right sex digit and valid classic check digits; ``serial`` picks the
    n-th of them. Roughly 100-250 numbers exist per date and sex (the century's series holds
    250-600 individnummer); ValueError when ``serial`` runs past them.
    """
    if kind != "tenor":
        raise ValueError(f"Ukjent type syntetisk nummer: {kind}.")
    if serial < 0:
        raise ValueError("Løpenummeret kan ikke være negativt.")
    prefix = f"{birth_date.day:02d}{birth_date.month + TENOR_MONTH_OFFSET:02d}{birth_date.year % 100:02d}"
    wanted_parity = 1 if sex == "mann" else 0
    remaining = serial
    for series in _individnummer_series(birth_date.year):
        for individnummer in series:
            if individnummer % 2 != wanted_parity:
                continue
            first_nine = f"{prefix}{individnummer:03d}"
            k1 = _classic_k1(first_nine)
            if k1 is None:
                continue
            k2 = _k2(f"{first_nine}{k1}")
            if k2 is None:
                continue
            if remaining == 0:
                return f"{first_nine}{k1}{k2}"
            remaining -= 1
    raise ValueError(
        f"Det finnes ikke flere syntetiske numre for denne datoen og kjønnet (løpenummer {serial})."
    )


# --- organisasjonsnummer ------------------------------------------------------------------------


def validate_organisasjonsnummer(value: str) -> str:
    """Validate a 9-digit organisasjonsnummer and return its digits.

    Surrounding whitespace and the usual grouping ``974 557 746`` are accepted.
    Raises ValueError with a Norwegian message.
    """
    stripped = value.strip()
    if not stripped:
        raise ValueError("Organisasjonsnummer mangler.")
    if not _ORGNR_INPUT.fullmatch(stripped):
        if not _ASCII_DIGITS.fullmatch(stripped.replace(" ", "")):
            raise ValueError("Organisasjonsnummeret kan bare inneholde siffer.")
        raise ValueError("Organisasjonsnummeret må ha 9 siffer.")
    digits = stripped.replace(" ", "")
    if _control_digit(_weighted_sum(digits[:8], ORGNR_WEIGHTS) % 11) != int(digits[8]):
        raise ValueError("Kontrollsifferet i organisasjonsnummeret stemmer ikke.")
    return digits


# --- age bands ----------------------------------------------------------------------------------

AGE_BANDS: Final = ("0-5", "6-12", "13-17", "18-29", "30-49", "50-66", "67-79", "80+")
_AGE_BAND_UPPER: Final = (
    (5, "0-5"),
    (12, "6-12"),
    (17, "13-17"),
    (29, "18-29"),
    (49, "30-49"),
    (66, "50-66"),
    (79, "67-79"),
)


def age_band(age: int) -> str:
    """The band used by the national anonymised summary: 0-5, 6-12, 13-17, 18-29, 30-49, 50-66, 67-79, 80+."""
    if age < 0:
        raise ValueError("Alder kan ikke være negativ.")
    for upper, band in _AGE_BAND_UPPER:
        if age <= upper:
            return band
    return "80+"
