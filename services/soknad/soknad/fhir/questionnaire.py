"""The application form as a FHIR R4 Questionnaire, generated from the same definition the pages render,
and an account of how each of the form's rules is said in FHIR (`regler`, `regeltelling`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from shared.domain.labels import KATEGORI_LABELS, TYPE_LABELS
from shared.fhir.systemer import ICD10_NO, NO_BASIS_PATIENT, QUESTIONNAIRE_SOKNAD
from soknad.fhir.skjema_koder import (
    ITEM_TYPE,
    KATEGORI_LINK_ID,
    PART_CODE_SYSTEM,
    TYPE_LINK_ID,
    check_link_ids,
    help_link_id,
    implicit_value_set,
    kategori_coding,
    part_link_id,
    section_link_id,
    type_coding,
    valg_coding,
)
from soknad.fhir.skjema_uttrykk import (
    ENABLE_WHEN_EXPRESSION,
    Part,
    enable_when,
    expression,
    item_path,
    literal,
    parts,
    typed_value,
)
from soknad.skjema.modell import Betingelse, Seksjon, Skjema, Sporsmal
from soknad.skjema.regler import MSG_PAKREVD, MSG_PAKREVD_VALG
from soknad.skjema.validering import BELOP_MAKS, DELER, KORT_TEKST_MAKS, LANG_TEKST_MAKS, MSG_FREMTID

CONSTRAINT: Final = "http://hl7.org/fhir/StructureDefinition/questionnaire-constraint"
ITEM_CONTROL: Final = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROL_SYSTEM: Final = "http://hl7.org/fhir/questionnaire-item-control"
UNIT: Final = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit"
MIN_VALUE: Final = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE: Final = "http://hl7.org/fhir/StructureDefinition/maxValue"
REGEX: Final = "http://hl7.org/fhir/StructureDefinition/regex"
UCUM: Final = "http://unitsofmeasure.org"
ISO_4217: Final = "urn:iso:std:iso:4217"
PERSONNUMMER_REGEX: Final = "[0-9]{11}"

Uttrykt = Literal["kjerne", "sdc", "constraint", "ikke"]
UTTRYKT: Final[tuple[Uttrykt, ...]] = ("kjerne", "sdc", "constraint", "ikke")


@dataclass(frozen=True)
class Regel:
    """One rule of the form (where, which) and how the Questionnaire says it."""

    sted: str
    regel: str
    uttrykt: Uttrykt
    hvordan: str


def questionnaire(skjema: Skjema) -> dict[str, Any]:
    return _Bygger(skjema).questionnaire


def regler(skjema: Skjema) -> list[Regel]:
    return _Bygger(skjema).regler


def regeltelling(skjema: Skjema) -> dict[Uttrykt, int]:
    """How many rules map to core FHIR (elements and the core specification's standard extensions),
    to an SDC extension, to a `questionnaire-constraint`, and to nothing."""
    counts: dict[Uttrykt, int] = dict.fromkeys(UTTRYKT, 0)
    for regel in regler(skjema):
        counts[regel.uttrykt] += 1
    return counts


def constraint_key(sporsmal_id: str, kind: str) -> str:
    """A FHIR `id` (no underscore, at most 64 characters): the question's id, a hyphen, a short kind."""
    return f"{sporsmal_id.replace('_', '-')}-{kind}"


@dataclass
class _Bygger:
    skjema: Skjema
    regler: list[Regel] = field(default_factory=list)
    constraints: list[dict[str, Any]] = field(default_factory=list)
    questionnaire: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_link_ids(self.skjema)
        items = [
            _case_item(TYPE_LINK_ID, "Søknadstype", [type_coding(t) for t in TYPE_LABELS]),
            _case_item(KATEGORI_LINK_ID, "Ordning", [kategori_coding(k) for k in KATEGORI_LABELS]),
            *(self._section(s) for s in self.skjema.seksjoner),
        ]
        resource: dict[str, Any] = {
            "resourceType": "Questionnaire",
            "id": f"soknad-v{self.skjema.versjon}",
        }
        if self.constraints:
            resource["extension"] = self.constraints
        resource |= {
            "url": QUESTIONNAIRE_SOKNAD,
            "version": str(self.skjema.versjon),
            "name": f"SoknadV{self.skjema.versjon}",
            "title": self.skjema.tittel,
            "status": "active",
            "subjectType": ["Patient"],
            "item": items,
        }
        self.questionnaire = resource

    def _section(self, seksjon: Seksjon) -> dict[str, Any]:
        link_id = section_link_id(seksjon.id)
        item: dict[str, Any] = {"linkId": link_id, "text": seksjon.tittel, "type": "group"}
        self._enable(item, seksjon.vis_nar, seksjon.id)
        children: list[dict[str, Any]] = []
        if seksjon.ingress:
            children.append({"linkId": f"{link_id}-ingress", "text": seksjon.ingress, "type": "display"})
        section_parts = parts(seksjon.vis_nar, self.skjema)
        children += [self._question(sp, section_parts) for sp in seksjon.sporsmal]
        item["item"] = children
        return item

    def _enable(self, item: dict[str, Any], betingelse: Betingelse | None, sted: str) -> None:
        conditions = parts(betingelse, self.skjema)
        if not conditions:
            return
        core = enable_when(conditions)
        if core is not None:
            item["enableWhen"], behavior = core
            if behavior:
                item["enableBehavior"] = behavior
            self._rule(sted, "vis_nar", "kjerne", f"enableWhen ({behavior or 'én test'})")
            return
        item.setdefault("extension", []).append(
            {
                "url": ENABLE_WHEN_EXPRESSION,
                "valueExpression": {"language": "text/fhirpath", "expression": expression(conditions)},
            }
        )
        if any(not part for part in conditions):
            why = "en tom verdiliste, som aldri holder"
        elif any(t.group for part in conditions for t in part):
            why = "«besvart» på en gruppe, som ikke har svar enableWhen kan teste"
        else:
            why = "OG over flere svar der minst ett kan ha flere verdier"
        self._rule(sted, "vis_nar", "sdc", f"sdc-questionnaire-enableWhenExpression: {why}")

    def _question(self, sp: Sporsmal, section_parts: list[Part]) -> dict[str, Any]:
        item: dict[str, Any] = {"linkId": sp.id, "text": sp.etikett, "type": ITEM_TYPE[sp.type]}
        self._enable(item, sp.vis_nar, sp.id)
        visible = section_parts + parts(sp.vis_nar, self.skjema)
        if sp.pakrevd:
            item["required"] = True
            self._rule(sp.id, "pakrevd", "kjerne", "required")
        if sp.pakrevd_nar is not None and not sp.pakrevd:
            condition = expression(visible + parts(sp.pakrevd_nar, self.skjema))
            self._constraint(sp, "p", "pakrevd_nar", _implies(condition, self._complete(sp)), _missing(sp))
            if sp.kompositt:
                self._rule(sp.id, "deler_pakrevd", "constraint", f"i {constraint_key(sp.id, 'p')}")
        self._type_rules(sp, item, visible)
        for index, regel in enumerate(sp.ma_vaere, start=1):
            typed = typed_value(sp, regel.verdi)
            test = _value_test(typed)
            rule = f"{self._path(sp)}.answer.all({test})"
            if regel.nar is not None:
                rule = _implies(expression(parts(regel.nar, self.skjema)), rule)
            self._constraint(sp, f"v{index}", "ma_vaere", rule, regel.melding)
        if sp.ikke_i_fremtiden:
            self._constraint(
                sp, "f", "ikke_i_fremtiden", f"{self._path(sp)}.answer.all(value <= today())", MSG_FREMTID
            )
        item["item"] = [*item.get("item", []), _help(sp.id, sp.hjelp)]
        return item

    def _type_rules(self, sp: Sporsmal, item: dict[str, Any], visible: list[Part]) -> None:
        kind = sp.type
        if kind in ("kort_tekst", "lang_tekst"):
            item["maxLength"] = sp.maks_lengde or (
                KORT_TEKST_MAKS if kind == "kort_tekst" else LANG_TEKST_MAKS
            )
            self._rule(sp.id, "maks_lengde", "kjerne", "maxLength")
        elif kind == "personnummer":
            item["definition"] = f"{NO_BASIS_PATIENT}#Patient.identifier.value"
            item["maxLength"] = 11
            item.setdefault("extension", []).append({"url": REGEX, "valueString": PERSONNUMMER_REGEX})
            self._rule(sp.id, "elleve_sifre", "kjerne", "maxLength og regex-utvidelsen")
            self._rule(sp.id, "kontrollsiffer", "ikke", _NOT_MAPPED["kontrollsiffer"])
        elif kind in ("heltall", "belop"):
            low = sp.min if sp.min is not None else (0 if kind == "belop" else None)
            high = sp.maks if sp.maks is not None else (BELOP_MAKS if kind == "belop" else None)
            extensions = item.setdefault("extension", [])
            if low is not None:
                extensions.append({"url": MIN_VALUE, "valueInteger": low})
                self._rule(sp.id, "min", "kjerne", "minValue-utvidelsen")
            if high is not None:
                extensions.append({"url": MAX_VALUE, "valueInteger": high})
                self._rule(sp.id, "maks", "kjerne", "maxValue-utvidelsen")
            if sp.enhet:
                extensions.append({"url": UNIT, "valueCoding": unit_coding(sp.enhet)})
            if not extensions:
                del item["extension"]
        elif kind in ("valg", "ja_nei"):
            item["answerOption"] = [{"valueCoding": valg_coding(sp, code)} for code, _ in sp.valg()]
        elif kind == "icd10":
            item["answerValueSet"] = implicit_value_set(ICD10_NO)
            self._rule(sp.id, "kodeformat", "ikke", _NOT_MAPPED["icd10"])
            self._rule(sp.id, "delenes_lengde", "ikke", _NOT_MAPPED["coding_lengde"])
            if sp.pakrevd:
                self._constraint(
                    sp,
                    "d",
                    "deler_pakrevd",
                    _implies(expression(visible), self._complete(sp)),
                    _missing(sp),
                )
        elif kind == "legemiddel":
            item["item"] = self._legemiddel_parts(sp)
        else:  # dato: its one rule (`ikke_i_fremtiden`) is a constraint, added by the caller
            assert kind == "dato", kind

    def _legemiddel_parts(self, sp: Sporsmal) -> list[dict[str, Any]]:
        children: list[dict[str, Any]] = []
        for part, d in DELER[sp.type].items():
            child: dict[str, Any] = {"linkId": part_link_id(sp.id, part), "text": d.etikett}
            system = PART_CODE_SYSTEM.get((sp.type, part))
            if system:
                child |= {"type": "choice", "answerValueSet": implicit_value_set(system)}
                self._rule(f"{sp.id}.{part}", "kodeformat", "ikke", _NOT_MAPPED["kode"])
            else:
                child |= {"type": "string", "maxLength": d.maks_lengde}
                self._rule(f"{sp.id}.{part}", "maks_lengde", "kjerne", "maxLength")
            if d.pakrevd and sp.pakrevd:
                # Required inside the group: only once the group is answered, which `required` on the
                # group demands; a non-required drug may be left half-written, as the form allows.
                child["required"] = True
                self._rule(f"{sp.id}.{part}", "pakrevd", "kjerne", "required (i gruppen)")
            children.append(child)
        children.append(
            {
                "linkId": part_link_id(sp.id, "verifisert"),
                "text": "Valgt fra legemiddelregisteret",
                "type": "boolean",
            }
        )
        return children

    def _path(self, sp: Sporsmal) -> str:
        return item_path(self.skjema.seksjon_for(sp.id), sp.id)

    def _complete(self, sp: Sporsmal) -> str:
        return complete_expression(sp, self._path(sp))

    def _constraint(self, sp: Sporsmal, kind: str, regel: str, rule: str, human: str) -> None:
        self.constraints.append(
            {
                "url": CONSTRAINT,
                "extension": [
                    {"url": "key", "valueId": constraint_key(sp.id, kind)},
                    {"url": "requirements", "valueString": f"{regel} for {sp.id}"},
                    {"url": "severity", "valueCode": "error"},
                    {"url": "expression", "valueString": rule},
                    {"url": "human", "valueString": human},
                ],
            }
        )
        self._rule(sp.id, regel, "constraint", f"questionnaire-constraint {constraint_key(sp.id, kind)}")

    def _rule(self, sted: str, regel: str, uttrykt: Uttrykt, hvordan: str) -> None:
        self.regler.append(Regel(sted=sted, regel=regel, uttrykt=uttrykt, hvordan=hvordan))


_NOT_MAPPED: Final = {
    "kontrollsiffer": "Kontrollsifrene (modulus 11), gyldig fødselsdato og om syntetiske testnummer godtas "
    "(en innstilling per installasjon) kan ikke sies med regex, og FHIRPath-regning på sifrene ville "
    "vært en uleselig kopi av `shared.domain.identifiers`.",
    "icd10": "Formatet på ICD-10-koden: i FHIR er spørsmålet om koden finnes i kodeverket, og det avgjør "
    "en terminologitjeneste (answerValueSet), ikke et mønster i skjemaet.",
    "kode": "Formatet på koden (ATC, FEST-id): medlemskap i kodeverket avgjøres av en "
    "terminologitjeneste (answerValueSet), ikke av skjemaet.",
    "coding_lengde": "Lengdegrensene for kode og tekst: maxLength gjelder bare string/text-svar, "
    "ikke Coding.",
}


def _case_item(link_id: str, text: str, codings: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "linkId": link_id,
        "text": text,
        "type": "choice",
        "required": True,
        "readOnly": True,
        "answerOption": [{"valueCoding": c} for c in codings],
    }


def _help(link_id: str, text: str) -> dict[str, Any]:
    return {
        "extension": [
            {
                "url": ITEM_CONTROL,
                "valueCodeableConcept": {"coding": [{"system": ITEM_CONTROL_SYSTEM, "code": "help"}]},
            }
        ],
        "linkId": help_link_id(link_id),
        "text": text,
        "type": "display",
    }


def _missing(sp: Sporsmal) -> str:
    return f"«{sp.etikett}»: {MSG_PAKREVD_VALG if sp.type in ('valg', 'ja_nei') else MSG_PAKREVD}"


def _value_test(typed: dict[str, Any]) -> str:
    ((key, value),) = typed.items()
    if key == "valueCoding":
        return f"value.system = {literal(value['system'])} and value.code = {literal(value['code'])}"
    if key == "valueInteger":
        return f"value = {value}"
    if key == "valueDate":
        return f"value = @{value}"
    return f"value = {literal(str(value))}"


def _implies(condition: str, rule: str) -> str:
    return rule if condition == "true" else f"({condition}) implies ({rule})"


def complete_expression(sp: Sporsmal, path: str) -> str:
    """Answered as the form counts it: a composite needs every required part."""
    if sp.type == "icd10":
        return f"{path}.answer.value.where(code.exists() and display.exists()).exists()"
    if sp.type == "legemiddel":
        required = [part for part, d in DELER[sp.type].items() if d.pakrevd]
        return " and ".join(
            f"{path}.item.where(linkId = {literal(part_link_id(sp.id, part))}).answer.exists()"
            for part in required
        )
    return f"{path}.answer.exists()"


def unit_coding(enhet: str) -> dict[str, Any]:
    """NOK for «kr»; otherwise a UCUM annotation (a unit that counts things, e.g. «{pasienter}»)."""
    if enhet.strip().lower() in ("kr", "nok"):
        return {"system": ISO_4217, "code": "NOK", "display": enhet}
    if re.fullmatch(r"[!-z|~]+", enhet):  # UCUM annotations: printable ASCII without braces
        return {"system": UCUM, "code": "{" + enhet + "}", "display": enhet}
    return {"display": enhet}
