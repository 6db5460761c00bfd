"""The FHIR body of a webhook delivery: the decision as the shared `ClaimResponse` builder gives it, never
with the reasons (`begrunnelse=False`), addressed to the patient by fødselsnummer or D-nummer.

- a decision: its `ClaimResponse` (`active`);
- an amendment: a `transaction` Bundle that PUTs the new `ClaimResponse` (`active`) and the one it
  replaces (`cancelled`), so an EHR never holds both in force, nor neither;
- a revocation: the revoked decision's `ClaimResponse`, `cancelled`, with the note who revoked it and
  from when.

References are logical (by identifier), not literal: the receiver has neither our `Claim` nor our
`Organization`, and a FHIR server applying the Bundle would refuse a literal reference it cannot resolve.
The patient is named by fødselsnummer or D-nummer, the request by løpenummer, the trust by its
organisation number (HELSEFORETAK code when it has none).

The amended and the revoked decision are rebuilt from what integrasjon kept when it sent them
(`IntegratorSak.vedtak`). One sent before that was kept cannot be rebuilt: an amendment then sends the
new `ClaimResponse` alone (its note names the decision it amends), a revocation nothing (None)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from integrasjon.integratorer.tables import IntegratorSak
from shared.domain.trusts import ORGANISASJONSNUMMER_HF, hf_navn
from shared.events.contracts import VedtakFattet, VedtakOpphevet
from shared.fhir.krav import Kravfakta
from shared.fhir.krav import claim_response as build_claim_response
from shared.fhir.ressurser import GRUPPE_PASIENT, Resource, personnummer_system
from shared.fhir.systemer import HELSEFORETAK, LOPENUMMER, ORGANISASJONSNUMMER

UKJENT_PASIENT = "Pasient uten registrert fødselsnummer"


def vedtak_fakta(event: VedtakFattet) -> dict[str, Any]:
    """The decision as the ClaimResponse builder reads it (`soknad.vedtak`'s keys), JSON-ready, allow-listed:
    the reasons are not kept at all."""
    omfang = event.omfang
    return {
        "vedtak_id": event.vedtak_id,
        "soknad_id": event.soknad_id,
        "art": event.art,
        "erstatter_vedtak_id": event.erstatter_vedtak_id,
        "utfall": event.utfall,
        "vilkar": event.vilkar,
        "vilkar_liste": [v.model_dump(mode="json") for v in event.vilkar_liste],
        "omfang": (
            omfang.model_dump(mode="json", include={"dosering", "antall_kurer", "gyldig_fra", "gyldig_til"})
            if omfang is not None
            else None
        ),
        "gyldig_fra": event.gyldig_fra.isoformat() if event.gyldig_fra else None,
        "gyldig_til": event.gyldig_til.isoformat() if event.gyldig_til else None,
        "fattet_at": event.fattet_at.isoformat(),
        "fattet_av_navn": event.fattet_av_navn,
    }


def med_opphevelse(vedtak: Mapping[str, Any], event: VedtakOpphevet) -> dict[str, Any]:
    """The revoked decision with its revocation, as the builder reads it (again without the reasons)."""
    return {
        **vedtak,
        "opphevet": {
            "vedtak_id": event.vedtak_id,
            "opphevet_at": event.opphevet_at.isoformat(),
            "opphevet_av_navn": event.opphevet_av_navn,
            "gjelder_fra": event.gjelder_fra.isoformat(),
        },
    }


def pasient_reference(sak: IntegratorSak) -> dict[str, Any]:
    """The receiver has no access to our `Patient`: it knows the patient by number."""
    if sak.type != "enkeltpasient":
        return {"display": GRUPPE_PASIENT}
    if not sak.fodselsnummer:
        return {"display": UKJENT_PASIENT}
    reference: dict[str, Any] = {
        "type": "Patient",
        "identifier": {"system": personnummer_system(sak.fodselsnummer), "value": sak.fodselsnummer},
    }
    if sak.pasient_navn:
        reference["display"] = sak.pasient_navn
    return reference


def kravfakta(sak: IntegratorSak, *, soknad_id: str, hf: str) -> Kravfakta:
    return Kravfakta(
        soknad_id=soknad_id,
        lopenummer=sak.lopenummer,
        hf=hf,
        soknad_type=sak.type,
        pasient=pasient_reference(sak),
    )


def insurer(hf: str) -> dict[str, Any]:
    orgnr = ORGANISASJONSNUMMER_HF.get(hf)
    identifier = (
        {"system": ORGANISASJONSNUMMER, "value": orgnr} if orgnr else {"system": HELSEFORETAK, "value": hf}
    )
    return {"type": "Organization", "identifier": identifier, "display": hf_navn(hf)}


def claim_response(
    vedtak: Mapping[str, Any], fakta: Kravfakta, *, erstattet_av: Mapping[str, Any] | None = None
) -> Resource:
    """The shared builder's ClaimResponse, without the reasons, its references made logical."""
    resource = build_claim_response(vedtak, fakta, erstattet_av=erstattet_av, begrunnelse=False)
    resource["insurer"] = insurer(fakta.hf)
    resource["request"] = {
        "type": "Claim",
        "identifier": {"use": "official", "system": LOPENUMMER, "value": fakta.lopenummer},
    }
    return resource


def transaction(resources: Sequence[Resource]) -> Resource:
    """PUT by id: applying it twice (a retried delivery) leaves the same state."""
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "resource": r,
                "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"},
            }
            for r in resources
        ],
    }


def vedtak_fattet(event: VedtakFattet, sak: IntegratorSak, *, hf: str) -> Resource:
    """The body for a decision or an amendment."""
    fakta = kravfakta(sak, soknad_id=event.soknad_id, hf=hf)
    ny = vedtak_fakta(event)
    response = claim_response(ny, fakta)
    if event.erstatter_vedtak_id is None:
        return response
    erstattet = (sak.vedtak or {}).get(event.erstatter_vedtak_id)
    if not isinstance(erstattet, Mapping):
        return response
    cancelled = claim_response(erstattet, fakta, erstattet_av=ny)
    return transaction([response, cancelled])


def vedtak_opphevet(event: VedtakOpphevet, sak: IntegratorSak, *, hf: str) -> Resource | None:
    """The body for a revocation; None if the revoked decision was not kept."""
    opphevet = (sak.vedtak or {}).get(event.opphever_vedtak_id)
    if not isinstance(opphevet, Mapping):
        return None
    fakta = kravfakta(sak, soknad_id=event.soknad_id, hf=hf)
    return claim_response(med_opphevelse(opphevet, event), fakta)


def body(resource: Resource) -> str:
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":"))
