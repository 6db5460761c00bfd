"""What we read from the record's FHIR resources: the patient's number, name, birth date and sex, the
physician's HPR-number, and the unit (RESH) of the encounter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.fhir.systemer import D_NUMMER, FODSELSNUMMER, HPR_NUMMER, RESH

KJONN = {"male": "mann", "female": "kvinne", "other": "annet", "unknown": "ukjent"}
KJONN_LABELS = {"mann": "Mann", "kvinne": "Kvinne", "annet": "Annet", "ukjent": "Ukjent"}


@dataclass(frozen=True)
class Journalpasient:
    fhir_id: str
    fodselsnummer: str | None
    """Fødselsnummer, or D-nummer when the record has no fødselsnummer."""
    navn: str | None
    fodselsdato: date | None
    kjonn: str | None


def _identifier(resource: dict[str, Any], *systems: str) -> str | None:
    identifiers = [i for i in resource.get("identifier") or [] if isinstance(i, dict)]
    for system in systems:  # in order of preference
        for ident in identifiers:
            value = ident.get("value")
            if ident.get("system") == system and isinstance(value, str) and value.strip():
                return value.strip()
    return None


def human_name(resource: dict[str, Any]) -> str | None:
    names = [n for n in resource.get("name") or [] if isinstance(n, dict)]
    if not names:
        return None
    # The official name where the record marks one; a nickname is not what the application needs.
    chosen = next((n for n in names if n.get("use") == "official"), names[0])
    if isinstance(chosen.get("text"), str) and chosen["text"].strip():
        return " ".join(chosen["text"].split())
    given = [g for g in chosen.get("given") or [] if isinstance(g, str)]
    family_value = chosen.get("family")
    family = family_value if isinstance(family_value, str) else ""
    text = " ".join([*given, family]).strip()
    return " ".join(text.split()) or None


def parse_patient(resource: dict[str, Any]) -> Journalpasient:
    birth = resource.get("birthDate")
    try:
        fodselsdato = date.fromisoformat(birth) if isinstance(birth, str) and len(birth) == 10 else None
    except ValueError:
        fodselsdato = None
    gender = resource.get("gender")
    return Journalpasient(
        fhir_id=str(resource.get("id") or ""),
        fodselsnummer=_identifier(resource, FODSELSNUMMER, D_NUMMER),
        navn=human_name(resource),
        fodselsdato=fodselsdato,
        kjonn=KJONN.get(gender) if isinstance(gender, str) else None,
    )


def hpr_of(resource: dict[str, Any]) -> str | None:
    """The HPR-number of a Practitioner."""
    return _identifier(resource, HPR_NUMMER)


def resh_of(resource: dict[str, Any]) -> str | None:
    """The RESH-id of an Organization."""
    return _identifier(resource, RESH)


def service_provider(encounter: dict[str, Any]) -> tuple[str | None, str | None]:
    """(RESH-id given inline, reference to read) of an Encounter's serviceProvider."""
    provider = encounter.get("serviceProvider")
    if not isinstance(provider, dict):
        return None, None
    ident = provider.get("identifier")
    if isinstance(ident, dict) and ident.get("system") == RESH and isinstance(ident.get("value"), str):
        return ident["value"], None
    reference = provider.get("reference")
    return None, reference if isinstance(reference, str) and reference else None


def fhir_user_reference(claims: dict[str, Any]) -> str | None:
    """`fhirUser` as a reference we can read: `Practitioner/123` or an absolute URL of one."""
    value = claims.get("fhirUser")
    if not isinstance(value, str) or "Practitioner/" not in value:
        return None
    return value
