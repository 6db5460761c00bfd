"""The form's conditions (`Betingelse`) as FHIR: core `enableWhen` when an AND of single tests or an OR
of tests on one item says it, otherwise a FHIRPath expression over `%resource` (the
QuestionnaireResponse), which the SDC `enableWhenExpression` and the `questionnaire-constraint`
extensions carry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from soknad.fhir.skjema_koder import (
    KATEGORI_LINK_ID,
    TYPE_LINK_ID,
    kategori_coding,
    part_link_id,
    section_link_id,
    type_coding,
    valg_coding,
)
from soknad.skjema.modell import Betingelse, Skjema, Sporsmal, SvarBetingelse, Verdi

ENABLE_WHEN_EXPRESSION = (
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression"
)


@dataclass(frozen=True)
class Test:
    """One test on one item: its answer equals `answer` (a typed `answer[x]` as in enableWhen), or it is
    answered (`besvart`)."""

    link_id: str
    path: str
    group: bool
    answer: dict[str, Any] | None = None
    besvart: bool | None = None


Part = list[Test]
"""Tests of which one must hold (OR); a condition is an AND of parts."""


def parts(betingelse: Betingelse | None, skjema: Skjema) -> list[Part]:
    if betingelse is None:
        return []
    result: list[Part] = []
    if betingelse.type is not None:
        result.append(
            [
                Test(TYPE_LINK_ID, item_path(None, TYPE_LINK_ID), False, {"valueCoding": type_coding(t)})
                for t in betingelse.type
            ]
        )
    if betingelse.kategori is not None:
        result.append(
            [
                Test(
                    KATEGORI_LINK_ID,
                    item_path(None, KATEGORI_LINK_ID),
                    False,
                    {"valueCoding": kategori_coding(k)},
                )
                for k in betingelse.kategori
            ]
        )
    for svar in betingelse.svar:
        result.append(_answer_part(svar, skjema))
    return result


def _answer_part(svar: SvarBetingelse, skjema: Skjema) -> Part:
    sp = skjema.finn(svar.sporsmal)
    if sp is None:  # pragma: no cover - the model refuses such a definition
        raise ValueError(f"condition on unknown question {svar.sporsmal}")
    group = sp.type == "legemiddel"
    path = item_path(skjema.seksjon_for(sp.id), sp.id)
    if svar.besvart is not None:
        return [Test(sp.id, path, group, besvart=svar.besvart)]
    return [Test(sp.id, path, group, typed_value(sp, v)) for v in svar.er or []]


def typed_value(sp: Sporsmal, value: Verdi) -> dict[str, Any]:
    """The answer a test compares with, typed as the question's answers are; a value no answer of that
    type can ever equal would make the condition silently false, so the export refuses it."""
    kind = sp.type
    if kind in ("valg", "ja_nei") and isinstance(value, str) and value in dict(sp.valg()):
        return {"valueCoding": valg_coding(sp, value)}
    if kind in ("heltall", "belop") and isinstance(value, int) and not isinstance(value, bool):
        return {"valueInteger": value}
    if kind in ("kort_tekst", "lang_tekst", "personnummer") and isinstance(value, str):
        return {"valueString": value}
    if kind == "dato" and isinstance(value, str):
        return {"valueDate": date.fromisoformat(value).isoformat()}
    raise ValueError(f"a condition compares {sp.id} ({kind}) with {value!r}, which no answer can equal")


def enable_when(conditions: list[Part]) -> tuple[list[dict[str, Any]], str | None] | None:
    """(enableWhen, enableBehavior) when core FHIR can say it, else None."""
    if any(not part for part in conditions) or any(t.group for part in conditions for t in part):
        return None  # an empty OR never holds; a group has no answer to test
    if len(conditions) == 1:
        tests = conditions[0]
    elif all(len(part) == 1 for part in conditions):
        tests = [part[0] for part in conditions]
    else:
        return None
    behavior = None if len(tests) == 1 else ("any" if len(conditions) == 1 else "all")
    return [_enable_when_entry(t) for t in tests], behavior


def _enable_when_entry(test: Test) -> dict[str, Any]:
    if test.besvart is not None:
        return {"question": test.link_id, "operator": "exists", "answerBoolean": test.besvart}
    assert test.answer is not None
    ((key, value),) = test.answer.items()
    return {"question": test.link_id, "operator": "=", f"answer{key.removeprefix('value')}": value}


def item_path(seksjon_id: str | None, link_id: str) -> str:
    """The item's full path: a `repeat(item)` search would cost each rule a walk of the whole response."""
    section = f".item.where(linkId = {literal(section_link_id(seksjon_id))})" if seksjon_id else ""
    return f"%resource{section}.item.where(linkId = {literal(link_id)})"


def _answered(path: str, link_id: str, *, group: bool) -> str:
    """Has an answer in the sense of the form's `besvart`: a composite needs any part but `verifisert`."""
    if group:
        return f"{path}.item.where(linkId != {literal(part_link_id(link_id, 'verifisert'))}).answer.exists()"
    return f"{path}.answer.exists()"


def expression(conditions: list[Part]) -> str:
    """FHIRPath that is true exactly when the condition holds; `true` for no condition."""
    if not conditions:
        return "true"
    return " and ".join(_disjunction(part) for part in conditions)


def _disjunction(part: Part) -> str:
    if not part:
        return "false"
    codings = [t.answer["valueCoding"] for t in part if t.answer and "valueCoding" in t.answer]
    if (
        len(part) > 1
        and len(codings) == len(part)
        and len({(t.path, c["system"]) for t, c in zip(part, codings, strict=True)}) == 1
    ):
        # Several codes of one item: one search, as a reader would write it.
        codes = " or ".join(f"code = {literal(c['code'])}" for c in codings)
        system = literal(codings[0]["system"])
        return f"{part[0].path}.answer.value.where(system = {system} and ({codes})).exists()"
    tests = [_test_expression(t) for t in part]
    return tests[0] if len(tests) == 1 else "(" + " or ".join(tests) + ")"


def _test_expression(test: Test) -> str:
    path = test.path
    if test.besvart is not None:
        answered = _answered(path, test.link_id, group=test.group)
        return answered if test.besvart else f"{answered}.not()"
    assert test.answer is not None
    ((key, value),) = test.answer.items()
    if key == "valueCoding":
        return (
            f"{path}.answer.value.where(system = {literal(value['system'])} "
            f"and code = {literal(value['code'])}).exists()"
        )
    text = {"valueDate": f"@{value}", "valueInteger": str(value)}.get(key) or literal(value)
    return f"{path}.answer.where(value = {text}).exists()"


def literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
