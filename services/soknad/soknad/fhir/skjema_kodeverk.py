"""Our code systems behind the form's choices, as R4 CodeSystem resources, so every coding the
Questionnaire offers and the QuestionnaireResponse holds can be resolved (e.g. served by the FHIR API)."""

from __future__ import annotations

from typing import Any

from shared.domain.labels import KATEGORI_LABELS, TYPE_LABELS
from shared.fhir.systemer import KANON, KATEGORI, SOKNAD_TYPE
from soknad.fhir.skjema_koder import JA_NEI, valg_system
from soknad.skjema.modell import Skjema


def kodeverk(skjema: Skjema) -> list[dict[str, Any]]:
    """Søknadstype, ordning, ja/nei and one per choice question, in form order; the per-question ones carry
    the form version, as a later version may change a question's choices."""
    systems: dict[str, tuple[str, list[tuple[str, str]], str | None]] = {
        SOKNAD_TYPE: ("Søknadstype", list(TYPE_LABELS.items()), None),
        KATEGORI: ("Ordning", list(KATEGORI_LABELS.items()), None),
        JA_NEI: ("Ja eller nei", [("ja", "Ja"), ("nei", "Nei")], None),
    }
    for sp in skjema.sporsmal():
        if sp.type == "valg":
            systems[valg_system(sp)] = (sp.etikett, sp.valg(), str(skjema.versjon))
    return [
        _code_system(url, title, concepts, version) for url, (title, concepts, version) in systems.items()
    ]


def _code_system(
    url: str, title: str, concepts: list[tuple[str, str]], version: str | None
) -> dict[str, Any]:
    tail = url.removeprefix(f"{KANON}/CodeSystem/")
    resource: dict[str, Any] = {"resourceType": "CodeSystem", "id": tail.replace("_", "-"), "url": url}
    if version:
        resource["version"] = version
    return resource | {
        "name": "".join(part.capitalize() for part in tail.replace("-", "_").split("_")),
        "title": title,
        "status": "active",
        "caseSensitive": True,
        "content": "complete",
        "concept": [{"code": code, "display": display} for code, display in concepts],
    }
