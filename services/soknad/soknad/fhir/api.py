"""The read-only FHIR R4 REST API (`/fhir`, i.e. `/soknad/fhir` when mounted): thin routes over the use
cases in `handlers`; every answer `application/fhir+json`, every error an `OperationOutcome`."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

import structlog
from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.fhir.ressurser import Resource, organization_enhet, organization_hf, practitioner_of
from shared.fhir.systemer import FHIR_JSON
from shared.platform.auth.principal import Principal
from shared.platform.errors import DomainError, NotFound, Unauthenticated
from shared.platform.web.problems import HTTP_TITLES, www_authenticate
from soknad.deps import CurrentPrincipal, Runtime
from soknad.fhir import handlers
from soknad.fhir.eksport import PER_SAK, ressurser
from soknad.fhir.kapabilitet import capability_statement
from soknad.fhir.questionnaire import questionnaire
from soknad.fhir.sok import UgyldigSok, behold, bundle, fhir_id, parse
from soknad.skjema.register import Skjemaer, SkjemaRegister

log = structlog.get_logger(__name__)

VERSJON = "1.0.0"

ISSUE_CODES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    500: "exception",
}


def operation_outcome(status: int, message: str) -> Resource:
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": ISSUE_CODES.get(status, "processing"),
                "details": {"text": message},
                "diagnostics": message,
            }
        ],
    }


def fhir_response(resource: Resource, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(resource, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status_code=status, media_type=FHIR_JSON, headers=headers)


def outcome_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return fhir_response(operation_outcome(status, message), status, headers)


class FhirRoute(APIRoute):
    """Errors of these routes, their dependencies' included (a missing login), as OperationOutcome rather
    than the service's problem+json."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except DomainError as exc:
                headers = (
                    {"WWW-Authenticate": www_authenticate(exc)} if isinstance(exc, Unauthenticated) else None
                )
                # A value the API cannot use is the client's error: 400, as FHIR asks, not 422.
                status = 400 if exc.status == 422 else exc.status
                return outcome_response(status, exc.message, headers)
            except RequestValidationError:
                return outcome_response(400, "Forespørselen kunne ikke leses.")
            except StarletteHTTPException as exc:
                return outcome_response(exc.status_code, HTTP_TITLES.get(exc.status_code, "Feil"))
            except Exception:
                log.exception("fhir_unhandled_error", path=request.url.path)
                return outcome_response(500, "Det oppstod en uventet feil. Prøv igjen om litt.")

        return handler


router = APIRouter(prefix="/fhir", tags=["FHIR"], route_class=FhirRoute)


def base_url(request: Request) -> str:
    # `base_url` carries the mount's root path (`/soknad` in the portal).
    return f"{str(request.base_url).rstrip('/')}{router.prefix}"


@router.get("/metadata", name="fhir_metadata", summary="CapabilityStatement (no login needed)")
async def metadata(request: Request, runtime: Runtime) -> Response:
    return fhir_response(
        capability_statement(base=base_url(request), now=runtime.clock.now(), versjon=VERSJON)
    )


def _questionnaires(skjemaer: SkjemaRegister) -> list[Resource]:
    return [questionnaire(skjemaer.get(v)) for v in skjemaer.versjoner]


@router.get("/Questionnaire", summary="The form versions as Questionnaire (search by url and version)")
async def questionnaire_search(
    request: Request, p: CurrentPrincipal, runtime: Runtime, skjemaer: Skjemaer
) -> Response:
    wanted: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name not in ("url", "version", "_id", "_format"):
            raise UgyldigSok(f"Ukjent søkeparameter «{name[:60]}» for Questionnaire.", field=name)
        if name == "_format" and value not in ("json", "application/json", FHIR_JSON):
            raise UgyldigSok("Bare JSON (application/fhir+json) støttes.", field=name)
        if name != "_format":
            wanted["id" if name == "_id" else name] = value
    # `url|version` is the canonical form of a versioned reference.
    if "|" in wanted.get("url", ""):
        wanted["url"], wanted["version"] = wanted["url"].split("|", 1)
    found = [q for q in _questionnaires(skjemaer) if all(q.get(k) == v for k, v in wanted.items())]
    base = base_url(request)
    return fhir_response(
        {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(found),
            "link": [{"relation": "self", "url": str(request.url)}],
            "entry": [
                {"fullUrl": f"{base}/Questionnaire/{q['id']}", "resource": q, "search": {"mode": "match"}}
                for q in found
            ],
        }
    )


@router.get("/Questionnaire/{id_}", summary="One form version as Questionnaire")
async def questionnaire_read(id_: str, p: CurrentPrincipal, skjemaer: Skjemaer) -> Response:
    for q in _questionnaires(skjemaer):
        if q.get("id") == id_:
            return fhir_response(q)
    raise NotFound("Skjemaversjonen finnes ikke.")


def _purpose(resource_type: str) -> str:
    return f"Lest som FHIR {resource_type} (FHIR-API)"


async def _practitioner(runtime: Runtime, p: Principal, id_: str) -> Resource:
    """A person of the reader's own trust (no case and no patient data, so no audit row)."""
    person = await runtime.katalog.person(id_)
    if person is None or person.hf != p.hf:
        raise NotFound(handlers.IKKE_FUNNET)
    return practitioner_of(person.user_id, person.navn, person.hpr_nummer)


async def _organization(runtime: Runtime, p: Principal, id_: str) -> Resource:
    if id_ == p.hf:
        return organization_hf(p.hf)
    org = await runtime.katalog.org(p.hf)
    if org.enhet(id_) is None:
        raise NotFound(handlers.IKKE_FUNNET)
    return organization_enhet(p.hf, handlers.enhetsfakta(org, id_))


@router.get("/{resource_type}", summary="Search (searchset Bundle)")
async def search(
    resource_type: str, request: Request, p: CurrentPrincipal, runtime: Runtime, skjemaer: Skjemaer
) -> Response:
    if resource_type not in PER_SAK:
        raise NotFound(f"Ressurstypen {resource_type[:60]} finnes ikke i dette API-et.")
    sok = parse(resource_type, request.query_params.multi_items())
    treff = await handlers.sok_saker(
        runtime.db,
        p,
        sok.kriterier,
        katalog=runtime.katalog,
        purpose=f"Søk etter {resource_type} (FHIR-API)",
        antall=sok.antall,
        behold=behold(sok, skjemaer),
    )
    return fhir_response(
        bundle(
            sok,
            treff.saker,
            totalt=treff.totalt,
            base=base_url(request),
            self_url=str(request.url),
            skjemaer=skjemaer,
            now=runtime.clock.now(),
        )
    )


@router.get("/{resource_type}/{id_}", summary="Read one resource by id")
async def read(
    resource_type: str, id_: str, p: CurrentPrincipal, runtime: Runtime, skjemaer: Skjemaer
) -> Response:
    if resource_type not in PER_SAK:
        raise NotFound(f"Ressurstypen {resource_type[:60]} finnes ikke i dette API-et.")
    id_ = fhir_id(id_, "id")
    if resource_type == "Practitioner":
        return fhir_response(await _practitioner(runtime, p, id_))
    if resource_type == "Organization":
        return fhir_response(await _organization(runtime, p, id_))
    purpose = _purpose(resource_type)
    if resource_type == "ClaimResponse":
        sak = await handlers.sak_for_vedtak(runtime.db, p, id_, katalog=runtime.katalog, purpose=purpose)
    else:
        sak = await handlers.les_sak(runtime.db, p, id_, katalog=runtime.katalog, purpose=purpose)
    for resource in ressurser(sak, resource_type, skjemaer):
        if resource["id"] == id_:
            return fhir_response(resource)
    raise NotFound(handlers.IKKE_FUNNET)


@router.api_route(
    "/{rest:path}", methods=["POST", "PUT", "PATCH", "DELETE"], include_in_schema=False, name="fhir_read_only"
)
async def read_only(rest: str) -> Response:
    return outcome_response(405, "FHIR-API-et er skrivebeskyttet: bare lesing (GET) støttes.")


@router.get("/{rest:path}", include_in_schema=False, name="fhir_unknown")
async def unknown(rest: str) -> Response:
    return outcome_response(404, "Ukjent adresse i FHIR-API-et.")
