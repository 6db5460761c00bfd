"""Differential test: the form's own rules (`skjema.regler.vurder`) and the rules exported in the
Questionnaire agree on every generated answer set, for every question: visible, required, and whether the
answer breaks a rule.

The exported side knows nothing of `soknad.skjema`: it reads the Questionnaire JSON, evaluates enableWhen
as R4 says (in order, a disabled item's answers count as not given, a disabled group disables its
children), SDC enableWhenExpression and every questionnaire-constraint with fhirpathpy (an independent
FHIRPath engine, given the R4 model), and the core limits (required, maxLength, minValue, maxValue, regex)
itself. Only the typing of answers is shared: `response_items` builds the QuestionnaireResponse the
expressions read (its typing is checked against the Questionnaire in test_fhir_svar.py)."""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from fhirpathpy import compile as fhirpath
from fhirpathpy.models import models

from shared.domain.identifiers import synthetic_fodselsnummer
from soknad.fhir.questionnaire import questionnaire
from soknad.fhir.svar import response_items
from soknad.skjema.modell import Skjema, Sporsmal
from soknad.skjema.register import SkjemaRegister
from soknad.skjema.regler import vurder

SKJEMAER = [SkjemaRegister.load().get(v) for v in SkjemaRegister.load().versjoner]
VARIANT = {
    # Condition shapes version 1 does not use: AND of single tests, `besvart` both ways (on a coding and
    # on a group), an integer test, a section under an SDC expression, conditional required composites, a
    # value rule under an answer condition.
    "register_navn": {
        "vis_nar": {"type": ["enkeltpasient"], "svar": [{"sporsmal": "register_registrering", "er": ["ja"]}]}
    },
    "dose": {"vis_nar": {"svar": [{"sporsmal": "indikasjon", "besvart": True}]}},
    "antall_kurer": {"vis_nar": {"svar": [{"sporsmal": "legemiddel", "besvart": True}]}},
    "tidligere_behandling_utfall": {
        "vis_nar": {"svar": [{"sporsmal": "administrasjonsvei", "besvart": False}]}
    },
    "kostnad_grunnlag": {
        "vis_nar": {"svar": [{"sporsmal": "estimert_kostnad_nok", "er": [0, 1_000_000_000]}]}
    },
    "seksjon:evaluering": {
        "vis_nar": {"type": ["enkeltpasient"], "kategori": ["off_label", "godkjenningsfritak"]}
    },
    "legemiddel": {"pakrevd": False, "pakrevd_nar": {"kategori": ["off_label", "tilgangsordningen"]}},
    "indikasjon": {"pakrevd": False, "pakrevd_nar": {"type": ["gruppe"]}},
    "godkjent_i_land": {"pakrevd_nar": {"svar": [{"sporsmal": "administrasjonsvei", "besvart": False}]}},
    "dokumentasjon_niva": {
        "ma_vaere": [
            {
                "verdi": "randomiserte",
                "melding": "Må være randomiserte.",
                "nar": {"svar": [{"sporsmal": "alvorlighetsgrad", "er": ["mild"]}]},
            }
        ]
    },
}


def _variant(skjema: Skjema, changes: dict[str, dict[str, Any]]) -> Skjema:
    data = skjema.model_dump(exclude_none=True)
    for seksjon in data["seksjoner"]:
        seksjon.update(changes.get(f"seksjon:{seksjon['id']}", {}))
        for sp in seksjon["sporsmal"]:
            sp.update(changes.get(sp["id"], {}))
    return Skjema.model_validate(data)


COMBOS = [
    (t, k)
    for t in ("enkeltpasient", "gruppe")
    for k in ("off_label", "godkjenningsfritak", "unntaksordningen", "tilgangsordningen")
]
ANTALL = 2000
SEED = 20261203
TODAY = date.today()  # FHIRPath's today() is the real one; future dates start at +2 so midnight cannot flake
R4 = models["r4"]
TOO_BIG = "9" * 30

MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
REGEX = "http://hl7.org/fhir/StructureDefinition/regex"
CONSTRAINT = "http://hl7.org/fhir/StructureDefinition/questionnaire-constraint"
ENABLE_WHEN_EXPRESSION = (
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression"
)


# ---- generated answer sets -------------------------------------------------------------------------


@dataclass(frozen=True)
class Svar:
    """A generated answer: what the page sends (`raw`), what a FHIR client would enter (`typed`, the
    stored form; None for no answer), or `typed` unknown (`representable` False) when no answer of the
    item's FHIR type can carry it or the rule it breaks is one the export does not say."""

    raw: Any
    typed: Any
    representable: bool = True


@dataclass(frozen=True)
class Svarsett:
    soknad_type: str
    kategori: str
    svar: dict[str, Svar]

    @property
    def raw(self) -> dict[str, Any]:
        return {k: s.raw for k, s in self.svar.items()}

    @property
    def typed(self) -> dict[str, Any]:
        return {k: s.typed for k, s in self.svar.items() if s.representable and s.typed is not None}


def _svar(sp: Sporsmal, rng: random.Random) -> Svar | None:
    roll = rng.random()
    if roll < 0.15:
        return None
    if roll < 0.2:
        return Svar({} if sp.kompositt else rng.choice(["", "   ", None]), None)
    kind = "valid" if roll < 0.8 else ("typed_invalid" if roll < 0.9 else "malformed")
    return GENERATORS[sp.type](sp, rng, kind)


def _text(sp: Sporsmal, rng: random.Random, kind: str) -> Svar:
    limit = sp.maks_lengde or (200 if sp.type == "kort_tekst" else 20_000)
    if kind == "malformed":
        return Svar(rng.choice([123, ["liste"]]), None, representable=False)
    if kind == "typed_invalid":
        return Svar("x" * (limit + 1), "x" * (limit + 1))
    text = rng.choice(["ja", "Kort svar", "Æ ø å – «sitat»", "x" * limit])
    return Svar(f"  {text} " if rng.random() < 0.3 else text, text)


def _number(sp: Sporsmal, rng: random.Random, kind: str) -> Svar:
    low = sp.min if sp.min is not None else (0 if sp.type == "belop" else -1000)
    high = sp.maks if sp.maks is not None else (1_000_000_000 if sp.type == "belop" else 10_000)
    if kind == "malformed":
        return Svar(rng.choice(["tolv", "1,5", True, TOO_BIG]), None, representable=False)
    if kind == "typed_invalid" and (sp.min is not None or sp.maks is not None or sp.type == "belop"):
        value = rng.choice([low - 1, high + 1])
    else:
        value = rng.choice([low, high, rng.randint(low, high)])
    raw: Any = rng.choice([value, str(value), f" {value} "])
    if sp.type == "belop" and value >= 1000 and rng.random() < 0.3:
        raw = f"{value:,} kr".replace(",", " ")
    return Svar(raw, value)


def _dato(sp: Sporsmal, rng: random.Random, kind: str) -> Svar:
    if kind == "malformed":
        return Svar(rng.choice(["2026-02-30", "i går", "20260101", 20260101]), None, representable=False)
    day = (
        TODAY + timedelta(days=rng.randint(2, 400))
        if kind == "typed_invalid"
        else TODAY - timedelta(days=rng.choice([0, rng.randint(1, 4000)]))
    )
    raw = day.isoformat() if rng.random() < 0.7 else f"{day.day}.{day.month}.{day.year}"
    return Svar(raw, day.isoformat())


def _valg(sp: Sporsmal, rng: random.Random, kind: str) -> Svar:
    if kind == "malformed":
        return Svar(
            rng.choice(["finnes_ikke", "", 3]) if sp.type == "valg" else "kanskje", None, representable=False
        )
    code = rng.choice([c for c, _ in sp.valg()])
    raw: Any = code
    if sp.type == "ja_nei" and rng.random() < 0.4:
        raw = rng.choice([code == "ja", f" {code.upper()} "])
    return Svar(raw, code)


def _personnummer(sp: Sporsmal, rng: random.Random, kind: str) -> Svar:
    number = synthetic_fodselsnummer(
        date(1950 + rng.randint(0, 70), rng.randint(1, 12), rng.randint(1, 28)),
        sex=rng.choice(["mann", "kvinne"]),
        serial=rng.randint(0, 5),
    )
    if kind == "valid":
        return Svar(number, number)
    # Wrong control digits: the export says eleven digits, not the checksum (a rule it does not map).
    broken = number[:10] + str((int(number[10]) + 1) % 10)
    return Svar(rng.choice([broken, "123", "abc"]), None, representable=False)


def _composite(sp: Sporsmal, rng: random.Random, kind: str) -> Svar:
    if sp.type == "icd10":
        full = {
            "kode": rng.choice(["G35", "G36.0", "C83.3"]),
            "tekst": "Diagnose",
            "verifisert": rng.random() < 0.5,
        }
        partial = rng.choice([{"kode": "G35"}, {"tekst": "Bare tekst", "verifisert": False}])
        bad = {"kode": "XYZ", "tekst": "Feil kode"}
    else:
        full = {
            "navn": "MabThera",
            "virkestoff": "rituksimab",
            "atc": "L01FA01",
            "fest_id": "ID_1A2B",
            "legemiddelform": "Konsentrat",
            "styrke": "10 mg/ml",
            "verifisert": True,
        }
        full = {k: v for k, v in full.items() if k in ("navn", "virkestoff") or rng.random() < 0.6}
        partial = rng.choice(
            [{"navn": "Bare navn"}, {"atc": "L01FA01", "verifisert": True}, {"verifisert": True}]
        )
        bad = {"navn": "X", "virkestoff": "y", "atc": "ikke-atc"}
    if kind == "malformed":
        return Svar(rng.choice([bad, "G35"]), None, representable=False)
    if kind == "typed_invalid":
        return Svar(partial, partial)
    raw = dict(full)
    if sp.type == "icd10" and raw["kode"] == "G36.0" and rng.random() < 0.5:
        raw["kode"] = "g360"  # normalized to G36.0
    return Svar(raw, full)


GENERATORS: dict[str, Callable[[Sporsmal, random.Random, str], Svar]] = {
    "kort_tekst": _text,
    "lang_tekst": _text,
    "heltall": _number,
    "belop": _number,
    "dato": _dato,
    "valg": _valg,
    "ja_nei": _valg,
    "personnummer": _personnummer,
    "legemiddel": _composite,
    "icd10": _composite,
}


def svarsett(skjema: Skjema, antall: int = ANTALL) -> Iterator[Svarsett]:
    """Every type × kategori in turn, each question independently absent, empty, valid, breaking a rule
    with a well-typed answer, or malformed."""
    for index in range(antall):
        rng = random.Random(SEED + index)
        soknad_type, kategori = COMBOS[index % len(COMBOS)]
        answers = {sp.id: s for sp in skjema.sporsmal() if (s := _svar(sp, rng)) is not None}
        yield Svarsett(soknad_type, kategori, answers)


# ---- the exported rules, evaluated on their own --------------------------------------------------------


@dataclass(frozen=True)
class Utfall:
    visible: bool
    required: bool
    error: bool


class Exported:
    def __init__(self, resource: dict[str, Any], skjema: Skjema):
        self.resource = resource
        self.skjema = skjema
        self.constraints: dict[str, list[tuple[str, Callable[..., list[Any]]]]] = {}
        for ext in resource.get("extension", []):
            if ext["url"] == CONSTRAINT:
                parts = {
                    e["url"]: next(v for k, v in e.items() if k.startswith("value")) for e in ext["extension"]
                }
                assert parts["severity"] == "error"
                question = parts["key"].rsplit("-", 1)[0].replace("-", "_")
                self.constraints.setdefault(question, []).append(
                    (parts["key"], fhirpath(parts["expression"], R4))
                )
        self.expressions: dict[str, Callable[..., list[Any]]] = {}
        self._so_far: tuple[int, dict[str, Any]] = (-1, {"item": []})

    def evaluate(self, s: Svarsett) -> tuple[dict[str, Utfall], dict[str, bool]]:
        """(per question, per constraint key: did it hold) on the conformant response the rules give."""
        typed = s.typed
        enabled: dict[str, bool] = {}
        given: dict[str, Any] = {}
        self._so_far = (-1, {"item": []})
        self._walk(self.resource["item"], True, s, typed, given, enabled)
        full = self._response(s, given)
        held = {
            key: _boolean(rule(full, {"resource": full}))
            for rules in self.constraints.values()
            for key, rule in rules
        }
        answers = _answers_by_link(full["item"])
        result: dict[str, Utfall] = {}
        for item in _items(self.resource["item"]):
            qid = item["linkId"]
            if self.skjema.finn(qid) is None:
                continue
            visible = enabled[qid]
            required = visible and (bool(item.get("required")) or self._required_by_constraint(s, given, qid))
            error = visible and (
                any(not held[key] for key, _ in self.constraints.get(qid, [])) or _breaks_core(item, answers)
            )
            result[qid] = Utfall(visible, required, error)
        return result, held

    def _required_by_constraint(self, s: Svarsett, given: dict[str, Any], qid: str) -> bool:
        """Required by a rule: some constraint on the question fails once its answer is taken away."""
        rules = self.constraints.get(qid, [])
        if not rules:
            return False
        without = self._response(s, {k: v for k, v in given.items() if k != qid})
        return any(not _boolean(rule(without, {"resource": without})) for _, rule in rules)

    def _walk(
        self,
        items: list[dict[str, Any]],
        parent: bool,
        s: Svarsett,
        typed: dict[str, Any],
        given: dict[str, Any],
        enabled: dict[str, bool],
    ) -> None:
        for item in items:
            link = item["linkId"]
            on = parent and self._enabled(item, s, given)
            enabled[link] = on
            if on and link in typed:
                given[link] = typed[link]
            if item["type"] == "group" and self.skjema.finn(link) is None:
                self._walk(item.get("item", []), on, s, typed, given, enabled)

    def _enabled(self, item: dict[str, Any], s: Svarsett, given: dict[str, Any]) -> bool:
        expressions = [e for e in item.get("extension", []) if e["url"] == ENABLE_WHEN_EXPRESSION]
        if expressions:
            assert "enableWhen" not in item
            text = expressions[0]["valueExpression"]["expression"]
            if text not in self.expressions:
                self.expressions[text] = fhirpath(text, R4)
            rule = self.expressions[text]
            now = self._response_so_far(s, given)
            return _boolean(rule(now, {"resource": now}))
        tests = item.get("enableWhen", [])
        if not tests:
            return True
        answers = _answers_by_link(self._response_so_far(s, given)["item"])
        results = [_enable_when(t, answers.get(t["question"], [])) for t in tests]
        if len(tests) > 1:
            assert item["enableBehavior"] in ("all", "any")
        return any(results) if item.get("enableBehavior") == "any" else all(results)

    def _response_so_far(self, s: Svarsett, given: dict[str, Any]) -> dict[str, Any]:
        # Answers are only ever added while walking: one response per number of answers given.
        if self._so_far[0] != len(given):
            self._so_far = (len(given), self._response(s, given))
        return self._so_far[1]

    def _response(self, s: Svarsett, given: dict[str, Any]) -> dict[str, Any]:
        items = response_items(self.skjema, soknad_type=s.soknad_type, kategori=s.kategori, answers=given)
        return {"resourceType": "QuestionnaireResponse", "status": "in-progress", "item": items}


def _items(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        yield item
        yield from _items(item.get("item", []))


def _answers_by_link(items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        found[item["linkId"]] = item.get("answer", [])
        found |= _answers_by_link(item.get("item", []))
        for answer in item.get("answer", []):
            found |= _answers_by_link(answer.get("item", []))
    return found


def _boolean(result: list[Any]) -> bool:
    """A rule must give one boolean: an expression fhirpathpy cannot type yields [], which is a defect."""
    assert result in ([True], [False]), result
    return bool(result[0])


def _enable_when(test: dict[str, Any], answers: list[dict[str, Any]]) -> bool:
    """R4 `Questionnaire.item.enableWhen`: `exists` compares «has an answer» with answerBoolean; `=` holds
    when at least one answer equals, `!=` when none does."""
    if test["operator"] == "exists":
        return bool(answers) == test["answerBoolean"]
    (key,) = [k for k in test if k.startswith("answer")]
    value_key = "value" + key.removeprefix("answer")
    expected = test[key]

    def equal(answer: dict[str, Any]) -> bool:
        if value_key not in answer:
            return False
        if value_key == "valueCoding":
            return (answer[value_key].get("system"), answer[value_key].get("code")) == (
                expected.get("system"),
                expected.get("code"),
            )
        return bool(answer[value_key] == expected)

    matches = any(equal(a) for a in answers)
    if test["operator"] == "=":
        return matches
    assert test["operator"] == "!=", test["operator"]
    return not matches


def _breaks_core(item: dict[str, Any], answers: dict[str, list[dict[str, Any]]]) -> bool:
    link = item["linkId"]
    if item["type"] == "group":
        children = [c for c in item.get("item", []) if c["type"] != "display"]
        present = any(answers.get(c["linkId"]) for c in children)
        if not present:
            return bool(item.get("required"))
        return any(_breaks_core(c, answers) for c in children)
    given = answers.get(link, [])
    if not given:
        return bool(item.get("required"))
    limits = {e["url"]: e for e in item.get("extension", [])}
    for answer in given:
        value = next(v for k, v in answer.items() if k.startswith("value"))
        if isinstance(value, str) and (
            len(value) > item.get("maxLength", len(value))
            or (REGEX in limits and not re.fullmatch(limits[REGEX]["valueString"], value))
        ):
            return True
        if MIN_VALUE in limits and value < limits[MIN_VALUE]["valueInteger"]:
            return True
        if MAX_VALUE in limits and value > limits[MAX_VALUE]["valueInteger"]:
            return True
        if "answerOption" in item and not any(
            o["valueCoding"]["code"] == value.get("code") for o in item["answerOption"]
        ):
            return True
    return False


# ---- the comparison ------------------------------------------------------------------------------------


def ours(skjema: Skjema, s: Svarsett) -> dict[str, Utfall]:
    vurdering = vurder(
        skjema, type_=s.soknad_type, kategori=s.kategori, innhold=s.raw, allow_synthetic=True, today=TODAY
    )
    statuses = {st.sporsmal.id: st for st in vurdering.sporsmal}
    return {
        sp.id: Utfall(
            sp.id in statuses,
            sp.id in statuses and statuses[sp.id].pakrevd,
            sp.id in statuses and bool(statuses[sp.id].feil),
        )
        for sp in skjema.sporsmal()
    }


def compare(
    exported: Exported, skjema: Skjema, s: Svarsett
) -> tuple[list[str], dict[str, Utfall], dict[str, bool]]:
    """(disagreements, the form's outcome per question, each constraint's outcome)."""
    theirs, held = exported.evaluate(s)
    mine = ours(skjema, s)
    found = []
    for qid, form in mine.items():
        fhir = theirs[qid]
        representable = qid not in s.svar or s.svar[qid].representable
        if (form.visible, form.required) != (fhir.visible, fhir.required) or (
            representable and form.error != fhir.error
        ):
            found.append(f"({s.soknad_type}, {s.kategori}) {qid}: form {form}, FHIR {fhir}, answers {s.raw}")
    return found, mine, held


@pytest.mark.parametrize(
    "skjema",
    [*SKJEMAER, _variant(SKJEMAER[0], VARIANT)],
    ids=[*(f"v{s.versjon}" for s in SKJEMAER), "variant"],
)
def test_the_form_and_the_exported_rules_agree_on_every_generated_answer_set(skjema: Skjema) -> None:
    exported = Exported(questionnaire(skjema), skjema)
    found: list[str] = []
    seen: dict[str, set[tuple[str, bool]]] = {}
    held_seen: dict[str, set[bool]] = {}
    combos = set()
    count = 0
    for s in svarsett(skjema):
        count += 1
        problems, mine, held = compare(exported, skjema, s)
        found += problems
        combos.add((s.soknad_type, s.kategori))
        for qid, utfall in mine.items():
            seen.setdefault(qid, set()).update(
                {("visible", utfall.visible), ("required", utfall.required), ("error", utfall.error)}
            )
        for key, outcome in held.items():
            held_seen.setdefault(key, set()).add(outcome)

    assert not found, f"{len(found)} disagreements, the first: {found[:3]}"

    # The sets reach both sides of every rule, or agreement would prove little.
    assert count >= 2000 and combos == set(COMBOS)
    for seksjon in skjema.seksjoner:
        for sp in seksjon.sporsmal:
            conditional = seksjon.vis_nar is not None or sp.vis_nar is not None
            assert ("visible", True) in seen[sp.id], sp.id
            assert (("visible", False) in seen[sp.id]) == conditional, sp.id
            if sp.pakrevd or sp.pakrevd_nar:
                assert ("required", True) in seen[sp.id], sp.id
            if sp.pakrevd_nar and not sp.pakrevd:
                assert ("required", False) in seen[sp.id], sp.id
            assert {("error", True), ("error", False)} <= seen[sp.id], sp.id
    assert held_seen and all(outcomes == {True, False} for outcomes in held_seen.values()), held_seen


def _item(resource: dict[str, Any], link_id: str) -> dict[str, Any]:
    return next(i for i in _items(resource["item"]) if i["linkId"] == link_id)


def _constraint(resource: dict[str, Any], key: str) -> dict[str, Any]:
    for ext in resource["extension"]:
        parts = {e["url"]: e for e in ext["extension"]}
        if parts["key"]["valueId"] == key:
            return parts["expression"]
    raise KeyError(key)


def _replace(holder: dict[str, Any], field: str, old: str, new: str) -> None:
    assert old in holder[field], (holder[field], old)
    holder[field] = holder[field].replace(old, new)


MUTATIONS: dict[str, Callable[[dict[str, Any]], None]] = {
    "enableWhen answer flipped": lambda q: _item(q, "register_navn")["enableWhen"][0]["answerCoding"].update(
        code="nei"
    ),
    "enableBehavior any -> all": lambda q: _item(q, "godkjent_bruk").update(enableBehavior="all"),
    "section condition dropped": lambda q: _item(q, "seksjon-pasientgruppe").pop("enableWhen"),
    "enableWhenExpression on the other type": lambda q: _replace(
        _item(q, "klinisk_eksepsjonell")["extension"][0]["valueExpression"],
        "expression",
        "'enkeltpasient'",
        "'gruppe'",
    ),
    "required dropped": lambda q: _item(q, "dose").pop("required"),
    "required added": lambda q: _item(q, "antall_kurer").update(required=True),
    "conditional required on the wrong kategori": lambda q: _replace(
        _constraint(q, "skriftlig-samtykke-p"), "valueString", "'tilgangsordningen'", "'off_label'"
    ),
    "value rule wants the other answer": lambda q: _replace(
        _constraint(q, "markedsforingstillatelse-v1"), "valueString", "'ja'", "'nei'"
    ),
    "not in the future turned around": lambda q: _replace(
        _constraint(q, "samtykke-dato-f"), "valueString", "<= today()", ">= today()"
    ),
    "maxValue lowered": lambda q: next(
        e for e in _item(q, "gruppe_storrelse")["extension"] if e["url"] == MAX_VALUE
    ).update(valueInteger=1000),
    "maxLength raised": lambda q: _item(q, "nye_metoder_id").update(maxLength=400),
}


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_a_wrongly_exported_rule_is_caught(mutation: str) -> None:
    skjema = SKJEMAER[0]
    mutated = copy.deepcopy(questionnaire(skjema))
    MUTATIONS[mutation](mutated)
    assert mutated != questionnaire(skjema)

    exported = Exported(mutated, skjema)

    assert any(compare(exported, skjema, s)[0] for s in svarsett(skjema, 400))
