"""Which resources one application gives, by type: the one place the API, the searches and the examples
ask, so a resource type is exported the same way wherever it is read."""

from __future__ import annotations

from collections.abc import Callable

from shared.fhir.krav import claim, claim_responses, coverage, kravfakta
from shared.fhir.ressurser import (
    Resource,
    Saksfakta,
    condition,
    medication,
    organization_enhet,
    organization_hf,
    pasient_ref,
    patient,
    practitioner,
    practitioner_ref,
)
from soknad.fhir.svar import questionnaire_response
from soknad.skjema.register import SkjemaRegister

QR_STATUS = {"utkast": "in-progress", "returnert": "in-progress"}
"""A draft or a returned application is being written; every other one is the completed answer as sent
(a withdrawn one too: its Claim says `cancelled`)."""


def questionnaire_response_for(sak: Saksfakta, skjemaer: SkjemaRegister) -> Resource:
    return questionnaire_response(
        skjema=skjemaer.get(sak.skjema_versjon),
        soknad_type=sak.type,
        kategori=sak.kategori,
        svar=dict(sak.innhold),
        id=sak.soknad_id,
        status=QR_STATUS.get(sak.status, "completed"),
        authored=sak.sendt_at or sak.endret_at,
        subject=pasient_ref(sak) if sak.har_pasient else None,
        author=practitioner_ref(sak),
    )


def _one(
    build: Callable[[Saksfakta], Resource | None],
) -> Callable[[Saksfakta, SkjemaRegister], list[Resource]]:
    def single(sak: Saksfakta, _skjemaer: SkjemaRegister) -> list[Resource]:
        resource = build(sak)
        return [] if resource is None else [resource]

    return single


def _claim_responses(sak: Saksfakta, _skjemaer: SkjemaRegister) -> list[Resource]:
    fakta = kravfakta(sak)
    return [] if fakta is None else claim_responses(sak.vedtak, fakta)


def _organizations(sak: Saksfakta, _skjemaer: SkjemaRegister) -> list[Resource]:
    return [organization_hf(sak.hf), organization_enhet(sak.hf, sak.enhet)]


PER_SAK: dict[str, Callable[[Saksfakta, SkjemaRegister], list[Resource]]] = {
    "QuestionnaireResponse": lambda sak, skjemaer: [questionnaire_response_for(sak, skjemaer)],
    "Claim": _one(claim),
    "ClaimResponse": _claim_responses,
    "Patient": _one(patient),
    "Condition": _one(condition),
    "Medication": _one(medication),
    "Coverage": _one(coverage),
    "Practitioner": _one(practitioner),
    "Organization": _organizations,
}
"""Every resource type a case is exported as, and how."""


def ressurser(sak: Saksfakta, resource_type: str, skjemaer: SkjemaRegister) -> list[Resource]:
    return PER_SAK[resource_type](sak, skjemaer)
