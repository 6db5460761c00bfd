"""A soknad's answers as a FHIR R4 QuestionnaireResponse, nested and typed like `questionnaire()`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, Final

from shared.fhir.systemer import QUESTIONNAIRE_SOKNAD
from soknad.fhir.skjema_koder import (
    KATEGORI_LINK_ID,
    TYPE_LINK_ID,
    check_link_ids,
    kategori_coding,
    part_answers,
    part_link_id,
    section_link_id,
    type_coding,
    typed_answers,
)
from soknad.skjema.modell import Skjema, Sporsmal
from soknad.skjema.regler import vurder
from soknad.skjema.validering import is_empty, validate_answer

STATUSER: Final = frozenset({"in-progress", "completed", "amended"})
FHIR_ID: Final = re.compile(r"[A-Za-z0-9\-.]{1,64}")


def questionnaire_canonical(skjema: Skjema) -> str:
    return f"{QUESTIONNAIRE_SOKNAD}|{skjema.versjon}"


def questionnaire_response(
    *,
    skjema: Skjema,
    soknad_type: str,
    kategori: str,
    svar: Mapping[str, Any],
    id: str,
    status: str,
    authored: datetime,
    subject: dict[str, Any] | None = None,
    author: dict[str, Any] | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """Only the questions the form shows for this type × kategori × answers, and only answers that are
    valid: an answer to a hidden question is kept in storage but is no part of the application, exactly
    as `skjema.regler.vurder` counts it. `today` (default: the day of `authored`) decides dates «not in
    the future»; personnummer are not re-checked against the deployment's synthetic-number setting, as
    they were checked when saved."""
    if status not in STATUSER:
        raise ValueError(f"status must be one of {sorted(STATUSER)}, not {status!r}")
    if not FHIR_ID.fullmatch(id):
        raise ValueError(f"{id!r} is not a FHIR id (letters, digits, «-» and «.», at most 64)")
    when = authored if authored.tzinfo else authored.replace(tzinfo=UTC)  # stored naive means UTC
    day = today or when.date()
    vurdering = vurder(
        skjema, type_=soknad_type, kategori=kategori, innhold=svar, allow_synthetic=True, today=day
    )
    answers: dict[str, Any] = {}
    for sp in (s.sporsmal for s in vurdering.sporsmal):
        raw = svar.get(sp.id)
        if raw is None:
            continue
        value, problems = validate_answer(sp, raw, allow_synthetic=True, today=day)
        if not problems and not is_empty(value):
            answers[sp.id] = value
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": id,
        "questionnaire": questionnaire_canonical(skjema),
        "status": status,
    }
    if subject is not None:
        resource["subject"] = subject
    resource["authored"] = when.isoformat()
    if author is not None:
        resource["author"] = author
    resource["item"] = response_items(skjema, soknad_type=soknad_type, kategori=kategori, answers=answers)
    return resource


def response_items(
    skjema: Skjema, *, soknad_type: str, kategori: str, answers: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The item tree for normalized answers by question id, every one given included: deciding what is
    visible is the caller's business (the differential test decides it by the exported rules)."""
    check_link_ids(skjema)
    items: list[dict[str, Any]] = [
        {"linkId": TYPE_LINK_ID, "answer": [{"valueCoding": type_coding(soknad_type)}]},
        {"linkId": KATEGORI_LINK_ID, "answer": [{"valueCoding": kategori_coding(kategori)}]},
    ]
    for seksjon in skjema.seksjoner:
        children = [
            item
            for sp in seksjon.sporsmal
            if sp.id in answers
            for item in [_item(sp, answers[sp.id])]
            if item is not None
        ]
        if children:
            items.append({"linkId": section_link_id(seksjon.id), "text": seksjon.tittel, "item": children})
    return items


def _item(sp: Sporsmal, value: Any) -> dict[str, Any] | None:
    if sp.type == "legemiddel":
        parts = part_answers(sp.type, value) if isinstance(value, dict) else []
        if not parts:
            return None
        return {
            "linkId": sp.id,
            "text": sp.etikett,
            "item": [{"linkId": part_link_id(sp.id, part), "answer": answer} for part, answer in parts],
        }
    answer = typed_answers(sp, value)
    return {"linkId": sp.id, "text": sp.etikett, "answer": answer} if answer else None
