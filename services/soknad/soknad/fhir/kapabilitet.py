"""The CapabilityStatement: exactly the reads, searches and includes the API answers (built from the same
tables the search parser checks, so the two cannot drift apart)."""

from __future__ import annotations

from datetime import datetime

from shared.fhir.ressurser import Resource, instant
from shared.fhir.systemer import (
    KANON,
    LMDI_MEDICATION,
    NO_BASIS_ORGANIZATION,
    NO_BASIS_PATIENT,
    NO_BASIS_PRACTITIONER,
)
from soknad.fhir.sok import INCLUDES, REVINCLUDES, SEARCH_PARAMS

READ_TYPES = (
    "Questionnaire",
    "QuestionnaireResponse",
    "Claim",
    "ClaimResponse",
    "Patient",
    "Practitioner",
    "Organization",
    "Condition",
    "Medication",
    "Coverage",
)
PROFILES = {
    "Patient": NO_BASIS_PATIENT,
    "Practitioner": NO_BASIS_PRACTITIONER,
    "Organization": NO_BASIS_ORGANIZATION,
    "Medication": LMDI_MEDICATION,
}
SUPPORTING_INFO = f"{KANON}/SearchParameter/Claim-supporting-info"

_PARAM_TYPES = {"identifier": "token", "status": "token", "url": "uri", "version": "token"}
_CHAINS = {
    "patient": "patient.identifier",
    "subject": "subject.identifier",
    "beneficiary": "beneficiary.identifier",
}
_DOCS = {
    "identifier": {
        "Claim": "Løpenummeret (system lopenummer) eller søknadens id (system soknad-id).",
        "ClaimResponse": "Løpenummeret (system lopenummer) eller vedtakets id (system vedtak-id).",
        "Patient": "Fødselsnummer, D-nummer eller FH-nummer (system|verdi).",
    },
    "status": {"ClaimResponse": "active eller cancelled (erstattet eller opphevet vedtak)."},
}


def _search_params(resource_type: str) -> list[dict[str, str]]:
    params: list[dict[str, str]] = [{"name": "_id", "type": "token"}]
    for name in SEARCH_PARAMS.get(resource_type, ()):
        if "." in name or ":" in name:
            continue  # a chain: documented on its reference parameter
        param = {"name": name, "type": _PARAM_TYPES.get(name, "reference")}
        if name in _CHAINS:
            param["documentation"] = (
                f"Pasienten: {name}=Patient/<id>, eller kjedet på identifikator: "
                f"{_CHAINS[name]}=<system>|<verdi> (også {name}:identifier=<system>|<verdi>)."
            )
        elif resource_type in _DOCS.get(name, {}):
            param["documentation"] = _DOCS[name][resource_type]
        params.append(param)
    if resource_type == "Claim":
        params.append(
            {
                "name": "supporting-info",
                "definition": SUPPORTING_INFO,
                "type": "reference",
                "documentation": "Claim.supportingInfo.valueReference (søknaden som QuestionnaireResponse); "
                "bare for _include=Claim:supporting-info.",
            }
        )
    params.append({"name": "_count", "type": "number", "documentation": "1–200, standard 50."})
    return params


def _resource(resource_type: str) -> dict[str, object]:
    entry: dict[str, object] = {"type": resource_type, "interaction": [{"code": "read"}]}
    if resource_type in PROFILES:
        entry["supportedProfile"] = [PROFILES[resource_type]]
    if resource_type == "Questionnaire":
        entry["interaction"] = [{"code": "read"}, {"code": "search-type"}]
        entry["searchParam"] = [
            {"name": "url", "type": "uri"},
            {"name": "version", "type": "token"},
            {"name": "_id", "type": "token"},
        ]
    elif resource_type in SEARCH_PARAMS:
        entry["interaction"] = [{"code": "read"}, {"code": "search-type"}]
        entry["searchParam"] = _search_params(resource_type)
        if INCLUDES.get(resource_type):
            entry["searchInclude"] = list(INCLUDES[resource_type])
        if REVINCLUDES.get(resource_type):
            entry["searchRevInclude"] = list(REVINCLUDES[resource_type])
    return entry


def capability_statement(*, base: str, now: datetime, versjon: str) -> Resource:
    return {
        "resourceType": "CapabilityStatement",
        "id": "soknadsportalen",
        "url": f"{KANON}/CapabilityStatement/soknadsportalen",
        "version": versjon,
        "name": "SoknadsportalenFhirApi",
        "title": "Søknadsportalen – FHIR-API for søknader og vedtak",
        "status": "active",
        "date": instant(now),
        "publisher": "Søknadsportalen",
        "description": "Skrivebeskyttet FHIR R4-API per helseforetak: søknader om legemidler som "
        "QuestionnaireResponse og Claim (forhåndsgodkjenning), vedtak som ClaimResponse.",
        "kind": "instance",
        "software": {"name": "Søknadsportalen", "version": versjon},
        "implementation": {"description": "Søknadsportalen, søknadstjenesten", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [
            {
                "mode": "server",
                "documentation": "Alle lesinger av personopplysninger skrives i tilgangsloggen. Tilgang "
                "som i "
                "portalen: rolle og tilknytning til saken, bare eget helseforetak.",
                "security": {
                    "cors": False,
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                    "code": "OAuth",
                                }
                            ]
                        }
                    ],
                    "description": "Bearer-token (OIDC, helseforetakets identitetstjeneste) eller portalens "
                    "innloggingsøkt.",
                },
                "resource": [_resource(t) for t in READ_TYPES],
            }
        ],
    }
