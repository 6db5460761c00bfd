"""The form as a FHIR R4 Questionnaire: header, structure, types, help, limits, conditions and constraints;
the checked-in examples and the rule report are current and valid."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from shared.domain.labels import KATEGORI_LABELS, TYPE_LABELS
from shared.fhir.systemer import (
    ATC,
    FEST_MERKEVARE,
    ICD10_NO,
    KANON,
    KATEGORI,
    NO_BASIS_PATIENT,
    QUESTIONNAIRE_SOKNAD,
    SOKNAD_TYPE,
)  # fmt: skip
from soknad.fhir.questionnaire import UTTRYKT, questionnaire, regeltelling, regler
from soknad.fhir.skjema_dokumenter import (
    RAPPORT,
    SVAR_EKSEMPEL,
    as_json,
    eksempel_svar,
    generated_block,
    questionnaire_file,
    regelrapport,
)  # fmt: skip
from soknad.fhir.skjema_kodeverk import kodeverk
from soknad.skjema.modell import Skjema
from soknad.skjema.register import DEFINISJONER, SkjemaRegister
from tests.support.fhir_validering import errors

DOCS = Path(__file__).parents[2] / "docs" / "fhir"
REGISTER = SkjemaRegister.load()
V1 = REGISTER.get(1)
Q1 = questionnaire(V1)
HELP = {"system": "http://hl7.org/fhir/questionnaire-item-control", "code": "help"}
SDC = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression"
TYPES = {
    "kort_tekst": "string", "lang_tekst": "text", "heltall": "integer", "belop": "integer", "dato": "date",
    "valg": "choice", "ja_nei": "choice", "personnummer": "string", "legemiddel": "group", "icd10": "choice",
}  # fmt: skip


def _item(link_id: str, items: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    for item in Q1["item"] if items is None else items:
        if item["linkId"] == link_id:
            return item
        found = _find(link_id, item.get("item", []))
        if found:
            return found
    raise KeyError(link_id)


def _find(link_id: str, items: list[dict[str, Any]]) -> dict[str, Any] | None:
    try:
        return _item(link_id, items)
    except KeyError:
        return None


def _ext(item: dict[str, Any], url_end: str) -> Any:
    (ext,) = [e for e in item.get("extension", []) if e["url"].endswith(url_end)]
    return next(v for k, v in ext.items() if k.startswith("value"))


def _constraints(resource: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for ext in resource["extension"]:
        parts = {e["url"]: next(v for k, v in e.items() if k.startswith("value")) for e in ext["extension"]}
        found[parts["key"]] = parts
    return found


def _variant(change: dict[str, Any]) -> Skjema:
    """Version 1 with some questions' fields replaced."""
    data = json.loads((DEFINISJONER / "v1.json").read_text(encoding="utf-8"))
    for seksjon in data["seksjoner"]:
        for sp in seksjon["sporsmal"]:
            sp.update(change.get(sp["id"], {}))
    return Skjema.model_validate(data)


def test_the_checked_in_examples_are_current_and_valid() -> None:
    files = {
        questionnaire_file(REGISTER.get(v)): as_json(questionnaire(REGISTER.get(v)))
        for v in REGISTER.versjoner
    }
    files[SVAR_EKSEMPEL] = as_json(eksempel_svar(REGISTER.latest))

    for name, text in files.items():
        assert (DOCS / name).read_text(encoding="utf-8") == text, (
            "regenerate: python -m soknad.fhir.skjema_dokumenter"
        )
    assert {p.name for p in DOCS.glob("Questionnaire-*.json")} == {
        n for n in files if n.startswith("Questionnaire-")
    }
    assert errors([json.loads(text) for text in files.values()]) == []


def test_the_rule_report_holds_the_counts_the_code_gives() -> None:
    text = (DOCS / RAPPORT).read_text(encoding="utf-8")
    skjemaer = [REGISTER.get(v) for v in REGISTER.versjoner]

    assert generated_block(text) == regelrapport(skjemaer)
    for skjema in skjemaer:
        section = text.split(f"### Skjemaversjon {skjema.versjon}")[1]
        numbers = [int(n) for n in re.findall(r"^\| [^|]+ \| \**(\d+)\** \|$", section, re.MULTILINE)[:5]]
        counts = regeltelling(skjema)
        assert numbers == [*(counts[u] for u in UTTRYKT), len(regler(skjema))]


def test_the_counts_in_version_1() -> None:
    counts = regeltelling(V1)

    assert (
        counts["sdc"] == 1
    )  # klinisk_eksepsjonell: enkeltpasient AND (unntaksordningen OR tilgangsordningen)
    assert counts["constraint"] == 8
    assert counts["ikke"] == 5
    assert {r.sted for r in regler(V1) if r.uttrykt == "ikke"} == {
        "pasient_fodselsnummer", "indikasjon", "legemiddel.atc", "legemiddel.fest_id",
    }  # fmt: skip


def test_header() -> None:
    assert Q1["resourceType"] == "Questionnaire"
    assert (Q1["id"], Q1["url"], Q1["version"]) == ("soknad-v1", QUESTIONNAIRE_SOKNAD, "1")
    assert (Q1["status"], Q1["subjectType"], Q1["title"]) == ("active", ["Patient"], V1.tittel)


def test_case_attributes_are_read_only_choices_first() -> None:
    type_item, kategori_item = Q1["item"][:2]

    assert (type_item["linkId"], kategori_item["linkId"]) == ("soknad_type", "kategori")
    for item, system, codes in (
        (type_item, SOKNAD_TYPE, TYPE_LABELS),
        (kategori_item, KATEGORI, KATEGORI_LABELS),
    ):
        assert item["type"] == "choice" and item["readOnly"] is True
        assert [(o["valueCoding"]["system"], o["valueCoding"]["code"]) for o in item["answerOption"]] == [
            (system, code) for code in codes
        ]


def test_one_group_per_section_and_one_item_per_question_in_order() -> None:
    sections = Q1["item"][2:]

    assert [s["linkId"] for s in sections] == [f"seksjon-{s.id}" for s in V1.seksjoner]
    for group, seksjon in zip(sections, V1.seksjoner, strict=True):
        assert (group["type"], group["text"]) == ("group", seksjon.tittel)
        questions = [i for i in group["item"] if i["type"] != "display"]
        assert [q["linkId"] for q in questions] == [sp.id for sp in seksjon.sporsmal]
        for item, sp in zip(questions, seksjon.sporsmal, strict=True):
            assert (item["text"], item["type"]) == (sp.etikett, TYPES[sp.type])
            assert item.get("required", False) is sp.pakrevd, sp.id
            (hjelp,) = [c for c in item["item"] if c["type"] == "display"]
            assert hjelp["text"] == sp.hjelp
            assert _ext(hjelp, "questionnaire-itemControl") == {"coding": [HELP]}


def test_choices_are_codings_in_our_code_systems() -> None:
    for sp in V1.sporsmal():
        if sp.type in ("valg", "ja_nei"):
            options = [o["valueCoding"] for o in _item(sp.id)["answerOption"]]
            assert [o["code"] for o in options] == [v for v, _ in sp.valg()]
            assert all(o["system"].startswith(f"{KANON}/CodeSystem/") for o in options)
    assert {o["valueCoding"]["code"] for o in _item("klinisk_studie")["answerOption"]} == {"ja", "nei"}


def test_limits_units_and_lengths() -> None:
    kostnad = _item("estimert_kostnad_nok")
    gruppe = _item("gruppe_storrelse")

    assert (_ext(kostnad, "minValue"), _ext(kostnad, "maxValue")) == (0, 1_000_000_000)
    assert _ext(kostnad, "questionnaire-unit")["code"] == "NOK"
    assert (_ext(gruppe, "minValue"), _ext(gruppe, "maxValue")) == (1, 100_000)
    assert _ext(gruppe, "questionnaire-unit") == {
        "system": "http://unitsofmeasure.org", "code": "{pasienter}", "display": "pasienter",
    }  # fmt: skip
    assert _item("nye_metoder_id")["maxLength"] == 40
    assert _item("dose")["maxLength"] == 200
    assert _item("begrunnelse")["maxLength"] == 20_000


def test_personnummer_legemiddel_and_icd10() -> None:
    fnr = _item("pasient_fodselsnummer")
    legemiddel = _item("legemiddel")
    parts = {c["linkId"]: c for c in legemiddel["item"]}

    assert fnr["definition"] == f"{NO_BASIS_PATIENT}#Patient.identifier.value"
    assert _ext(fnr, "regex") == "[0-9]{11}"
    assert _item("indikasjon")["answerValueSet"] == f"{ICD10_NO}?fhir_vs"
    assert legemiddel["required"] is True
    assert {k for k, c in parts.items() if c.get("required")} == {"legemiddel.navn", "legemiddel.virkestoff"}
    assert parts["legemiddel.atc"]["answerValueSet"] == f"{ATC}?fhir_vs"
    assert parts["legemiddel.fest_id"]["answerValueSet"] == f"{FEST_MERKEVARE}?fhir_vs"
    assert parts["legemiddel.verifisert"]["type"] == "boolean"


def test_conditions_in_core_where_core_can_say_them() -> None:
    assert _item("seksjon-pasient")["enableWhen"] == [
        {"question": "soknad_type", "operator": "=", "answerCoding": {
            "system": SOKNAD_TYPE, "code": "enkeltpasient", "display": "Enkeltpasient"}},
    ]  # fmt: skip
    godkjent_bruk = _item("godkjent_bruk")
    assert godkjent_bruk["enableBehavior"] == "any"
    assert [w["answerCoding"]["code"] for w in godkjent_bruk["enableWhen"]] == [
        "off_label", "unntaksordningen", "tilgangsordningen",
    ]  # fmt: skip
    assert _item("register_navn")["enableWhen"][0]["question"] == "register_registrering"


def test_an_and_over_several_answers_is_an_sdc_expression() -> None:
    item = _item("klinisk_eksepsjonell")

    assert "enableWhen" not in item
    expression = _ext(item, "sdc-questionnaire-enableWhenExpression")
    assert expression["language"] == "text/fhirpath"
    assert "'enkeltpasient'" in expression["expression"] and " or " in expression["expression"]


def test_constraints_carry_key_severity_expression_and_a_norwegian_message() -> None:
    constraints = _constraints(Q1)

    assert set(constraints) == {
        "indikasjon-d", "markedsforingstillatelse-v1", "godkjent-bruk-p", "tiltenkt-bruk-p",
        "pasient-informert-v1", "skriftlig-samtykke-p", "skriftlig-samtykke-v1", "samtykke-dato-f",
    }  # fmt: skip
    for key, parts in constraints.items():
        assert re.fullmatch(r"[A-Za-z0-9\-.]{1,64}", key)
        assert parts["severity"] == "error" and parts["expression"].count("%resource") >= 1
    assert constraints["samtykke-dato-f"]["human"] == "Datoen kan ikke være frem i tid."
    assert "Skriftlig samtykke" in constraints["skriftlig-samtykke-v1"]["human"]
    assert constraints["godkjent-bruk-p"]["human"] == "«Godkjent bruk»: Må fylles ut før søknaden kan sendes."


def test_other_condition_shapes_map_to_core_or_sdc() -> None:
    variant = questionnaire(_variant({
        "register_navn": {"vis_nar": {"type": ["enkeltpasient"], "svar": [
            {"sporsmal": "register_registrering", "er": ["ja"]}]}},
        "dose": {"vis_nar": {"svar": [{"sporsmal": "indikasjon", "besvart": True}]}},
        "antall_kurer": {"vis_nar": {"svar": [{"sporsmal": "legemiddel", "besvart": True}]}},
        "kostnad_grunnlag": {"vis_nar": {"svar": [{"sporsmal": "estimert_kostnad_nok", "er": [0]}]}},
    }))  # fmt: skip

    register_navn, dose, antall_kurer, kostnad = (
        _item(i, variant["item"]) for i in ("register_navn", "dose", "antall_kurer", "kostnad_grunnlag")
    )
    assert register_navn["enableBehavior"] == "all" and len(register_navn["enableWhen"]) == 2
    assert dose["enableWhen"] == [{"question": "indikasjon", "operator": "exists", "answerBoolean": True}]
    assert "enableWhen" not in antall_kurer  # a group has no answer for enableWhen to test
    assert (
        "legemiddel.verifisert" in _ext(antall_kurer, "sdc-questionnaire-enableWhenExpression")["expression"]
    )
    assert kostnad["enableWhen"][0]["answerInteger"] == 0
    assert errors([variant | {"id": "variant"}]) == []


@pytest.mark.parametrize(
    "change",
    [
        {"register_navn": {"vis_nar": {"svar": [{"sporsmal": "register_registrering", "er": [True]}]}}},
        {"register_navn": {"vis_nar": {"svar": [{"sporsmal": "register_registrering", "er": ["kanskje"]}]}}},
        {"register_navn": {"vis_nar": {"svar": [{"sporsmal": "legemiddel", "er": ["x"]}]}}},
        {"dose": {"id": "kategori"}},
    ],
    ids=["bool for ja_nei", "unknown choice", "value of a composite", "linkId clash"],
)
def test_a_rule_the_export_cannot_say_faithfully_is_refused(change: dict[str, Any]) -> None:
    skjema = _variant(change)  # a valid definition

    with pytest.raises(ValueError, match=r"no answer can equal|clash with the case attribute"):
        questionnaire(skjema)


def test_every_offered_coding_is_defined_in_one_of_our_code_systems() -> None:
    systems = kodeverk(V1)
    defined = {(cs["url"], c["code"]): c["display"] for cs in systems for c in cs["concept"]}
    offered = [o["valueCoding"] for item in _all_items(Q1["item"]) for o in item.get("answerOption", [])]

    assert offered and all(defined[(c["system"], c["code"])] == c["display"] for c in offered)
    assert len({cs["id"] for cs in systems}) == len(systems)
    assert errors(systems) == []


def _all_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [x for item in items for x in (item, *_all_items(item.get("item", [])))]


def test_an_empty_list_of_values_never_holds_in_fhir_either() -> None:
    variant = questionnaire(_variant({"godkjent_i_land": {"vis_nar": {"kategori": []}}}))

    item = _item("godkjent_i_land", variant["item"])

    assert "enableWhen" not in item
    assert _ext(item, "sdc-questionnaire-enableWhenExpression")["expression"] == "false"
