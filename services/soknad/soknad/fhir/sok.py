"""FHIR searches: the query string parsed into criteria over the cases (or a 400 naming what is wrong),
and the matching resources as a `searchset` Bundle with the asked-for `_include`/`_revinclude`."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from shared.fhir.ressurser import Resource, Saksfakta, instant, personnummer_system
from shared.fhir.systemer import D_NUMMER, FH_NUMMER, FODSELSNUMMER, LOPENUMMER, SOKNAD_ID, VEDTAK_ID
from shared.platform.errors import DomainError
from soknad.domain import LOPENUMMER_PATTERN
from soknad.fhir.eksport import ressurser
from soknad.fhir.handlers import Kriterier
from soknad.skjema.register import SkjemaRegister

PERSON_SYSTEMS = (FODSELSNUMMER, D_NUMMER, FH_NUMMER)
GENERAL = ("_id", "_count", "_format", "_include", "_revinclude")
JSON_FORMATS = ("json", "application/json", "application/fhir+json")
DEFAULT_COUNT = 50
MAX_COUNT = 200
_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.")

_PATIENT_CHAINS = ("patient.identifier", "patient:identifier")
SEARCH_PARAMS: dict[str, tuple[str, ...]] = {
    "Claim": ("identifier", "status", "patient", *_PATIENT_CHAINS),
    "ClaimResponse": ("identifier", "status", "request", "patient", *_PATIENT_CHAINS),
    "QuestionnaireResponse": (
        "status",
        "subject",
        "patient",
        "subject.identifier",
        "subject:identifier",
        *_PATIENT_CHAINS,
    ),
    "Patient": ("identifier",),
    "Condition": ("subject", "patient", "subject.identifier", "subject:identifier", *_PATIENT_CHAINS),
    "Coverage": (
        "beneficiary",
        "patient",
        "beneficiary.identifier",
        "beneficiary:identifier",
        *_PATIENT_CHAINS,
    ),
}
"""The searchable types and their parameters besides the general ones (the CapabilityStatement lists
these)."""

INCLUDES: dict[str, dict[str, str]] = {
    "Claim": {"Claim:patient": "Patient", "Claim:supporting-info": "QuestionnaireResponse"},
    "ClaimResponse": {"ClaimResponse:request": "Claim", "ClaimResponse:patient": "Patient"},
    "QuestionnaireResponse": {
        "QuestionnaireResponse:subject": "Patient",
        "QuestionnaireResponse:patient": "Patient",
    },
    "Condition": {"Condition:subject": "Patient", "Condition:patient": "Patient"},
    "Coverage": {"Coverage:beneficiary": "Patient"},
}
REVINCLUDES: dict[str, dict[str, str]] = {"Claim": {"ClaimResponse:request": "ClaimResponse"}}

CLAIM_STATUS = {
    "draft": ("utkast", "returnert"),
    "cancelled": ("trukket",),
    "active": (
        "til_forankring",
        "til_vurdering",
        "under_vurdering",
        "tilleggsinfo_etterspurt",
        "vedtatt",
        "opphevet",
    ),
    "entered-in-error": (),
}
QR_STATUS = {
    "in-progress": CLAIM_STATUS["draft"],
    "completed": CLAIM_STATUS["active"] + CLAIM_STATUS["cancelled"],
    "amended": (),
    "entered-in-error": (),
}
CASE_STATUS: dict[str, dict[str, tuple[str, ...]]] = {
    "Claim": CLAIM_STATUS,
    "QuestionnaireResponse": QR_STATUS,
}
RESPONSE_STATUS = ("active", "cancelled", "draft", "entered-in-error")


class UgyldigSok(DomainError):
    """A search parameter or value the API does not understand (FHIR: 400 with an OperationOutcome)."""

    status = 400
    code = "ugyldig_sok"
    title = "Ugyldig søk"


@dataclass(frozen=True)
class Sok:
    resource_type: str
    kriterier: Kriterier
    antall: int = DEFAULT_COUNT
    includes: tuple[str, ...] = ()
    revincludes: tuple[str, ...] = ()
    filters: tuple[Callable[[Resource], bool], ...] = field(default=())
    """Conditions on the built resources (a ClaimResponse's own status or decision id)."""


def _token(raw: str, name: str) -> tuple[str | None, str]:
    """`system|value`, `|value` or `value` → (system or None, value)."""
    if "|" in raw:
        system, value = raw.split("|", 1)
        system_or_none: str | None = system or None
    else:
        system_or_none, value = None, raw
    value = value.strip()
    if not value:
        raise UgyldigSok(f"Parameteren {name} mangler verdi.", field=name)
    return system_or_none, value


def fhir_id(raw: str, name: str) -> str:
    if not raw or len(raw) > 64 or not set(raw) <= _ID_CHARS:
        raise UgyldigSok(f"«{raw[:70]}» er ikke en gyldig FHIR-id.", field=name)
    return raw


def _reference(raw: str, resource_type: str, name: str) -> str:
    """`Type/id`, an absolute URL ending in it, or a bare id."""
    parts = raw.rstrip("/").split("/")
    if len(parts) >= 2:
        if parts[-2] != resource_type:
            raise UgyldigSok(f"Parameteren {name} må vise til en {resource_type}.", field=name)
        return fhir_id(parts[-1], name)
    return fhir_id(raw, name)


def _narrow(kriterier: Kriterier, **changes: object) -> Kriterier:
    """A second condition on the same field intersects with the one there; two that cannot both hold
    leave no case (`soknad_ids=[]`)."""
    merged: dict[str, object] = {}
    for key, value in changes.items():
        current = getattr(kriterier, key)
        if current is None:
            merged[key] = value
        elif isinstance(current, str):
            if current != value:
                return replace(kriterier, soknad_ids=[])
        else:
            wanted = set(value) if isinstance(value, list | tuple) else {value}
            merged[key] = [v for v in current if v in wanted]
    return replace(kriterier, **merged)  # type: ignore[arg-type]


def _person(raw: str, name: str, kriterier: Kriterier) -> Kriterier:
    system, value = _token(raw, name)
    nummer = "".join(value.split())
    if not (len(nummer) == 11 and nummer.isdigit()):
        raise UgyldigSok(
            "Pasientens identifikator må være et fødselsnummer eller D-nummer med 11 siffer.", field=name
        )
    if system is not None and (system not in PERSON_SYSTEMS or personnummer_system(nummer) != system):
        return _narrow(kriterier, soknad_ids=[])
    return _narrow(kriterier, fodselsnummer=nummer)


def _identifier(
    resource_type: str, raw: str, kriterier: Kriterier
) -> tuple[Kriterier, Callable[[Resource], bool] | None]:
    if resource_type == "Patient":
        return _person(raw, "identifier", kriterier), None
    system, value = _token(raw, "identifier")
    lopenummer = value.upper()
    if system == LOPENUMMER or (system is None and LOPENUMMER_PATTERN.fullmatch(lopenummer)):
        return _narrow(kriterier, lopenumre=[lopenummer]), None
    if resource_type == "Claim" and system in (SOKNAD_ID, None):
        return _narrow(kriterier, soknad_ids=[value]), None
    if resource_type == "ClaimResponse" and system in (VEDTAK_ID, None):
        vedtak_id = fhir_id(value, "identifier")
        return _narrow(kriterier, vedtak_id=vedtak_id), lambda r: r.get("id") == vedtak_id
    return _narrow(kriterier, soknad_ids=[]), None


def _statuses(resource_type: str, raw: str) -> tuple[list[str] | None, Callable[[Resource], bool] | None]:
    codes = [c.strip() for c in raw.split(",") if c.strip()]
    allowed = CASE_STATUS.get(resource_type)
    known = tuple(allowed) if allowed is not None else RESPONSE_STATUS
    unknown = [c for c in codes if c not in known]
    if not codes or unknown:
        raise UgyldigSok(f"Ukjent status. Tillatte verdier: {', '.join(known)}.", field="status")
    if allowed is None:
        return None, lambda r: r.get("status") in codes
    return [s for c in codes for s in allowed[c]], None


def _names_a_patient(resource: Resource) -> bool:
    pointer = resource.get("patient") or resource.get("subject") or resource.get("beneficiary") or {}
    return str(pointer.get("reference", "")).startswith("Patient/")


def parse(resource_type: str, params: Iterable[tuple[str, str]]) -> Sok:
    """The query string of a search on `resource_type`; 400 for an unknown parameter or a bad value."""
    known = SEARCH_PARAMS.get(resource_type)
    if known is None:
        raise UgyldigSok(f"Søk på {resource_type} støttes ikke; hent ressursen med id.", field="type")
    kriterier = Kriterier()
    sok = Sok(resource_type, kriterier)
    filters: list[Callable[[Resource], bool]] = []
    includes: list[str] = []
    revincludes: list[str] = []
    for name, raw in params:
        value = raw.strip()
        if name not in GENERAL and name not in known:
            raise UgyldigSok(f"Ukjent søkeparameter «{name[:60]}» for {resource_type}.", field=name)
        if name == "_count":
            if not (value.isdigit() and 1 <= int(value) <= MAX_COUNT):
                raise UgyldigSok(f"_count må være et heltall fra 1 til {MAX_COUNT}.", field=name)
            sok = replace(sok, antall=int(value))
        elif name == "_format":
            if value not in JSON_FORMATS:
                raise UgyldigSok("Bare JSON (application/fhir+json) støttes.", field=name)
        elif name == "_include":
            if value not in INCLUDES.get(resource_type, {}):
                raise UgyldigSok(f"_include={value[:60]} støttes ikke for {resource_type}.", field=name)
            includes.append(value)
        elif name == "_revinclude":
            if value not in REVINCLUDES.get(resource_type, {}):
                raise UgyldigSok(f"_revinclude={value[:60]} støttes ikke for {resource_type}.", field=name)
            revincludes.append(value)
        elif name == "_id":
            id_ = fhir_id(value, name)
            if resource_type == "ClaimResponse":
                kriterier = _narrow(kriterier, vedtak_id=id_)
                filters.append(lambda r, id_=id_: r.get("id") == id_)  # type: ignore[misc]
            else:
                kriterier = _narrow(kriterier, soknad_ids=[id_])
        elif name == "identifier":
            kriterier, check = _identifier(resource_type, value, kriterier)
            filters += [check] if check else []
        elif name == "status":
            statuser, check = _statuses(resource_type, value)
            if statuser is not None:
                kriterier = _narrow(kriterier, statuser=statuser)
            filters += [check] if check else []
        elif name == "request":
            kriterier = _narrow(kriterier, soknad_ids=[_reference(value, "Claim", name)])
        elif name in ("patient", "subject", "beneficiary"):
            kriterier = _narrow(kriterier, soknad_ids=[_reference(value, "Patient", name)])
            # A group application's resources name no Patient, so they never match a patient.
            filters.append(_names_a_patient)
        else:  # a patient identifier, chained or as the reference's identifier
            kriterier = _person(value, name, kriterier)
    return replace(
        sok,
        kriterier=kriterier,
        filters=tuple(filters),
        includes=tuple(includes),
        revincludes=tuple(revincludes),
    )


def behold(sok: Sok, skjemaer: SkjemaRegister) -> Callable[[Saksfakta], bool] | None:
    """Whether a case gives a resource the search's conditions on resources keep (None: no such
    conditions)."""
    if not sok.filters:
        return None

    def keeps(sak: Saksfakta) -> bool:
        return any(all(f(r) for f in sok.filters) for r in ressurser(sak, sok.resource_type, skjemaer))

    return keeps


def _entry(base: str, resource: Resource, mode: str) -> dict[str, object]:
    return {
        "fullUrl": f"{base}/{resource['resourceType']}/{resource['id']}",
        "resource": resource,
        "search": {"mode": mode},
    }


def bundle(
    sok: Sok,
    saker: Sequence[Saksfakta],
    *,
    totalt: int,
    base: str,
    self_url: str,
    skjemaer: SkjemaRegister,
    now: datetime,
) -> Resource:
    """The searchset: every match, then what `_include`/`_revinclude` asked for, each resource once."""
    matches: list[Resource] = []
    extra: list[Resource] = []
    for sak in saker:
        found = [r for r in ressurser(sak, sok.resource_type, skjemaer) if all(f(r) for f in sok.filters)]
        matches += found
        if not found:
            continue
        for name in sok.includes:
            extra += ressurser(sak, INCLUDES[sok.resource_type][name], skjemaer)
        for name in sok.revincludes:
            extra += ressurser(sak, REVINCLUDES[sok.resource_type][name], skjemaer)
    seen: set[tuple[str, str]] = {(r["resourceType"], r["id"]) for r in matches}
    included: list[Resource] = []
    for resource in extra:
        key = (resource["resourceType"], resource["id"])
        if key not in seen:
            seen.add(key)
            included.append(resource)
    # A filter on the built resources (a ClaimResponse's own status) can only be counted after building.
    total = len(matches) if sok.filters or sok.resource_type == "ClaimResponse" else totalt
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"lastUpdated": instant(now)},
        "type": "searchset",
        "total": total,
        "link": [{"relation": "self", "url": self_url}],
        "entry": [_entry(base, r, "match") for r in matches] + [_entry(base, r, "include") for r in included],
    }
