"""A mock patient record for SMART App Launch tests: an authorization server and a small FHIR server of
our own, over real HTTP on 127.0.0.1 (uvicorn in a thread, on a port the OS picks).

It follows SMART App Launch 2 (EHR launch) strictly enough to refuse what a real record refuses:
authorize checks the client, the registered redirect URI, `aud` (= the FHIR base URL), the PKCE S256
challenge and the launch; token checks the code's client and redirect URI and the `code_verifier`; the
FHIR reads need the access token and stay within its patient. `tests/unit/test_smart_mock_ehr.py`
drives it with the independent `fhirclient` library to show it does.

    with MockEhr(client_id="soknad", redirect_uris={"http://127.0.0.1:8000/soknad/smart/callback"}) as ehr:
        launch = ehr.new_launch(patient="pas-a")
        url = ehr.launch_url("http://127.0.0.1:8000/soknad/smart/launch", launch)
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from shared.fhir.systemer import FHIR_JSON, FODSELSNUMMER, HPR_NUMMER, RESH
from tests.support.oidc_issuer import SigningKey, generate_signing_key
from tests.support.thread_server import ThreadServer

__all__ = ["MockEhr", "patient_resource", "practitioner_resource"]

DEFAULT_HPR_CLAIM = "hpr_nummer"
DEFAULT_SCOPE_GRANTED = "launch openid fhirUser patient/*.rs"


def patient_resource(
    id_: str,
    *,
    fnr: str | None,
    given: str,
    family: str,
    birth: str,
    gender: str,
    system: str = FODSELSNUMMER,
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": id_,
        "name": [{"use": "official", "family": family, "given": [given]}],
        "birthDate": birth,
        "gender": gender,
    }
    if fnr is not None:
        resource["identifier"] = [{"system": system, "value": fnr}]
    return resource


def practitioner_resource(id_: str, *, hpr: str | None, given: str, family: str) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Practitioner",
        "id": id_,
        "name": [{"family": family, "given": [given]}],
    }
    if hpr is not None:
        resource["identifier"] = [{"system": HPR_NUMMER, "value": hpr}]
    return resource


@dataclass
class Launch:
    patient: str | None
    practitioner: str
    encounter: str | None = None


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    launch: Launch
    scope: str
    nonce: str | None
    expires: float
    used: bool = False


@dataclass
class Access:
    scope: str
    patient: str | None
    expires: float


@dataclass
class Knobs:
    """Failure switches, safe to change while the server runs."""

    expected_aud: str | None = None
    """The `aud` authorize insists on; default the FHIR base URL."""
    id_token_claims: dict[str, Any] = field(default_factory=dict)
    """Claims merged into every id_token (e.g. an `exp` in the past, a foreign `iss`, another `aud`)."""
    foreign_signing_key: bool = False
    """Sign id_tokens with a key the JWKS does not publish."""
    omit_patient: bool = False
    granted_scope: str | None = None
    """The scope the token grants; default: what was asked for."""
    hpr_claim: str | None = DEFAULT_HPR_CLAIM
    """The id_token claim with the physician's HPR-number; None: only `fhirUser`."""
    write_status: int | None = None
    """Answer QuestionnaireResponse creates with this status instead of storing them."""
    expires_in: int = 300


class MockEhr:
    __test__ = False

    def __init__(self, *, client_id: str = "soknadsportalen", redirect_uris: set[str] | None = None):
        self.client_id = client_id
        self.redirect_uris: set[str] = set(redirect_uris or ())
        self.knobs = Knobs()
        self.key: SigningKey = generate_signing_key("RS256")
        self._foreign_key: SigningKey = generate_signing_key("RS256")
        self.resources: dict[str, dict[str, Any]] = {}
        self.launches: dict[str, Launch] = {}
        self.grants: dict[str, Grant] = {}
        self.access: dict[str, Access] = {}
        self.refresh_tokens: dict[str, Access] = {}
        self.written: list[dict[str, Any]] = []
        self.token_requests = 0
        self._lock = threading.Lock()
        self._http = ThreadServer("mock-ehr")

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> MockEhr:
        self._http.start(self._app())
        return self

    def stop(self) -> None:
        self._http.stop()

    def __enter__(self) -> MockEhr:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- addresses -------------------------------------------------------------------------------

    @property
    def origin(self) -> str:
        if self._http.port is None:
            raise RuntimeError("the mock EHR has not been started")
        return f"http://127.0.0.1:{self._http.port}"

    @property
    def fhir_base(self) -> str:
        """`iss` of a launch: the FHIR base URL."""
        return f"{self.origin}/fhir"

    @property
    def issuer_config(self) -> dict[str, Any]:
        """This record as an entry of `SP_SOKNAD_SMART_ISSUERS`."""
        return {
            "iss": self.fhir_base,
            "client_id": self.client_id,
            "navn": "Testjournal",
            "hpr_claim": "hpr_nummer",
        }

    # -- content ---------------------------------------------------------------------------------

    def add(self, resource: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.resources[f"{resource['resourceType']}/{resource['id']}"] = resource
        return resource

    def add_unit_encounter(self, encounter_id: str, *, resh: str, patient: str) -> None:
        org_id = f"org-{resh}"
        self.add(
            {"resourceType": "Organization", "id": org_id, "identifier": [{"system": RESH, "value": resh}]}
        )
        self.add(
            {
                "resourceType": "Encounter",
                "id": encounter_id,
                "status": "in-progress",
                "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
                "subject": {"reference": f"Patient/{patient}"},
                "serviceProvider": {"reference": f"Organization/{org_id}"},
            }
        )

    def new_launch(self, *, patient: str | None, practitioner: str, encounter: str | None = None) -> str:
        launch_id = secrets.token_urlsafe(12)
        with self._lock:
            self.launches[launch_id] = Launch(patient, practitioner, encounter)
        return launch_id

    def launch_url(self, app_launch_url: str, launch_id: str) -> str:
        """What the record opens: the app's launch URL with `iss` and `launch`."""
        return f"{app_launch_url}?{urlencode({'iss': self.fhir_base, 'launch': launch_id})}"

    # -- protocol --------------------------------------------------------------------------------

    def _smart_configuration(self) -> dict[str, Any]:
        return {
            "issuer": self.fhir_base,
            "jwks_uri": f"{self.origin}/auth/jwks",
            "authorization_endpoint": f"{self.origin}/auth/authorize",
            "token_endpoint": f"{self.origin}/auth/token",
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "response_types_supported": ["code"],
            "scopes_supported": [
                "launch",
                "openid",
                "fhirUser",
                "patient/*.rs",
                "patient/QuestionnaireResponse.c",
            ],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "capabilities": [
                "launch-ehr",
                "client-public",
                "context-ehr-patient",
                "context-ehr-encounter",
                "sso-openid-connect",
                "permission-v2",
            ],
        }

    def _capability_statement(self) -> dict[str, Any]:
        oauth = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"
        return {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": "2026-12-01",
            "kind": "instance",
            "fhirVersion": "4.0.1",
            "format": ["json"],
            "rest": [
                {
                    "mode": "server",
                    "security": {
                        "extension": [
                            {
                                "url": oauth,
                                "extension": [
                                    {"url": "authorize", "valueUri": f"{self.origin}/auth/authorize"},
                                    {"url": "token", "valueUri": f"{self.origin}/auth/token"},
                                ],
                            }
                        ]
                    },
                    "resource": [
                        {"type": t, "interaction": [{"code": "read"}]}
                        for t in ("Patient", "Practitioner", "Encounter", "Organization")
                    ]
                    + [{"type": "QuestionnaireResponse", "interaction": [{"code": "create"}]}],
                }
            ],
        }

    def _id_token(self, grant: Grant) -> str:
        now = int(time.time())
        practitioner = grant.launch.practitioner
        claims: dict[str, Any] = {
            "iss": self.fhir_base,
            "sub": practitioner,
            "aud": grant.client_id,
            "iat": now,
            "exp": now + 300,
            "fhirUser": f"{self.fhir_base}/Practitioner/{practitioner}",
        }
        if grant.nonce:
            claims["nonce"] = grant.nonce
        hpr = _hpr_of(self.resources.get(f"Practitioner/{practitioner}"))
        if self.knobs.hpr_claim and hpr:
            claims[self.knobs.hpr_claim] = hpr
        claims.update(self.knobs.id_token_claims)
        key = self._foreign_key if self.knobs.foreign_signing_key else self.key
        return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": self.key.kid})

    def _app(self) -> Starlette:
        async def smart_configuration(_: Request) -> Response:
            return JSONResponse(self._smart_configuration())

        async def metadata(_: Request) -> Response:
            return JSONResponse(self._capability_statement(), media_type=FHIR_JSON)

        async def jwks(_: Request) -> Response:
            return JSONResponse({"keys": [dict(self.key.public_jwk)]})

        return Starlette(
            routes=[
                Route("/fhir/.well-known/smart-configuration", smart_configuration),
                Route("/fhir/metadata", metadata),
                Route("/auth/jwks", jwks),
                Route("/auth/authorize", self._authorize),
                Route("/auth/token", self._token, methods=["POST"]),
                Route("/fhir/QuestionnaireResponse", self._create_qr, methods=["POST"]),
                Route("/fhir/{type}/{id}", self._read),
            ]
        )

    async def _authorize(self, request: Request) -> Response:
        q = request.query_params
        client_id, redirect_uri = q.get("client_id", ""), q.get("redirect_uri", "")
        if client_id != self.client_id:
            return _oauth_error(400, "unauthorized_client", "unknown client_id")
        if redirect_uri not in self.redirect_uris:
            # Never redirect to an unregistered address (RFC 6749 § 4.1.2.1): answer here.
            return _oauth_error(400, "invalid_request", "redirect_uri is not registered")
        state = q.get("state", "")

        def refuse(error: str, description: str) -> Response:
            query = urlencode({"error": error, "error_description": description, "state": state})
            return RedirectResponse(f"{redirect_uri}?{query}", status_code=302)

        expected_aud = (self.knobs.expected_aud or self.fhir_base).rstrip("/")
        if q.get("response_type") != "code":
            return refuse("unsupported_response_type", "response_type must be code")
        if (q.get("aud") or "").rstrip("/") != expected_aud:
            return refuse("invalid_request", "aud is not this FHIR server")
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return refuse("invalid_request", "PKCE S256 is required")
        scopes = (q.get("scope") or "").split()
        launch = self.launches.get(q.get("launch", ""))
        if "launch" not in scopes or launch is None:
            return refuse("invalid_request", "unknown launch")
        code = secrets.token_urlsafe(24)
        with self._lock:
            self.grants[code] = Grant(
                client_id=client_id,
                redirect_uri=redirect_uri,
                challenge=q["code_challenge"],
                launch=launch,
                scope=" ".join(scopes),
                nonce=q.get("nonce"),
                expires=time.time() + 60,
            )
        return RedirectResponse(
            f"{redirect_uri}?{urlencode({'code': code, 'state': state})}", status_code=302
        )

    async def _token(self, request: Request) -> Response:
        self.token_requests += 1
        form = {k: str(v) for k, v in (await request.form()).items()}
        if form.get("grant_type") == "refresh_token":
            with self._lock:
                previous = self.refresh_tokens.get(form.get("refresh_token", ""))
            if previous is None:
                return _oauth_error(400, "invalid_grant", "unknown refresh token")
            return JSONResponse(
                self._issue(previous.scope, previous.patient, refresh=True), headers=_NO_STORE
            )
        if form.get("grant_type") != "authorization_code":
            return _oauth_error(400, "unsupported_grant_type", "")
        with self._lock:
            grant = self.grants.get(form.get("code", ""))
            if grant is not None and not grant.used:
                grant.used = True
            else:
                grant = None
        if grant is None or grant.expires < time.time():
            return _oauth_error(400, "invalid_grant", "unknown, used or expired code")
        if form.get("client_id") != grant.client_id or form.get("redirect_uri") != grant.redirect_uri:
            return _oauth_error(400, "invalid_grant", "client_id or redirect_uri differs from authorize")
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not verifier or not secrets.compare_digest(challenge, grant.challenge):
            return _oauth_error(400, "invalid_grant", "PKCE verification failed")
        scope = self.knobs.granted_scope if self.knobs.granted_scope is not None else grant.scope
        patient = None if self.knobs.omit_patient else grant.launch.patient
        body = self._issue(scope, patient, refresh="offline_access" in scope or "online_access" in scope)
        if patient is not None:
            body["patient"] = patient
        if grant.launch.encounter:
            body["encounter"] = grant.launch.encounter
        if "openid" in scope.split():
            body["id_token"] = self._id_token(grant)
        return JSONResponse(body, headers=_NO_STORE)

    def _issue(self, scope: str, patient: str | None, *, refresh: bool) -> dict[str, Any]:
        token = secrets.token_urlsafe(24)
        access = Access(scope=scope, patient=patient, expires=time.time() + self.knobs.expires_in)
        body: dict[str, Any] = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.knobs.expires_in,
            "scope": scope,
        }
        with self._lock:
            self.access[token] = access
            if refresh:
                body["refresh_token"] = secrets.token_urlsafe(24)
                self.refresh_tokens[body["refresh_token"]] = access
        return body

    def _bearer(self, request: Request) -> Access | None:
        header = request.headers.get("authorization", "")
        access = self.access.get(header[7:]) if header.lower().startswith("bearer ") else None
        return access if access is not None and access.expires > time.time() else None

    async def _read(self, request: Request) -> Response:
        access = self._bearer(request)
        if access is None:
            return _outcome(401, "login", "a valid access token is required")
        type_, id_ = request.path_params["type"], request.path_params["id"]
        if type_ == "Patient" and access.patient != id_:
            return _outcome(403, "forbidden", "outside the launch's patient")
        resource = self.resources.get(f"{type_}/{id_}")
        if resource is None:
            return _outcome(404, "not-found", f"{type_}/{id_} is not known")
        return JSONResponse(resource, media_type=FHIR_JSON)

    async def _create_qr(self, request: Request) -> Response:
        access = self._bearer(request)
        if access is None:
            return _outcome(401, "login", "a valid access token is required")
        if not _may_create(access.scope):
            return _outcome(
                403, "forbidden", "the token's scope does not allow creating QuestionnaireResponse"
            )
        resource = await request.json()
        if resource.get("resourceType") != "QuestionnaireResponse":
            return _outcome(400, "invalid", "not a QuestionnaireResponse")
        if (resource.get("subject") or {}).get("reference") != f"Patient/{access.patient}":
            return _outcome(403, "forbidden", "the subject is not the launch's patient")
        if self.knobs.write_status is not None:
            return _outcome(self.knobs.write_status, "exception", "the record is down")
        new_id = str(uuid.uuid4())
        stored = {**resource, "id": new_id}
        with self._lock:
            self.written.append(stored)
        return JSONResponse(
            stored,
            status_code=201,
            media_type=FHIR_JSON,
            headers={"location": f"{self.fhir_base}/QuestionnaireResponse/{new_id}/_history/1"},
        )


_NO_STORE = {"cache-control": "no-store", "pragma": "no-cache"}


def _hpr_of(resource: dict[str, Any] | None) -> str | None:
    for ident in (resource or {}).get("identifier") or []:
        if ident.get("system") == HPR_NUMMER:
            return str(ident.get("value"))
    return None


def _may_create(scope: str) -> bool:
    for item in scope.split():
        context, _, rest = item.partition("/")
        resource, _, permissions = rest.partition(".")
        writes = permissions in ("write", "*") or ("c" in permissions and set(permissions) <= set("cruds"))
        if context in ("patient", "user") and resource in ("QuestionnaireResponse", "*") and writes:
            return True
    return False


def _oauth_error(status: int, error: str, description: str) -> Response:
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=_NO_STORE
    )


def _outcome(status: int, code: str, text: str) -> Response:
    body = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": text}],
    }
    return JSONResponse(body, status_code=status, media_type=FHIR_JSON)


async def follow_launch(app: httpx.AsyncClient, launch_url: str) -> httpx.Response:
    """What a browser does after the record opens `launch_url`: to the record's authorize (real HTTP to
    the mock), back to the app's callback. Returns the callback's answer (a redirect to the draft or the
    patient's page, or a refusal), or the first answer that was not a redirect."""
    first = await app.get(launch_url)
    if first.status_code != 302:
        return first
    async with httpx.AsyncClient() as browser:
        authorized = await browser.get(first.headers["location"])
    if authorized.status_code != 302:
        return authorized
    return await app.get(authorized.headers["location"])
