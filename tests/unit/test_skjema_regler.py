"""The form as data: which questions apply to each type × kategori, required and value rules, the format of
every answer type, completeness per section, and version pinning."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from soknad.skjema.modell import Skjema
from soknad.skjema.register import DEFINISJONER, SkjemaRegister
from soknad.skjema.regler import MSG_PAKREVD, missing_for_sending, vurder
from soknad.skjema.validering import derive, merge_answers, validate_answers
from tests.support.builders import complete_innhold

TODAY = date(2026, 3, 1)
V1 = SkjemaRegister.load().get(1)

COMMON = {
    "indikasjon", "alvorlighetsgrad", "alvorlighet_beskrivelse", "legemiddel", "dose", "administrasjonsvei",
    "doseringsintervall", "antall_kurer", "behandlingsvarighet", "tiltenkt_bruk", "tidligere_behandling",
    "tidligere_behandling_utfall", "klinisk_studie", "dokumentasjon", "dokumentasjon_niva",
    "forventet_effekt", "estimert_kostnad_nok", "kostnad_grunnlag", "evalueringsplan", "evaluering_tidspunkt",
    "stoppkriterier", "bivirkninger_oppfolging", "register_registrering", "begrunnelse",
}  # fmt: skip
OPTIONAL_EVERYWHERE = {"antall_kurer"}
PASIENT = {"pasient_fodselsnummer", "pasient_navn", "pasient_informert", "skriftlig_samtykke"}
GRUPPE = {"gruppe_beskrivelse", "gruppe_kriterier", "gruppe_storrelse", "gruppe_informasjon"}

# (type, kategori, visible beyond COMMON and the type's questions, required among all visible ones
# beyond COMMON - OPTIONAL_EVERYWHERE and the type's questions minus skriftlig_samtykke)
CASES: list[tuple[str, str, set[str], set[str]]] = [
    ("enkeltpasient", "off_label", {"godkjent_bruk"}, {"godkjent_bruk"}),
    ("gruppe", "off_label", {"godkjent_bruk"}, {"godkjent_bruk"}),
    (
        "enkeltpasient",
        "godkjenningsfritak",
        {"godkjenningsfritak_begrunnelse", "godkjent_i_land"},
        {"godkjenningsfritak_begrunnelse"},
    ),
    (
        "gruppe",
        "godkjenningsfritak",
        {"godkjenningsfritak_begrunnelse", "godkjent_i_land"},
        {"godkjenningsfritak_begrunnelse"},
    ),
    (
        "enkeltpasient",
        "unntaksordningen",
        {"markedsforingstillatelse", "godkjent_bruk", "nye_metoder_id", "klinisk_eksepsjonell"},
        {"markedsforingstillatelse", "nye_metoder_id", "klinisk_eksepsjonell", "skriftlig_samtykke"},
    ),
    (
        "gruppe",
        "unntaksordningen",
        {"markedsforingstillatelse", "godkjent_bruk", "nye_metoder_id"},
        {"markedsforingstillatelse", "nye_metoder_id"},
    ),
    (
        "enkeltpasient",
        "tilgangsordningen",
        {"godkjent_bruk", "nye_metoder_id", "klinisk_eksepsjonell"},
        {"nye_metoder_id", "klinisk_eksepsjonell", "skriftlig_samtykke"},
    ),
    ("gruppe", "tilgangsordningen", {"godkjent_bruk", "nye_metoder_id"}, {"nye_metoder_id"}),
]


def evaluate(type_: str, kategori: str, innhold: dict[str, Any], skjema: Skjema = V1) -> Any:
    return vurder(skjema, type_=type_, kategori=kategori, innhold=innhold, allow_synthetic=True, today=TODAY)


def missing(type_: str, kategori: str, innhold: dict[str, Any]) -> list[tuple[str, str]]:
    return missing_for_sending(
        V1, type_=type_, kategori=kategori, innhold=innhold, allow_synthetic=True, today=TODAY
    )


@pytest.mark.parametrize(("type_", "kategori", "extra_visible", "extra_required"), CASES)
def test_visible_and_required_questions_per_type_and_kategori(
    type_: str, kategori: str, extra_visible: set[str], extra_required: set[str]
) -> None:
    own = PASIENT if type_ == "enkeltpasient" else GRUPPE
    result = evaluate(type_, kategori, {})
    assert set(result.synlige) == COMMON | own | extra_visible
    required = {s.sporsmal.id for s in result.sporsmal if s.pakrevd}
    off_label_only = {"tiltenkt_bruk"} if kategori == "off_label" else set()
    expected = (COMMON - OPTIONAL_EVERYWHERE - {"tiltenkt_bruk"}) | off_label_only | extra_required
    expected |= own - {"skriftlig_samtykke"}
    assert required == expected


@pytest.mark.parametrize(("type_", "kategori"), [(t, k) for t, k, _, _ in CASES])
def test_a_complete_application_has_nothing_missing(type_: str, kategori: str) -> None:
    assert missing(type_, kategori, complete_innhold(type_, kategori)) == []


def test_an_empty_draft_lists_every_required_field_once_composites_by_part() -> None:
    fields = [f for f, _ in missing("enkeltpasient", "off_label", {})]
    assert fields[:6] == [
        "innhold.pasient_fodselsnummer",
        "innhold.pasient_navn",
        "innhold.indikasjon.kode",
        "innhold.indikasjon.tekst",
        "innhold.alvorlighetsgrad",
        "innhold.alvorlighet_beskrivelse",
    ]
    assert "innhold.legemiddel.navn" in fields and "innhold.legemiddel.virkestoff" in fields
    assert "innhold.legemiddel.atc" not in fields
    assert len(fields) == len(set(fields))


def test_answers_open_follow_up_questions() -> None:
    base = complete_innhold("enkeltpasient", "off_label")
    opened = {**base, "klinisk_studie": "ja", "register_registrering": "ja"}
    assert missing("enkeltpasient", "off_label", opened) == [
        ("innhold.klinisk_studie_hvorfor_ikke", MSG_PAKREVD),
        ("innhold.register_navn", MSG_PAKREVD),
    ]
    without_consent = {k: v for k, v in base.items() if k not in ("skriftlig_samtykke", "samtykke_dato")}
    assert "samtykke_dato" not in evaluate("enkeltpasient", "off_label", without_consent).synlige
    assert missing("enkeltpasient", "off_label", without_consent) == []


def test_answers_to_hidden_questions_count_for_nothing() -> None:
    # A group has no written-consent question, so the date it would open stays hidden and unchecked.
    innhold = complete_innhold("gruppe", "off_label", skriftlig_samtykke="ja", samtykke_dato="not a date")
    result = evaluate("gruppe", "off_label", innhold)
    assert "samtykke_dato" not in result.synlige
    assert result.feil == []


@pytest.mark.parametrize("kategori", ["unntaksordningen", "tilgangsordningen"])
def test_written_consent_must_be_yes_for_unntak_and_tilgang(kategori: str) -> None:
    innhold = complete_innhold("enkeltpasient", kategori, skriftlig_samtykke="nei", samtykke_dato=None)
    assert missing("enkeltpasient", kategori, innhold) == [
        (
            "innhold.skriftlig_samtykke",
            "Skriftlig samtykke fra pasienten er påkrevd i unntaksordningen og tilgangsordningen.",
        )
    ]
    assert missing("enkeltpasient", kategori, {**innhold, "skriftlig_samtykke": None}) == [
        ("innhold.skriftlig_samtykke", "Må besvares før søknaden kan sendes.")
    ]


def test_written_consent_is_optional_for_off_label_and_the_patient_must_be_informed() -> None:
    innhold = complete_innhold("enkeltpasient", "off_label", skriftlig_samtykke="nei", samtykke_dato=None)
    assert missing("enkeltpasient", "off_label", innhold) == []
    assert missing("enkeltpasient", "off_label", {**innhold, "pasient_informert": "nei"}) == [
        ("innhold.pasient_informert", "Pasienten må være informert om behandlingen før søknaden sendes.")
    ]


def test_unntak_refuses_a_drug_without_marketing_authorisation() -> None:
    innhold = complete_innhold("gruppe", "unntaksordningen", markedsforingstillatelse="nei")
    [(field, message)] = missing("gruppe", "unntaksordningen", innhold)
    assert field == "innhold.markedsforingstillatelse" and "godkjenningsfritak" in message


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"pasient_navn": "x" * 201}, "innhold.pasient_navn", "Teksten er for lang (høyst 200 tegn)."),
        ({"pasient_navn": 42}, "innhold.pasient_navn", "Må være tekst."),
        ({"begrunnelse": "x" * 20_001}, "innhold.begrunnelse", "Teksten er for lang (høyst 20000 tegn)."),
        ({"gruppe_storrelse": "tolv"}, "innhold.gruppe_storrelse", "Må være et heltall."),
        ({"gruppe_storrelse": 0}, "innhold.gruppe_storrelse", "Må være minst 1."),
        ({"gruppe_storrelse": 100_001}, "innhold.gruppe_storrelse", "Kan ikke være mer enn 100\u00a0000."),
        ({"estimert_kostnad_nok": -5}, "innhold.estimert_kostnad_nok", "Må være minst 0 kr."),
        ({"estimert_kostnad_nok": "mye"}, "innhold.estimert_kostnad_nok", "Må være et beløp i hele kroner"),
        ({"samtykke_dato": "2026-02-30"}, "innhold.samtykke_dato", "Må være en gyldig dato (ÅÅÅÅ-MM-DD)."),
        ({"samtykke_dato": "i går"}, "innhold.samtykke_dato", "Må være en gyldig dato"),
        ({"samtykke_dato": "2026-03-02"}, "innhold.samtykke_dato", "Datoen kan ikke være frem i tid."),
        ({"alvorlighetsgrad": "katastrofal"}, "innhold.alvorlighetsgrad", "Velg et av alternativene."),
        ({"pasient_informert": "kanskje"}, "innhold.pasient_informert", "Svar ja eller nei."),
        (
            {"pasient_fodselsnummer": "15838500003"},
            "innhold.pasient_fodselsnummer",
            "Kontrollsifrene stemmer",
        ),
        ({"pasient_fodselsnummer": "1583850"}, "innhold.pasient_fodselsnummer", "Fødselsnummeret må ha 11"),
        ({"legemiddel": {"atc": "99"}}, "innhold.legemiddel.atc", "ATC-koden har feil format"),
        ({"legemiddel": {"styrke": "x" * 201}}, "innhold.legemiddel.styrke", "Teksten er for lang"),
        ({"legemiddel": "MabThera"}, "innhold.legemiddel", "Forventet et JSON-objekt."),
        ({"legemiddel": {"pris": "1"}}, "innhold.legemiddel.pris", "Ukjent felt."),
        ({"indikasjon": {"kode": "QQQ"}}, "innhold.indikasjon.kode", "ICD-10-koden har feil format"),
        ({"hemmelig": "x"}, "innhold.hemmelig", "Ukjent spørsmål i skjemaet."),
    ],
)
def test_format_of_each_answer_type_is_checked_with_a_norwegian_message(
    answers: dict[str, Any], field: str, message: str
) -> None:
    clean, errors = validate_answers(V1, answers, allow_synthetic=True, today=TODAY)
    assert clean == {}
    assert len(errors) == 1
    assert errors[0][0] == field and errors[0][1].startswith(message), errors


def test_synthetic_numbers_follow_the_deployment_setting() -> None:
    answers = {"pasient_fodselsnummer": "15838500002"}
    assert validate_answers(V1, answers, allow_synthetic=True, today=TODAY)[1] == []
    assert validate_answers(V1, answers, allow_synthetic=False, today=TODAY)[1] == [
        ("innhold.pasient_fodselsnummer", "Syntetiske testnumre er ikke tillatt i denne installasjonen.")
    ]


def test_answers_are_stored_normalised() -> None:
    clean, errors = validate_answers(
        V1,
        {
            "indikasjon": {"kode": "g360", "tekst": " NMOSD ", "verifisert": "false"},
            "legemiddel": {"navn": "x", "virkestoff": "y", "atc": "l01fa01", "verifisert": True},
            "estimert_kostnad_nok": "150 000 kr",
            "gruppe_storrelse": "12",
            "samtykke_dato": "15.01.2026",
            "pasient_informert": True,
            "pasient_fodselsnummer": "158385 00002",
            "dose": "   ",
        },
        allow_synthetic=True,
        today=TODAY,
    )
    assert errors == []
    assert clean == {
        "indikasjon": {"kode": "G36.0", "tekst": "NMOSD", "verifisert": False},
        "legemiddel": {"navn": "x", "virkestoff": "y", "atc": "L01FA01", "verifisert": True},
        "estimert_kostnad_nok": 150_000,
        "gruppe_storrelse": 12,
        "samtykke_dato": "2026-01-15",
        "pasient_informert": "ja",
        "pasient_fodselsnummer": "15838500002",
        "dose": None,
    }


def test_merge_keeps_answers_left_out_and_clears_empty_ones() -> None:
    stored = {
        "dose": "1000 mg",
        "begrunnelse": "Gammel",
        "legemiddel": {"navn": "MabThera", "atc": "L01FA01"},
    }
    merged = merge_answers(stored, {"begrunnelse": "Ny", "dose": None, "legemiddel": {"navn": "Rixathon"}})
    assert merged == {"begrunnelse": "Ny", "legemiddel": {"navn": "Rixathon", "atc": "L01FA01"}}
    assert merge_answers(merged, {"legemiddel": {"navn": "", "atc": "", "verifisert": False}}) == {
        "begrunnelse": "Ny"
    }


def test_completeness_per_section() -> None:
    innhold = {
        "pasient_fodselsnummer": "15838500002",
        "pasient_navn": "Syntetisk Testpasient",
        "indikasjon": {"kode": "G35", "tekst": ""},
    }
    fullforing = evaluate("enkeltpasient", "off_label", innhold).fullforing()
    assert fullforing["pasient"].as_dict() == {
        "besvart": 2,
        "pakrevd": 2,
        "komplett": True,
        "status": "komplett",
    }
    assert fullforing["diagnose"].as_dict() == {
        "besvart": 0,
        "pakrevd": 3,
        "komplett": False,
        "status": "mangler",
    }
    assert fullforing["kostnad"].status == "ikke_startet"
    done = evaluate("enkeltpasient", "off_label", complete_innhold()).fullforing()
    assert all(f.komplett and f.besvart == f.pakrevd for f in done.values())
    invalid = evaluate("enkeltpasient", "off_label", complete_innhold(pasient_informert="nei")).fullforing()
    assert invalid["samtykke"].status == "mangler" and not invalid["samtykke"].komplett


def test_age_and_sex_are_derived_from_the_number() -> None:
    derived = derive(V1, {"pasient_fodselsnummer": complete_innhold()["pasient_fodselsnummer"]}, today=TODAY)
    assert derived == {"pasient_fodselsnummer": {"alder": 46, "kjonn": "kvinne", "tekst": "46 år, kvinne"}}
    assert derive(V1, {"pasient_fodselsnummer": "15838500003"}, today=TODAY) == {}


V2 = {
    "versjon": 2,
    "tittel": "Kort skjema",
    "seksjoner": [
        {
            "id": "alt",
            "tittel": "Alt",
            "sporsmal": [
                {
                    "id": "begrunnelse",
                    "etikett": "Begrunnelse",
                    "type": "lang_tekst",
                    "pakrevd": True,
                    "hjelp": "H.",
                },
                {"id": "ny_i_v2", "etikett": "Nytt", "type": "kort_tekst", "pakrevd": True, "hjelp": "H."},
            ],
        }
    ],
}


def test_an_application_is_checked_with_the_version_it_was_written_with(tmp_path: Path) -> None:
    (tmp_path / "v1.json").write_text(
        (DEFINISJONER / "v1.json").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "v2.json").write_text(json.dumps(V2), encoding="utf-8")
    register = SkjemaRegister.load(tmp_path)
    assert register.latest.versjon == 2 and register.versjoner == [1, 2]
    innhold = complete_innhold()
    pinned = vurder(
        register.get(1), type_="enkeltpasient", kategori="off_label", innhold=innhold,
        allow_synthetic=True, today=TODAY,
    )  # fmt: skip
    assert pinned.feil == []
    latest = vurder(
        register.latest, type_="enkeltpasient", kategori="off_label", innhold=innhold,
        allow_synthetic=True, today=TODAY,
    )  # fmt: skip
    assert latest.feil == [("innhold.ny_i_v2", MSG_PAKREVD)]
    with pytest.raises(LookupError):
        register.get(3)


def test_a_definition_that_cannot_be_evaluated_is_refused() -> None:
    broken = json.loads(json.dumps(V2))
    broken["seksjoner"][0]["sporsmal"][0]["vis_nar"] = {"svar": [{"sporsmal": "ny_i_v2", "er": ["x"]}]}
    with pytest.raises(ValidationError, match="not an earlier question"):
        Skjema.model_validate(broken)
    broken = json.loads(json.dumps(V2))
    broken["seksjoner"][0]["sporsmal"][1]["id"] = "begrunnelse"
    with pytest.raises(ValidationError, match="duplicate question id"):
        Skjema.model_validate(broken)
    broken = json.loads(json.dumps(V2))
    broken["seksjoner"][0]["sporsmal"][1]["lenker"] = ["finnes_ikke"]
    with pytest.raises(ValidationError, match="unknown link"):
        Skjema.model_validate(broken)


def test_every_question_has_short_help_and_links_to_the_official_sources() -> None:
    allowed = ("https://www.nyemetoder.no/", "https://nyemetoder.no/", "https://legemiddelverket.no/",
               "https://www.helsedirektoratet.no/")  # fmt: skip
    for sp in V1.sporsmal():
        sentences = [s for s in re.split(r"(?<=[.?!])\s+", sp.hjelp.strip()) if s]
        assert 1 <= len(sentences) <= 3, sp.id
    assert all(lenke.url.startswith(allowed) for lenke in V1.lenker.values())
    assert set(V1.kategori_lenker) == {
        "off_label",
        "godkjenningsfritak",
        "unntaksordningen",
        "tilgangsordningen",
    }
