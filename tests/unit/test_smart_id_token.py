"""The id_token of a launch is checked like an OpenID Connect client must: the record's key (from its
JWKS), `iss`, `aud` = our client id, `exp`, and the `nonce` of this launch. A hand-written fake record
answers the HTTP requests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest

from soknad.smart.feil import SmartAvvist
from soknad.smart.klient import SmartKlient
from soknad.smart.konfig import SmartIssuer
from tests.support.oidc_issuer import generate_signing_key

ISS = "https://ehr.example/fhir"
KEY = generate_signing_key("RS256")
OTHER_KEY = generate_signing_key("RS256", kid=KEY.kid)
ISSUER = SmartIssuer(iss=ISS, client_id="soknad")


def record(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/fhir/.well-known/smart-configuration":
        return httpx.Response(
            200,
            json={
                "authorization_endpoint": "https://ehr.example/auth",
                "token_endpoint": "https://ehr.example/token",
                "jwks_uri": "https://ehr.example/jwks",
                "code_challenge_methods_supported": ["S256"],
            },
        )
    if request.url.path == "/jwks":
        return httpx.Response(200, json={"keys": [dict(KEY.public_jwk)]})
    return httpx.Response(404)


def token(key: Any = KEY, **overrides: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": ISS,
        "aud": "soknad",
        "sub": "p1",
        "iat": now,
        "exp": now + 300,
        "nonce": "n-1",
        **overrides,
    }
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": KEY.kid})


async def verify(id_token: str, *, nonce: str = "n-1", issuer: SmartIssuer = ISSUER) -> dict[str, Any]:
    klient = SmartKlient(httpx.AsyncClient(transport=httpx.MockTransport(record)))
    try:
        config = await klient.configuration(issuer)
        return await klient.verify_id_token(issuer, config, id_token, nonce=nonce)
    finally:
        await klient.aclose()


async def test_a_good_id_token_passes() -> None:
    claims = await verify(token(fhirUser=f"{ISS}/Practitioner/p1"))
    assert claims["fhirUser"] == f"{ISS}/Practitioner/p1"


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: token(exp=int(time.time()) - 600), "utløpt"),
        (lambda: token(aud="another-app"), "et annet program"),
        (lambda: token(iss="https://evil.example/fhir"), "en annen utsteder"),
        (lambda: token(OTHER_KEY), "ikke signert av journalen"),
        (lambda: token(exp=None), "ikke gyldig"),
        (lambda: "not-a-jwt", "kan ikke leses"),
    ],
)
async def test_a_bad_id_token_is_refused(make: Callable[[], str], words: str) -> None:
    # Made when the test runs, not when it is collected: in a long run a token made at collection expires.
    with pytest.raises(SmartAvvist) as refused:
        await verify(make())
    assert refused.value.code == "id_token" and words in refused.value.melding


async def test_the_nonce_must_be_this_launchs() -> None:
    with pytest.raises(SmartAvvist, match="en annen innlogging"):
        await verify(token(), nonce="n-2")


async def test_a_configured_token_issuer_is_what_iss_must_be() -> None:
    separate = SmartIssuer(iss=ISS, client_id="soknad", id_token_issuer="https://login.ehr.example")
    assert (await verify(token(iss="https://login.ehr.example"), issuer=separate))["sub"] == "p1"
    with pytest.raises(SmartAvvist):
        await verify(token(), issuer=separate)


async def test_discovery_without_s256_is_refused() -> None:
    def no_pkce(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"authorization_endpoint": "a", "token_endpoint": "t"})

    klient = SmartKlient(httpx.AsyncClient(transport=httpx.MockTransport(no_pkce)))
    with pytest.raises(SmartAvvist) as refused:
        await klient.configuration(ISSUER)
    await klient.aclose()
    assert refused.value.code == "pkce_unsupported"
