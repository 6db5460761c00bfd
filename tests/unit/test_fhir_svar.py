"""A soknad's answers as a QuestionnaireResponse: valid R4, nested and typed as the Questionnaire says,
only visible and valid answers, and a complete application satisfies every exported rule."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fhirpathpy import evaluate
from fhirpathpy.models import models

from shared.fhir.systemer import ICD10_NO, QUESTIONNAIRE_SOKNAD
from soknad.fhir.questionnaire import questionnaire
from soknad.fhir.svar import questionnaire_response
from soknad.skjema.register import SkjemaRegister
from tests.support.builders import complete_innhold
from tests.support.fhir_validering import errors

V1 = SkjemaRegister.load().get(1)
AUTHORED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
COMBOS = [(t, k) for t in ("enkeltpasient", "gruppe") for k in ("off_label", "godkjenningsfritak",
          "unntaksordningen", "tilgangsordningen")]  # fmt: skip
VALUE_FOR_TYPE = {
    "string": "valueString", "text": "valueString", "integer": "valueInteger", "date": "valueDate",
    "choice": "valueCoding", "boolean": "valueBoolean",
}  # fmt: skip


def response(type_: str = "enkeltpasient", kategori: str = "off_label", **kwargs: Any) -> dict[str, Any]:
    svar = kwargs.pop("svar", None) or complete_innhold(type_, kategori)
    return questionnaire_response(
        skjema=V1, soknad_type=type_, kategori=kategori, svar=svar, id=kwargs.pop("id", "s1"),
        status=kwargs.pop("status", "completed"), authored=kwargs.pop("authored", AUTHORED),
        today=date(2026, 3, 1), **kwargs,
    )  # fmt: skip


def _walk(
    items: list[dict[str, Any]], path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    for item in items:
        yield (*path, item["linkId"]), item
        yield from _walk(item.get("item", []), (*path, item["linkId"]))


def _answers(resource: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {path[-1]: item.get("answer", []) for path, item in _walk(resource["item"])}


def test_a_complete_application_of_every_type_and_kategori_is_valid_r4() -> None:
    responses = [response(t, k, id=f"{t}-{k}".replace("_", "-")) for t, k in COMBOS]

    assert errors(responses) == []
    assert {r["questionnaire"] for r in responses} == {f"{QUESTIONNAIRE_SOKNAD}|1"}


@pytest.mark.parametrize(("type_", "kategori"), COMBOS)
def test_answers_are_nested_and_typed_as_the_questionnaire_says(type_: str, kategori: str) -> None:
    form = dict(_walk(questionnaire(V1)["item"]))

    resource = response(type_, kategori)

    for path, item in _walk(resource["item"]):
        assert path in form, path  # same linkId under the same parents
        defined = form[path]
        for answer in item.get("answer", []):
            (key,) = [k for k in answer if k.startswith("value")]
            assert key == VALUE_FOR_TYPE[defined["type"]], (path, key)
            if "answerOption" in defined:
                assert answer[key] in [o["valueCoding"] for o in defined["answerOption"]], path


@pytest.mark.parametrize(("type_", "kategori"), COMBOS)
def test_a_complete_application_meets_every_exported_rule(type_: str, kategori: str) -> None:
    form = questionnaire(V1)
    resource = response(type_, kategori)
    constraints = [
        {e["url"]: next(v for k, v in e.items() if k.startswith("value")) for e in ext["extension"]}
        for ext in form["extension"]
    ]

    results = {
        c["key"]: evaluate(resource, c["expression"], {"resource": resource}, models["r4"])
        for c in constraints
    }

    assert results and all(result == [True] for result in results.values()), results


def test_only_visible_valid_answers_are_included() -> None:
    svar = complete_innhold("enkeltpasient", "off_label") | {
        "register_registrering": "nei",
        "register_navn": "Skjult fordi svaret over er nei",
        "gruppe_beskrivelse": "Hører til en gruppesøknad",
        "antall_kurer": "tolv",
        "samtykke_dato": "2026-03-02",  # the day after `today`
        "dose": "   ",
    }

    answers = _answers(response(svar=svar))

    for hidden_or_invalid in ("register_navn", "gruppe_beskrivelse", "antall_kurer", "samtykke_dato", "dose"):
        assert hidden_or_invalid not in answers
    assert "seksjon-pasientgruppe" not in answers  # a section with no answers is left out
    assert answers["register_registrering"][0]["valueCoding"]["code"] == "nei"


def test_answers_are_stored_values_typed() -> None:
    svar = complete_innhold("enkeltpasient", "off_label") | {
        "estimert_kostnad_nok": "150 000 kr",
        "samtykke_dato": "01.02.2026",
        "klinisk_studie": True,
        "klinisk_studie_hvorfor_ikke": "Fyller ikke inklusjonskriteriene.",
        "indikasjon": {"kode": "g360", "tekst": "Neuromyelitis optica", "verifisert": False},
    }

    answers = _answers(response(svar=svar))

    assert answers["estimert_kostnad_nok"] == [{"valueInteger": 150_000}]
    assert answers["samtykke_dato"] == [{"valueDate": "2026-02-01"}]
    assert answers["klinisk_studie"][0]["valueCoding"]["code"] == "ja"
    assert answers["indikasjon"] == [{"valueCoding": {
        "system": ICD10_NO, "code": "G36.0", "display": "Neuromyelitis optica", "userSelected": False,
    }}]  # fmt: skip
    assert answers["legemiddel.atc"][0]["valueCoding"]["code"] == "L01FA01"
    assert answers["legemiddel.virkestoff"] == [{"valueString": "rituksimab"}]
    assert answers["legemiddel.verifisert"] == [{"valueBoolean": True}]
    assert "legemiddel.fest_id" not in answers  # not given


def test_header_subject_author_and_status() -> None:
    resource = response(
        status="in-progress", authored=datetime(2026, 3, 1, 9, 30), subject={"reference": "Patient/p1"},
        author={"reference": "Practitioner/hpr-1"},
    )  # fmt: skip

    assert resource["status"] == "in-progress"
    assert resource["authored"] == "2026-03-01T09:30:00+00:00"  # stored naive means UTC
    assert resource["subject"] == {"reference": "Patient/p1"}
    assert resource["author"] == {"reference": "Practitioner/hpr-1"}
    assert "subject" not in response() and "author" not in response()
    assert response(status="amended")["status"] == "amended"


@pytest.mark.parametrize(
    "kwargs",
    [{"status": "draft"}, {"kategori": "ukjent"}, {"type_": "flere"}],
    ids=["status", "kategori", "type"],
)
def test_bad_input_is_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        response(**kwargs, svar={"dose": "1000 mg"})
