"""What an external consultant reads: the application without the patient's identity."""

from __future__ import annotations

from datetime import date

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
