"""Tests for shared.domain.identifiers.

No real person's number appears here: literal numbers are synthetic (Tenor, month + 80) and every
other number is computed in the test from a date and an individnummer.
"""

from __future__ import annotations

from datetime import date

import pytest

from shared.domain.identifiers import (
    AGE_BANDS,
    InvalidPersonnummer,
    Personnummer,
    Sex,
    age_band,
    find_personnummer_like,
    is_mod11_valid,
    redact_personnummer_like,
    synthetic_fodselsnummer,
    validate_fodselsnummer,
    validate_organisasjonsnummer,
)

TENOR_EXAMPLE = "15838500002"  # DOMAIN.md section 5: valid Tenor number, 15.03.1985, individnummer 000
TODAY = date(2025, 6, 1)

# --- reference implementation, written independently of the module under test -------------------


def _sum(digits: str, weights: list[int]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True))


def _complete(first_nine: str, *, k1_base: int = 11) -> str | None:
    """first_nine + k1 + k2; k1_base 11 is the classic rule, 12-14 the extra 2032 values."""
    k1 = (k1_base - _sum(first_nine, [3, 7, 6, 1, 8, 9, 4, 5, 2]) % 11) % 11
    if k1 == 10:
        return None
    first_ten = f"{first_nine}{k1}"
    k2 = (11 - _sum(first_ten, [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]) % 11) % 11
    if k2 == 10:
        return None
    return f"{first_ten}{k2}"


def _prefix(birth: date, *, day_offset: int = 0, month_offset: int = 0) -> str:
    return f"{birth.day + day_offset:02d}{birth.month + month_offset:02d}{birth.year % 100:02d}"


def _number(prefix: str, individ: range, *, sex: str | None = None, skip: int = 0) -> tuple[str, int]:
    """The first classic-valid number with an individnummer in ``individ`` (and the right sex digit)."""
    for i in individ:
        if sex is not None and (i % 2 == 1) != (sex == "mann"):
            continue
        number = _complete(f"{prefix}{i:03d}")
        if number is not None:
            if skip == 0:
                return number, i
            skip -= 1
    raise AssertionError("no valid number in range")


def _validate(value: str, *, allow_synthetic: bool = True, today: date = TODAY) -> Personnummer:
    return validate_fodselsnummer(value, allow_synthetic=allow_synthetic, today=today)


def _error(value: str, *, allow_synthetic: bool = True, today: date = TODAY) -> InvalidPersonnummer:
    with pytest.raises(InvalidPersonnummer) as info:
        validate_fodselsnummer(value, allow_synthetic=allow_synthetic, today=today)
    return info.value


def test_reference_implementation_agrees_with_domain_example() -> None:
    assert _complete("158385000") == TENOR_EXAMPLE


# --- the Tenor example ----------------------------------------------------------------------------


def test_tenor_example_is_valid_when_synthetic_allowed() -> None:
    p = _validate(TENOR_EXAMPLE)
    assert p == Personnummer(TENOR_EXAMPLE, "tenor", True, date(1985, 3, 15), "kvinne")
    assert p.uses_2032_rule is False
    assert p.masked() == "158385*****"
    assert p.age(date(2025, 3, 14)) == 39
    assert p.age(date(2025, 3, 15)) == 40


def test_tenor_example_rejected_when_synthetic_not_allowed() -> None:
    err = _error(TENOR_EXAMPLE, allow_synthetic=False)
    assert err.code == "syntetisk_ikke_tillatt"
    assert err.message_nb == "Syntetiske testnumre er ikke tillatt i denne installasjonen."
    assert str(err) == err.message_nb
    assert isinstance(err, ValueError)


def test_repr_and_str_do_not_leak_the_number() -> None:
    p = _validate(TENOR_EXAMPLE)
    assert TENOR_EXAMPLE not in repr(p)
    assert TENOR_EXAMPLE not in str(p)
    assert "158385*****" in repr(p)


# --- input format ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [TENOR_EXAMPLE, f"  {TENOR_EXAMPLE}\n", "158385 00002", "\t158385 00002 "],
)
def test_accepted_input_formats(raw: str) -> None:
    assert _validate(raw).value == TENOR_EXAMPLE


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("", "tomt", "Fødselsnummer mangler."),
        ("   ", "tomt", "Fødselsnummer mangler."),
        ("1583850000", "feil_lengde", "Fødselsnummeret må ha 11 siffer."),
        ("158385000021", "feil_lengde", "Fødselsnummeret må ha 11 siffer."),
        ("158385 0000", "feil_lengde", "Fødselsnummeret må ha 11 siffer."),
        ("158385-00002", "ugyldige_tegn", None),
        ("1583850000a", "ugyldige_tegn", None),
        ("158385  00002", "ugyldige_tegn", None),  # two spaces
        ("15838 500002", "ugyldige_tegn", None),  # space in the wrong place
        ("158 385 00002", "ugyldige_tegn", None),
        ("１５８３８５００００２", "ugyldige_tegn", None),  # full-width digits
        ("15838500003", "kontrollsiffer", "Kontrollsifrene stemmer ikke."),
    ],
)
def test_rejected_input(raw: str, code: str, message: str | None) -> None:
    err = _error(raw)
    assert err.code == code
    if message is not None:
        assert err.message_nb == message
    assert err.message_nb.endswith(".")


# --- check digits ---------------------------------------------------------------------------------


@pytest.mark.parametrize("position", range(11))
@pytest.mark.parametrize("delta", range(1, 10))
def test_any_single_digit_change_is_rejected_by_the_check_digits(position: int, delta: int) -> None:
    # Every weight is non-zero mod 11, so k2 catches any single-digit change, under both rules.
    digit = str((int(TENOR_EXAMPLE[position]) + delta) % 10)
    candidate = TENOR_EXAMPLE[:position] + digit + TENOR_EXAMPLE[position + 1 :]
    assert not is_mod11_valid(candidate)
    err = _error(candidate)
    assert (err.code, err.message_nb) == ("kontrollsiffer", "Kontrollsifrene stemmer ikke.")


def test_k1_of_ten_is_never_valid_under_the_classic_rule() -> None:
    prefix = _prefix(date(1985, 3, 15), month_offset=80)
    individ = next(i for i in range(1000) if _sum(f"{prefix}{i:03d}", [3, 7, 6, 1, 8, 9, 4, 5, 2]) % 11 == 1)
    first_nine = f"{prefix}{individ:03d}"
    assert _complete(first_nine) is None
    valid = [first_nine + f"{n:02d}" for n in range(100) if is_mod11_valid(first_nine + f"{n:02d}")]
    # Only the 2032 rule can rescue it: remainder 1 gives k1 candidates {0, 1, 2}.
    assert {v[9] for v in valid} == {"0", "1", "2"}
    for v in valid:
        assert _validate(v).uses_2032_rule


def test_k2_of_ten_makes_every_completion_invalid() -> None:
    prefix = _prefix(date(1985, 3, 15), month_offset=80)
    first_ten = next(
        f"{prefix}{i:03d}{k1}"
        for i in range(1000)
        for k1 in range(10)
        if _sum(f"{prefix}{i:03d}{k1}", [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]) % 11 == 1
    )
    for k2 in "0123456789":
        assert not is_mod11_valid(first_ten + k2)


# --- 2032 rule ------------------------------------------------------------------------------------


def _new_rule_number() -> tuple[str, str]:
    """(classic number, a number with the same body whose k1 only the 2032 rule allows)."""
    prefix = _prefix(date(1985, 3, 15), month_offset=80)
    for i in range(1000):
        first_nine = f"{prefix}{i:03d}"
        classic = _complete(first_nine)
        for base in (12, 13, 14):
            alternative = _complete(first_nine, k1_base=base)
            if classic is not None and alternative is not None and alternative[9] != classic[9]:
                return classic, alternative
    raise AssertionError("no 2032 number found")


def test_number_valid_only_under_2032_rule_is_accepted_without_sex_and_birth_date() -> None:
    classic, alternative = _new_rule_number()
    p = _validate(alternative)
    assert p.uses_2032_rule is True
    assert p.kind == "tenor"
    assert p.synthetic is True
    assert p.birth_date is None
    assert p.sex is None
    assert p.age(TODAY) is None
    assert is_mod11_valid(alternative)

    q = _validate(classic)
    assert q.uses_2032_rule is False
    assert q.birth_date is not None
    assert q.sex is not None


def test_2032_rule_allows_at_most_four_k1_values() -> None:
    prefix = _prefix(date(2001, 7, 4), month_offset=80)
    for i in range(0, 1000, 37):
        first_nine = f"{prefix}{i:03d}"
        valid_k1 = {k1 for k1 in range(10) for k2 in range(10) if is_mod11_valid(f"{first_nine}{k1}{k2}")}
        expected = {
            int(n[9]) for base in (11, 12, 13, 14) if (n := _complete(first_nine, k1_base=base)) is not None
        }
        assert valid_k1 == expected
        assert len(valid_k1) <= 4


def test_2032_rule_still_checks_the_date() -> None:
    # 31.02 with a 2032-only k1 is still an impossible date
    prefix = "318285"
    for i in range(1000):
        number = _complete(f"{prefix}{i:03d}", k1_base=12)
        if number is not None and _complete(number[:9]) != number:
            assert _error(number).code == "ugyldig_dato"
            return
    raise AssertionError("no number found")


# --- kinds ----------------------------------------------------------------------------------------


def test_ordinary_fodselsnummer() -> None:
    birth = date(1971, 11, 23)
    number, _ = _number(_prefix(birth), range(0, 500), sex="mann")
    p = _validate(number, allow_synthetic=False)
    assert (p.kind, p.synthetic, p.birth_date, p.sex) == ("fodselsnummer", False, birth, "mann")


def test_d_nummer() -> None:
    birth = date(1990, 5, 28)
    number, _ = _number(_prefix(birth, day_offset=40), range(0, 500), sex="kvinne")
    assert number.startswith("68")
    p = _validate(number, allow_synthetic=False)
    assert (p.kind, p.synthetic, p.birth_date, p.sex) == ("d_nummer", False, birth, "kvinne")


@pytest.mark.parametrize(("month_offset", "kind"), [(40, "h_eller_dolly"), (80, "tenor")])
@pytest.mark.parametrize("day_offset", [0, 40])
def test_synthetic_kinds(month_offset: int, kind: str, day_offset: int) -> None:
    birth = date(2004, 12, 9)
    number, _ = _number(_prefix(birth, day_offset=day_offset, month_offset=month_offset), range(500, 1000))
    p = _validate(number)
    assert (p.kind, p.synthetic, p.birth_date) == (kind, True, birth)
    assert _error(number, allow_synthetic=False).code == "syntetisk_ikke_tillatt"


@pytest.mark.parametrize("first_digit", ["8", "9"])
def test_fh_nummer(first_digit: str) -> None:
    number = next(n for i in range(1000) if (n := _complete(f"{first_digit}1234{i:04d}")) is not None)
    p = validate_fodselsnummer(number, allow_synthetic=False)
    assert (p.kind, p.synthetic, p.birth_date, p.sex) == ("fh", False, None, None)
    assert p.age(TODAY) is None
    broken = number[:10] + str((int(number[10]) + 1) % 10)
    assert _error(broken).code == "kontrollsiffer"


# --- dates, century, sex, age ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "individ", "sex"),
    [
        (date(1854, 1, 1), range(500, 750), "mann"),
        (date(1899, 12, 31), range(700, 750), "kvinne"),
        (date(1900, 1, 1), range(0, 500), "kvinne"),
        (date(1939, 6, 30), range(400, 500), "mann"),
        (date(1940, 2, 29), range(900, 1000), "kvinne"),
        (date(1985, 3, 15), range(0, 500), "mann"),
        (date(1999, 8, 1), range(900, 1000), "mann"),
        (date(2000, 2, 29), range(500, 1000), "kvinne"),
        (date(2024, 10, 17), range(500, 1000), "mann"),
        (date(2024, 10, 17), range(900, 1000), "kvinne"),
    ],
)
@pytest.mark.parametrize("month_offset", [0, 80])
def test_birth_date_and_sex_across_centuries(
    birth: date, individ: range, sex: str, month_offset: int
) -> None:
    number, individnummer = _number(_prefix(birth, month_offset=month_offset), individ, sex=sex)
    p = _validate(number)
    assert p.birth_date == birth
    assert p.sex == sex
    assert individnummer % 2 == (1 if sex == "mann" else 0)


@pytest.mark.parametrize(
    ("yy", "individ"),
    [(40, range(750, 900)), (53, range(500, 750)), (99, range(750, 900))],
)
def test_individnummer_outside_the_series_gives_no_birth_date(yy: int, individ: range) -> None:
    number, _ = _number(f"0101{yy:02d}", individ)
    p = _validate(number)
    assert p.birth_date is None
    assert p.sex is not None  # the sex digit still applies under the classic rule


@pytest.mark.parametrize(
    ("prefix", "individ"),
    [
        ("318285", range(0, 500)),  # 31 February
        ("009285", range(0, 500)),  # day 0
        ("320185", range(0, 500)),  # day 32
        ("158085", range(0, 500)),  # month 0 after the Tenor offset
        ("159385", range(0, 500)),  # month 13 after the Tenor offset
        ("156085", range(0, 500)),  # month 60: neither ordinary, +40 nor +80
        ("151385", range(0, 500)),  # month 13
        ("298200", range(0, 500)),  # 29.02.1900 does not exist
        ("298201", range(500, 1000)),  # 29.02.2001 does not exist
        ("722385", range(0, 500)),  # D-nummer for 32.03
    ],
)
def test_impossible_dates_are_rejected(prefix: str, individ: range) -> None:
    number, _ = _number(prefix, individ)
    err = _error(number)
    assert err.code == "ugyldig_dato"
    assert err.message_nb == "Datoen i nummeret finnes ikke."


def test_leap_day_2000_exists_but_1900_does_not() -> None:
    ok, _ = _number("298200", range(500, 1000))
    assert _validate(ok).birth_date == date(2000, 2, 29)
    bad, _ = _number("298200", range(0, 500))
    assert _error(bad).code == "ugyldig_dato"


def test_birth_date_in_the_future_is_rejected() -> None:
    number, _ = _number(_prefix(date(2030, 1, 1), month_offset=80), range(500, 1000))
    err = _error(number, today=date(2025, 1, 1))
    assert err.code == "fremtidig_dato"
    assert err.message_nb == "Fødselsdatoen i nummeret kan ikke være frem i tid."
    assert _validate(number, today=date(2030, 1, 1)).birth_date == date(2030, 1, 1)


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (date(1985, 3, 15), date(1985, 3, 15), 0),
        (date(1985, 3, 15), date(2025, 3, 14), 39),
        (date(1985, 3, 15), date(2025, 3, 15), 40),
        (date(2000, 2, 29), date(2001, 2, 28), 0),
        (date(2000, 2, 29), date(2001, 3, 1), 1),
        (date(1880, 7, 1), date(2025, 7, 1), 145),
    ],
)
def test_age(birth: date, on: date, age: int) -> None:
    individ = range(500, 750) if birth.year < 1900 else range(500, 1000) if birth.year >= 2000 else range(500)
    number, _ = _number(_prefix(birth, month_offset=80), individ)
    assert _validate(number, today=on).age(on) == age


# --- generator ------------------------------------------------------------------------------------


def test_generator_reproduces_the_domain_example() -> None:
    assert synthetic_fodselsnummer(date(1985, 3, 15), sex="kvinne") == TENOR_EXAMPLE


def test_generator_produces_500_distinct_valid_numbers() -> None:
    seen: set[str] = set()
    sexes: tuple[Sex, ...] = ("mann", "kvinne")
    for birth in (date(1985, 3, 15), date(2012, 2, 29)):
        for sex in sexes:
            for serial in range(125):
                number = synthetic_fodselsnummer(birth, sex=sex, serial=serial)
                p = validate_fodselsnummer(number, allow_synthetic=True, today=TODAY)
                assert (p.kind, p.synthetic, p.birth_date, p.sex, p.uses_2032_rule) == (
                    "tenor",
                    True,
                    birth,
                    sex,
                    False,
                )
                seen.add(number)
    assert len(seen) == 500


def test_generator_is_deterministic_and_distinct_per_serial_on_one_date() -> None:
    birth = date(1962, 9, 1)
    first = [synthetic_fodselsnummer(birth, sex="mann", serial=s) for s in range(200)]
    again = [synthetic_fodselsnummer(birth, sex="mann", serial=s) for s in range(200)]
    assert first == again
    assert len(set(first)) == 200


@pytest.mark.parametrize("birth", [date(1854, 1, 1), date(1920, 5, 5), date(1970, 5, 5), date(2039, 12, 31)])
def test_generator_runs_out_with_a_clear_error(birth: date) -> None:
    numbers = []
    serial = 0
    while True:
        try:
            numbers.append(synthetic_fodselsnummer(birth, sex="kvinne", serial=serial))
        except ValueError:
            break
        serial += 1
    assert len(numbers) == len(set(numbers)) > 80
    assert all(is_mod11_valid(n) for n in numbers)


@pytest.mark.parametrize("birth", [date(1853, 12, 31), date(2040, 1, 1)])
def test_generator_rejects_years_outside_the_series(birth: date) -> None:
    with pytest.raises(ValueError, match="fødselsåret"):
        synthetic_fodselsnummer(birth, sex="mann")


def test_generator_rejects_negative_serial() -> None:
    with pytest.raises(ValueError):
        synthetic_fodselsnummer(date(1985, 3, 15), sex="mann", serial=-1)


# --- scanning text --------------------------------------------------------------------------------


def test_is_mod11_valid_table() -> None:
    _, alternative = _new_rule_number()
    assert is_mod11_valid(TENOR_EXAMPLE)
    assert is_mod11_valid(alternative)
    assert not is_mod11_valid("15838500003")
    assert not is_mod11_valid("1583850000")
    assert not is_mod11_valid("158385000020")
    assert not is_mod11_valid("158385 00002")
    assert not is_mod11_valid("1583850000x")
    assert not is_mod11_valid("")


def test_find_personnummer_like() -> None:
    other = synthetic_fodselsnummer(date(2010, 1, 2), sex="mann", serial=3)
    _, alternative = _new_rule_number()
    text = (
        f"Pasient {TENOR_EXAMPLE} søkte; fnr={other[:6]} {other[6:]}, ny:{alternative}. "
        f"Ugyldig 15838500003, tolv siffer {TENOR_EXAMPLE}1 og 9{TENOR_EXAMPLE}, "
        f"for kort 1583850000, ordrenr 12345, tlf 22 33 44 55 og igjen ({TENOR_EXAMPLE})"
    )
    assert find_personnummer_like(text) == [
        TENOR_EXAMPLE,
        f"{other[:6]} {other[6:]}",
        alternative,
        TENOR_EXAMPLE,
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ingen tall her",
        f"{TENOR_EXAMPLE}0",  # 12-digit run
        f"0{TENOR_EXAMPLE}",
        f"1{TENOR_EXAMPLE[:6]} {TENOR_EXAMPLE[6:]}",  # 7 digits before the space
        f"{TENOR_EXAMPLE[:6]} {TENOR_EXAMPLE[6:]}9",
        f"{TENOR_EXAMPLE[:6]}  {TENOR_EXAMPLE[6:]}",  # two spaces
        "15838500003",  # bad check digits
    ],
)
def test_find_personnummer_like_ignores(text: str) -> None:
    assert find_personnummer_like(text) == []


def test_redact_personnummer_like() -> None:
    text = f"fnr {TENOR_EXAMPLE[:6]} {TENOR_EXAMPLE[6:]} og {TENOR_EXAMPLE}, ikke 15838500003"
    assert redact_personnummer_like(text) == "fnr *********** og ***********, ikke 15838500003"
    assert redact_personnummer_like(text, "<fnr>") == "fnr <fnr> og <fnr>, ikke 15838500003"


# --- organisasjonsnummer --------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [("974557746", "974557746"), (" 974 557 746 ", "974557746")])
def test_valid_organisasjonsnummer(raw: str, expected: str) -> None:
    # Haukeland universitetssjukehus, public register entry quoted in DOMAIN.md
    assert validate_organisasjonsnummer(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Organisasjonsnummer mangler."),
        ("97455774", "Organisasjonsnummeret må ha 9 siffer."),
        ("9745577460", "Organisasjonsnummeret må ha 9 siffer."),
        ("974-557-746", "Organisasjonsnummeret kan bare inneholde siffer."),
        ("97455774a", "Organisasjonsnummeret kan bare inneholde siffer."),
        ("974557747", "Kontrollsifferet i organisasjonsnummeret stemmer ikke."),
    ],
)
def test_invalid_organisasjonsnummer(raw: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        validate_organisasjonsnummer(raw)
    assert str(info.value) == message


def test_organisasjonsnummer_with_check_digit_ten_is_always_invalid() -> None:
    weights = [3, 2, 7, 6, 5, 4, 3, 2]
    body = next(f"{n:08d}" for n in range(90000000, 90001000) if _sum(f"{n:08d}", weights) % 11 == 1)
    for k in "0123456789":
        with pytest.raises(ValueError):
            validate_organisasjonsnummer(body + k)


# --- age bands ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (0, "0-5"),
        (5, "0-5"),
        (6, "6-12"),
        (12, "6-12"),
        (13, "13-17"),
        (17, "13-17"),
        (18, "18-29"),
        (29, "18-29"),
        (30, "30-49"),
        (49, "30-49"),
        (50, "50-66"),
        (66, "50-66"),
        (67, "67-79"),
        (79, "67-79"),
        (80, "80+"),
        (120, "80+"),
    ],
)
def test_age_band(age: int, band: str) -> None:
    assert age_band(age) == band
    assert band in AGE_BANDS


def test_age_band_rejects_negative_age() -> None:
    with pytest.raises(ValueError):
        age_band(-1)
