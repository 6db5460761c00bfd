"""How the form's questions become FHIR item types and typed answers: one table, used by both the
Questionnaire and the QuestionnaireResponse, so a question and its answer can never disagree on type."""

from __future__ import annotations

from typing import Any, Final

from shared.domain.labels import KATEGORI_LABELS, TYPE_LABELS
from shared.fhir.systemer import ATC, FEST_MERKEVARE, ICD10_NO, KANON, KATEGORI, SOKNAD_TYPE
from soknad.skjema.modell import Skjema, Sporsmal
from soknad.skjema.validering import DELER, is_empty

JA_NEI: Final = f"{KANON}/CodeSystem/ja-nei"
"""Our yes/no codes («ja», «nei»): the stored answers, not HL7's Y/N, so a code reads as the form does."""

TYPE_LINK_ID: Final = "soknad_type"
KATEGORI_LINK_ID: Final = "kategori"
"""The case attributes the conditions depend on, as read-only items at the top of the form."""

ITEM_TYPE: Final[dict[str, str]] = {
    "kort_tekst": "string",
    "lang_tekst": "text",
    "heltall": "integer",
    "belop": "integer",
    "dato": "date",
    "valg": "choice",
    "ja_nei": "choice",
    "personnummer": "string",
    "legemiddel": "group",
    "icd10": "choice",
}
"""`belop` is whole kroner in the form (no øre), so integer with a NOK unit, not decimal."""

PART_CODE_SYSTEM: Final[dict[tuple[str, str], str]] = {
    ("legemiddel", "atc"): ATC,
    ("legemiddel", "fest_id"): FEST_MERKEVARE,
}
"""Parts of a composite answer that are codes in a national code system rather than free text."""


def valg_system(sp: Sporsmal) -> str:
    """The CodeSystem of a question's choices; yes/no questions share one."""
    return JA_NEI if sp.type == "ja_nei" else f"{KANON}/CodeSystem/skjema-{sp.id}"


def section_link_id(seksjon_id: str) -> str:
    # Sections and questions may share an id («legemiddel»); a hyphen never occurs in a question id.
    return f"seksjon-{seksjon_id}"


def part_link_id(sporsmal_id: str, part: str) -> str:
    return f"{sporsmal_id}.{part}"


def help_link_id(link_id: str) -> str:
    return f"{link_id}-hjelp"


def implicit_value_set(system: str) -> str:
    """Every code of `system` (FHIR's implicit value set convention)."""
    return f"{system}?fhir_vs"


def type_coding(soknad_type: str) -> dict[str, Any]:
    if soknad_type not in TYPE_LABELS:
        raise ValueError(f"unknown soknad type {soknad_type!r}")
    return {"system": SOKNAD_TYPE, "code": soknad_type, "display": TYPE_LABELS[soknad_type]}


def kategori_coding(kategori: str) -> dict[str, Any]:
    if kategori not in KATEGORI_LABELS:
        raise ValueError(f"unknown kategori {kategori!r}")
    return {"system": KATEGORI, "code": kategori, "display": KATEGORI_LABELS[kategori]}


def valg_coding(sp: Sporsmal, code: str) -> dict[str, Any]:
    return {"system": valg_system(sp), "code": code, "display": sp.alternativ_tekst(code)}


def check_link_ids(skjema: Skjema) -> None:
    """The two case attribute items take linkIds a question could in principle also use."""
    clash = skjema.ids & {TYPE_LINK_ID, KATEGORI_LINK_ID}
    if clash:
        raise ValueError(f"question ids {sorted(clash)} clash with the case attribute items")


def typed_answers(sp: Sporsmal, value: Any) -> list[dict[str, Any]]:
    """The `answer` list of a (non-group) item for a stored, normalized answer; [] when empty."""
    if is_empty(value):
        return []
    match sp.type:
        case "kort_tekst" | "lang_tekst" | "personnummer":
            return [{"valueString": str(value)}]
        case "heltall" | "belop":
            return [{"valueInteger": int(value)}]
        case "dato":
            return [{"valueDate": str(value)}]
        case "valg" | "ja_nei":
            return [{"valueCoding": valg_coding(sp, str(value))}]
        case "icd10":
            return [{"valueCoding": icd10_coding(value)}]
    raise ValueError(f"question {sp.id} of type {sp.type} has no single answer")


def icd10_coding(value: dict[str, Any]) -> dict[str, Any]:
    """Code and text of the diagnosis; `userSelected` says it was picked from the catalogue (`verifisert`)
    rather than typed by hand, which is what that element means."""
    coding: dict[str, Any] = {}
    if not is_empty(value.get("kode")):
        coding["system"] = ICD10_NO
        coding["code"] = str(value["kode"]).strip()
    if not is_empty(value.get("tekst")):
        coding["display"] = str(value["tekst"]).strip()
    if isinstance(value.get("verifisert"), bool):
        coding["userSelected"] = value["verifisert"]
    return coding


def part_answers(kind: str, value: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """(part, answer list) for every given part of a composite answer kept as a group, in `DELER` order;
    `verifisert` only beside a real part, as the form counts it for nothing on its own."""
    result: list[tuple[str, list[dict[str, Any]]]] = []
    for part in DELER[kind]:
        raw = value.get(part)
        if is_empty(raw):
            continue
        text = str(raw).strip()
        system = PART_CODE_SYSTEM.get((kind, part))
        answer = {"valueCoding": {"system": system, "code": text}} if system else {"valueString": text}
        result.append((part, [answer]))
    if result and isinstance(value.get("verifisert"), bool):
        result.append(("verifisert", [{"valueBoolean": value["verifisert"]}]))
    return result
