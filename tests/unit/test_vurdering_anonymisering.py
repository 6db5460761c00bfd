"""What an external consultant reads: the application without the patient's identity."""

from __future__ import annotations

from datetime import date

import pytest

from shared.domain.identifiers import synthetic_fodselsnummer
from shared.events.common import Feltvisning, Seksjonsvisning
from vurdering.anonymisering import SKJULT, anonymisert, sladd

BORN = date(1985, 3, 15)
FNR = synthetic_fodselsnummer(BORN, sex="kvinne")
NAVN = "Testa Testesen"


def visning() -> list[Seksjonsvisning]:
    return [
        Seksjonsvisning(
            id="pasient",
            tittel="Pasient",
            felt=[
                Feltvisning(id="pasient_fodselsnummer", etikett="Fødselsnummer", svar=FNR),
                Feltvisning(id="pasient_navn", etikett="Navn", svar=NAVN),
            ],
        ),
        Seksjonsvisning(
            id="tidligere_behandling",
            tittel="Tidligere behandling",
            felt=[
                Feltvisning(
                    id="tidligere",
                    etikett="Behandling",
                    svar=f"Testa fikk interferon. {NAVN} (f. 15.03.1985, {FNR[:6]} {FNR[6:]}) fikk attakker.",
                )
            ],
        ),
        # Cases anchored before the event carried sections: the patient's fields are in «Søknaden».
        Seksjonsvisning(
            id="soknaden",
            tittel="Søknaden",
            felt=[
                Feltvisning(id="pasient_navn", etikett="Pasient", svar=NAVN),
                Feltvisning(id="legemiddel", etikett="Legemiddel", svar="MabThera – rituksimab"),
            ],
        ),
    ]


def test_the_patient_section_and_fields_are_dropped_and_free_text_is_redacted() -> None:
    pasient = {"navn": NAVN, "fodselsnummer": FNR, "fodselsdato": BORN.isoformat()}
    ut = anonymisert(visning(), pasient)
    assert [s.id for s in ut] == ["tidligere_behandling", "soknaden"]
    text = " ".join(f.svar for s in ut for f in s.felt)
    for secret in (FNR, FNR[:6], "Testa", "Testesen", "15.03.1985"):
        assert secret not in text
    assert SKJULT in text and "interferon" in text and "rituksimab" in text


def test_any_eleven_digit_number_is_hidden_even_of_someone_else() -> None:
    assert (
        sladd("Nr 01018512345 og 010185 12345.", navn=None, fodselsdato=None) == f"Nr {SKJULT} og {SKJULT}."
    )
    assert sladd("HPR 9144889 står.", navn=None, fodselsdato=None) == "HPR 9144889 står."


def test_the_genitive_and_other_endings_of_the_name_are_hidden() -> None:
    tekst = "Testesens mor og Testas bror; Testesen's fastlege møtte Testesenene. testa ble bedre."
    ut = sladd(tekst, navn=NAVN, fodselsdato=None)
    for secret in ("Testa", "Testesen", "testa"):
        assert secret.lower() not in ut.lower(), ut
    assert ut.count(SKJULT) == 5 and " mor og " in ut and "fastlege møtte" in ut


def test_a_short_name_part_hides_only_itself_and_its_genitive() -> None:
    # «Li» must not swallow ordinary words that start with it.
    ut = sladd("Li og Lis mor har lite plager.", navn="Li Wang", fodselsdato=None)
    assert ut == f"{SKJULT} og {SKJULT} mor har lite plager."


def test_a_hyphenated_name_is_hidden_also_by_its_parts() -> None:
    ut = sladd("Anne-Lise Berg, kalt Lise.", navn="Anne-Lise Berg", fodselsdato=None)
    assert "Lise" not in ut and "Anne" not in ut and "Berg" not in ut


@pytest.mark.parametrize(
    "skrevet",
    [
        "15.03.1985",
        "15.3.1985",
        "15.03.85",
        "15.3.85",
        "15/03/1985",
        "15-03-1985",
        "1985-03-15",
        "150385",
        "15031985",
        "15. mars 1985",
        "15 mars 1985",
        "15. Mars 1985",
        "15. mar. 1985",
        "15. mars 85",
    ],
)
def test_every_common_form_of_the_birth_date_is_hidden(skrevet: str) -> None:
    ut = sladd(f"Pasienten (f. {skrevet}) har MS.", navn=None, fodselsdato=BORN)
    assert ut == f"Pasienten (f. {SKJULT}) har MS.", ut


def test_other_dates_and_numbers_are_left_alone() -> None:
    tekst = "Start 16.03.2024, dose 1985 mg, evaluering 15. april 1985 og 150386."
    assert sladd(tekst, navn=None, fodselsdato=BORN) == tekst
