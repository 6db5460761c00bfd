"""The integrator messages' allow-list: the variant without the patient's identity carries no free text
(the dose, the conditions' wording), and a drug or diagnosis typed by hand without the patient's name
or fødselsnummer; the entitled variant carries what a pharmacy needs to act on."""

from __future__ import annotations

import json

from integrasjon.integratorer import mapper
from integrasjon.integratorer.tables import IntegratorSak
from shared.events.common import Indikasjon, Legemiddel
from tests.support.vedtak_events import LEGEMIDDEL, PASIENT_NAVN, pasient, vedtak


def sak() -> IntegratorSak:
    return IntegratorSak(
        lopenummer="HBE-2026-000042",
        hf="HBE",
        type="enkeltpasient",
        kategori="off_label",
        enhet="HBE-NEVRO",
        fodselsnummer=pasient().fodselsnummer,
        pasient_navn=PASIENT_NAVN,
    )


def test_without_identity_no_free_text_and_typed_names_without_the_patient() -> None:
    fnr = pasient().fodselsnummer
    decision = vedtak("HBE-2026-000042")
    omfang = decision.omfang
    assert omfang is not None
    typed = decision.model_copy(
        update={
            "omfang": omfang.model_copy(
                update={
                    "legemiddel": Legemiddel(
                        navn=f"Magistrell til {PASIENT_NAVN}", virkestoff="x", verifisert=False
                    ),
                    "indikasjon": Indikasjon(kode="G35", tekst=f"MS hos {fnr}", verifisert=False),
                }
            )
        }
    )
    anonym, med_pasient = mapper.vedtak_fattet(typed, sak(), hf="HBE")

    data = anonym.model_dump(mode="json")
    body = json.dumps(data, ensure_ascii=False)
    assert "vilkar_tekst" not in data and "dosering" not in data["omfang"]
    assert data["vilkar"] == [{"type": "evaluering", "dato": "2027-05-31"}]
    for text in ("Effekten evalueres", "1000 mg", "Evaluer effekten", fnr, "Integra", "Testesen"):
        assert text not in body, text
    assert data["omfang"]["indikasjon"] == {
        "kode": "G35",
        "tekst": "MS hos […]",
        "system": "icd10",
        "verifisert": False,
    }
    # The structured scope stays.
    assert data["omfang"]["antall_kurer"] == 2 and data["omfang"]["gyldig_til"] == "2027-11-30"
    assert data["omfang"]["enhet"] == "HBE-NEVRO"

    full = med_pasient.model_dump(mode="json")
    assert full["vilkar_tekst"] == "Effekten evalueres etter seks måneder."
    assert full["omfang"]["dosering"] == "1000 mg iv hver 6. måned"
    assert full["vilkar"][0]["tekst"] == "Evaluer effekten."
    assert full["omfang"]["indikasjon"]["tekst"] == f"MS hos {fnr}"
    assert full["pasient"] == {"fodselsnummer": fnr, "navn": PASIENT_NAVN}


def test_catalogue_names_are_kept_as_they_are() -> None:
    anonym, _ = mapper.vedtak_fattet(vedtak("HBE-2026-000042"), sak(), hf="HBE")
    assert anonym.omfang is not None
    assert anonym.omfang.legemiddel == LEGEMIDDEL
    assert anonym.omfang.indikasjon.tekst == "Multippel sklerose"
