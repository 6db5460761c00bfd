"""Talking to a record's SMART authorization server and FHIR server: discovery, the token exchange, and
the id_token check (signature by the issuer's JWKS, iss, aud, exp, nonce)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt

from shared.fhir.systemer import FHIR_JSON
from soknad.smart.feil import SmartAvvist
from soknad.smart.konfig import SmartIssuer

DISCOVERY_TTL_S = 300.0
ID_TOKEN_ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]
CLOCK_SKEW_S = 60


@dataclass(frozen=True)
class SmartConfiguration:
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str | None
    capabilities: tuple[str, ...]
    code_challenge_methods: tuple[str, ...]


@dataclass(frozen=True)
class TokenResponse:
    access_token: str
    scope: str
    patient: str | None
    encounter: str | None
    id_token: str | None
    refresh_token: str | None
    expires_at: float | None
    raw: dict[str, Any] = field(repr=False, compare=False)


class SmartKlient:
    """One per app: caches each issuer's configuration and keys for a few minutes."""

    def __init__(self, http: httpx.AsyncClient):
        self.http = http
        self._config: dict[str, tuple[float, SmartConfiguration]] = {}
        self._jwks: dict[str, tuple[float, dict[str, Any]]] = {}

    async def aclose(self) -> None:
        await self.http.aclose()

    async def configuration(self, issuer: SmartIssuer) -> SmartConfiguration:
        cached = self._config.get(issuer.iss)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        url = f"{issuer.iss}/.well-known/smart-configuration"
        data = await self._get_json(url, "discovery", "Fant ikke journalens SMART-oppsett")
        try:
            config = SmartConfiguration(
                authorization_endpoint=str(data["authorization_endpoint"]),
                token_endpoint=str(data["token_endpoint"]),
                jwks_uri=str(data["jwks_uri"]) if data.get("jwks_uri") else None,
                capabilities=tuple(str(c) for c in data.get("capabilities") or ()),
                code_challenge_methods=tuple(
                    str(m) for m in data.get("code_challenge_methods_supported") or ()
                ),
            )
        except KeyError as exc:
            raise SmartAvvist(
                "discovery", "Journalens SMART-oppsett mangler adressen for innlogging.", status=502
            ) from exc
        if "S256" not in config.code_challenge_methods:
            # SMART 2 requires S256; without it the code could be used by whoever intercepts it.
            raise SmartAvvist(
                "pkce_unsupported", "Journalen støtter ikke sikker innlogging (PKCE S256).", status=502
            )
        self._config[issuer.iss] = (time.monotonic() + DISCOVERY_TTL_S, config)
        return config

    async def exchange(
        self, issuer: SmartIssuer, config: SmartConfiguration, *, code: str, verifier: str, redirect_uri: str
    ) -> TokenResponse:
        try:
            response = await self.http.post(
                config.token_endpoint,
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": redirect_uri,
                    "client_id": issuer.client_id,
                    "code_verifier": verifier,
                },
                headers={"accept": "application/json"},
            )
        except httpx.HTTPError as exc:
            raise SmartAvvist(
                "token_unreachable", "Journalens innloggingstjeneste svarer ikke.", status=502
            ) from exc
        if response.status_code != 200:
            raise SmartAvvist(
                "token_refused",
                "Journalen godtok ikke innloggingen. Start søknaden fra journalen på nytt.",
                status=401,
                detalj=response.text[:300],
            )
        return _token_response(response)

    async def refresh(
        self, issuer: SmartIssuer, config: SmartConfiguration, refresh_token: str
    ) -> TokenResponse:
        response = await self.http.post(
            config.token_endpoint,
            data={
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": issuer.client_id,
            },
            headers={"accept": "application/json"},
        )
        if response.status_code != 200:
            raise SmartAvvist("refresh_refused", "Journalen fornyet ikke tilgangen.", status=401)
        return _token_response(response)

    async def verify_id_token(
        self, issuer: SmartIssuer, config: SmartConfiguration, id_token: str, *, nonce: str
    ) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.PyJWTError as exc:
            raise _bad_token("Identitetsbeviset fra journalen kan ikke leses.") from exc
        key = await self._key(issuer, config, header.get("kid"))
        try:
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key=key,
                algorithms=ID_TOKEN_ALGORITHMS,
                audience=issuer.client_id,
                issuer=issuer.token_issuer,
                leeway=CLOCK_SKEW_S,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise _bad_token(
                "Identitetsbeviset fra journalen er utløpt. Start på nytt fra journalen."
            ) from exc
        except jwt.InvalidAudienceError as exc:
            raise _bad_token("Identitetsbeviset fra journalen er utstedt til et annet program.") from exc
        except jwt.InvalidIssuerError as exc:
            raise _bad_token("Identitetsbeviset kommer fra en annen utsteder enn journalen.") from exc
        except jwt.InvalidSignatureError as exc:
            raise _bad_token("Identitetsbeviset er ikke signert av journalen.") from exc
        except jwt.PyJWTError as exc:
            raise _bad_token("Identitetsbeviset fra journalen er ikke gyldig.") from exc
        if "nonce" in claims and claims["nonce"] != nonce:
            raise _bad_token("Identitetsbeviset hører til en annen innlogging.")
        return claims

    async def read(self, issuer: SmartIssuer, access_token: str, reference: str) -> dict[str, Any]:
        """A FHIR resource by relative reference (`Patient/123`) or absolute URL."""
        url = reference if reference.startswith(("http://", "https://")) else f"{issuer.iss}/{reference}"
        return await self._get_json(
            url,
            "fhir_read",
            "Fikk ikke lest fra journalen",
            headers={"authorization": f"Bearer {access_token}"},
        )

    async def create(
        self, issuer: SmartIssuer, access_token: str, resource: dict[str, Any]
    ) -> httpx.Response:
        return await self.http.post(
            f"{issuer.iss}/{resource['resourceType']}",
            json=resource,
            headers={
                "authorization": f"Bearer {access_token}",
                "content-type": FHIR_JSON,
                "accept": FHIR_JSON,
            },
        )

    async def _key(self, issuer: SmartIssuer, config: SmartConfiguration, kid: object) -> Any:
        for refetch in (False, True):
            jwks = await self._jwks_of(issuer, config, refetch=refetch)
            for jwk in jwks.get("keys") or []:
                if not isinstance(jwk, dict) or (kid is not None and jwk.get("kid") != kid):
                    continue
                try:
                    return jwt.PyJWK(jwk).key
                except jwt.PyJWTError:
                    continue
        # Unknown key even after a fresh download (a rotation would be there): not the record's token.
        raise _bad_token("Identitetsbeviset er ikke signert av journalen.")

    async def _jwks_of(
        self, issuer: SmartIssuer, config: SmartConfiguration, *, refetch: bool
    ) -> dict[str, Any]:
        cached = self._jwks.get(issuer.iss)
        if cached is not None and cached[0] > time.monotonic() and not refetch:
            return cached[1]
        jwks_uri = config.jwks_uri
        if jwks_uri is None:
            oidc = await self._get_json(
                f"{issuer.token_issuer}/.well-known/openid-configuration",
                "discovery",
                "Fant ikke journalens nøkler",
            )
            jwks_uri = str(oidc.get("jwks_uri") or "")
        jwks = await self._get_json(jwks_uri, "jwks", "Fant ikke journalens nøkler")
        self._jwks[issuer.iss] = (time.monotonic() + DISCOVERY_TTL_S, jwks)
        return jwks

    async def _get_json(
        self, url: str, code: str, melding: str, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        try:
            response = await self.http.get(url, headers={"accept": "application/json", **(headers or {})})
        except httpx.HTTPError as exc:
            raise SmartAvvist(code, f"{melding}: journalen svarer ikke.", status=502) from exc
        if response.status_code != 200:
            raise SmartAvvist(code, f"{melding} (svar {response.status_code}).", status=502)
        try:
            data = response.json()
        except ValueError as exc:
            raise SmartAvvist(code, f"{melding}: svaret kunne ikke leses.", status=502) from exc
        if not isinstance(data, dict):
            raise SmartAvvist(code, f"{melding}: svaret kunne ikke leses.", status=502)
        return data


def _bad_token(melding: str) -> SmartAvvist:
    return SmartAvvist("id_token", melding, status=401)


def _token_response(response: httpx.Response) -> TokenResponse:
    try:
        data = response.json()
    except ValueError as exc:
        raise SmartAvvist(
            "token_refused", "Svaret fra journalens innlogging kunne ikke leses.", status=502
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
        raise SmartAvvist("token_refused", "Journalen ga ingen tilgang.", status=502)
    expires_in = data.get("expires_in")

    def text(name: str) -> str | None:
        value = data.get(name)
        return value if isinstance(value, str) and value else None

    return TokenResponse(
        access_token=data["access_token"],
        scope=text("scope") or "",
        patient=text("patient"),
        encounter=text("encounter"),
        id_token=text("id_token"),
        refresh_token=text("refresh_token"),
        expires_at=time.time() + float(expires_in) if isinstance(expires_in, int | float) else None,
        raw=data,
    )
