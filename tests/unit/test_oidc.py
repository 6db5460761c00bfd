"""OIDC access-token validation against a real local issuer over HTTP.

"Unit" by speed, not by isolation: every test talks HTTP to a :class:`TestIssuer` on 127.0.0.1,
so discovery, JWKS download, caching and key rotation are exercised for real.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from shared.platform.auth.oidc import HPR_NUMBER_CLAIM, OidcConfig, OidcValidator, TokenClaims, TokenError
from tests.support.oidc_issuer import TestIssuer, generate_signing_key, oidc_issuer

__all__ = ["oidc_issuer"]  # re-exported so pytest sees the fixture in this module


class FakeClock:
    """Monotonic clock the tests move by hand, to cross cache and rate-limit boundaries."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_json(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def split(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header_b64, payload_b64, signature = token.split(".")
    header = json.loads(base64.urlsafe_b64decode(header_b64 + "=" * (-len(header_b64) % 4)))
    payload = json.loads(base64.urlsafe_b64decode(payload_b64 + "=" * (-len(payload_b64) % 4)))
    return header, payload, signature


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def validator(oidc_issuer: TestIssuer, http: httpx.AsyncClient, clock: FakeClock) -> OidcValidator:
    return OidcValidator(oidc_issuer.oidc_config(), http, clock=clock)


async def refused(validator: OidcValidator, token: str) -> TokenError:
    with pytest.raises(TokenError) as caught:
        await validator.validate(token)
    return caught.value


# -- accepted tokens ---------------------------------------------------------------------------


async def test_valid_token_is_accepted_and_claims_parsed(
    oidc_issuer: TestIssuer, validator: OidcValidator
) -> None:
    token = oidc_issuer.issue(
        "user-1",
        roles=["soker", "leder"],
        hf="hf-ahus",
        enhet="med-onkologi",
        name="Kari Testlege",
        extra_claims={HPR_NUMBER_CLAIM: "9144889"},
    )

    claims = await validator.validate(token)

    assert isinstance(claims, TokenClaims)
    assert claims.subject == "user-1"
    assert claims.name == "Kari Testlege"
    assert claims.roles == frozenset({"soker", "leder"})
    assert claims.hf == "hf-ahus"
    assert claims.enhet == "med-onkologi"
    assert claims.hpr_number == "9144889"
    assert claims.raw["iss"] == oidc_issuer.issuer
    assert claims.raw[HPR_NUMBER_CLAIM] == "9144889"


async def test_optional_claims_may_be_absent(oidc_issuer: TestIssuer, validator: OidcValidator) -> None:
    token = oidc_issuer.issue("user-2", roles=[], hf=None, name=None)

    claims = await validator.validate(token)

    assert claims.roles == frozenset()
    assert (claims.name, claims.hf, claims.enhet, claims.hpr_number) == (None, None, None, None)


async def test_roles_as_space_separated_string_in_configured_claims(
    oidc_issuer: TestIssuer, http: httpx.AsyncClient
) -> None:
    config = oidc_issuer.oidc_config(roles_claim="helseid://claims/roles", hf_claim="org", unit_claim="unit")
    validator = OidcValidator(config, http)
    token = oidc_issuer.issue(
        "user-3",
        roles=[],
        hf=None,
        extra_claims={"helseid://claims/roles": "komite  fagdirektor", "org": "hf-sus", "unit": "x"},
    )

    claims = await validator.validate(token)

    assert claims.roles == frozenset({"komite", "fagdirektor"})
    assert (claims.hf, claims.enhet) == ("hf-sus", "x")


async def test_malformed_roles_claim_is_refused(oidc_issuer: TestIssuer, validator: OidcValidator) -> None:
    token = oidc_issuer.issue("user-4", roles=[], hf="hf", extra_claims={"roles": {"admin": True}})

    assert (await refused(validator, token)).code == "invalid_claim"


async def test_audience_as_list_is_accepted(oidc_issuer: TestIssuer, validator: OidcValidator) -> None:
    token = oidc_issuer.issue(
        "user-5", roles=["komite"], hf="hf", audience=["other-api", oidc_issuer.audience]
    )

    assert (await validator.validate(token)).roles == {"komite"}


async def test_es256_token_from_ec_key_is_accepted(oidc_issuer: TestIssuer, validator: OidcValidator) -> None:
    token = oidc_issuer.issue("user-6", roles=["admin"], hf="hf", kid=oidc_issuer.ec_kid)

    assert split(token)[0]["alg"] == "ES256"
    assert (await validator.validate(token)).roles == {"admin"}


async def test_expiry_within_leeway_is_accepted(oidc_issuer: TestIssuer, validator: OidcValidator) -> None:
    # Clocks in a hospital network drift; the configured 30 s leeway absorbs that.
    token = oidc_issuer.issue("user-7", roles=["soker"], hf="hf", expires_in=-5)

    assert (await validator.validate(token)).subject == "user-7"


# -- time and claim checks ---------------------------------------------------------------------


async def test_expired_token_is_refused(oidc_issuer: TestIssuer, validator: OidcValidator) -> None:
    token = oidc_issuer.issue("user-1", roles=["soker"], hf="hf", expires_in=-120)

    error = await refused(validator, token)

    assert error.code == "expired"
    assert error.message == "Tilgangsbeviset er utløpt."


async def test_token_not_yet_valid_is_refused(oidc_issuer: TestIssuer, validator: OidcValidator) -> None:
    token = oidc_issuer.issue(
        "user-1", roles=["soker"], hf="hf", not_before=datetime.now(UTC) + timedelta(minutes=10)
    )

    error = await refused(validator, token)

    assert error.code == "not_yet_valid"
    assert error.message == "Tilgangsbeviset er ikke gyldig ennå."


async def test_token_issued_in_the_future_is_refused(
    oidc_issuer: TestIssuer, validator: OidcValidator
) -> None:
    token = oidc_issuer.issue(
        "user-1", roles=["soker"], hf="hf", issued_at=datetime.now(UTC) + timedelta(minutes=10)
    )

    assert (await refused(validator, token)).code == "not_yet_valid"


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("exp", "4102444800"),  # a numeric string in the future: PyJWT's int() takes it
        ("exp", "4102444800.5"),
        ("nbf", "1000000000"),
        ("nbf", True),  # int(True) == 1, long past
        ("iat", "1000000000"),
        ("iat", False),
        ("iat", [1000000000]),
    ],
)
async def test_time_claim_that_is_no_json_number_is_refused(
    oidc_issuer: TestIssuer, validator: OidcValidator, claim: str, value: object
) -> None:
    # RFC 7519 §2: a NumericDate is a JSON numeric value; a string or a boolean is not one.
    token = oidc_issuer.issue("user-1", roles=["soker"], hf="hf", extra_claims={claim: value})

    error = await refused(validator, token)

    # PyJWT itself refuses some of these (as malformed); the rest only our NumericDate check does.
    assert error.code in {"invalid_claim", "malformed"}


async def test_fractional_numeric_dates_are_accepted(
    oidc_issuer: TestIssuer, validator: OidcValidator
) -> None:
    now = datetime.now(UTC).timestamp()
    token = oidc_issuer.issue(
        "user-1",
        roles=["soker"],
        hf="hf",
        extra_claims={"exp": now + 300.5, "nbf": now - 10.25, "iat": now - 10.25},
    )

    assert (await validator.validate(token)).subject == "user-1"


@pytest.mark.parametrize("claim", ["exp", "sub", "iss", "aud"])
async def test_token_without_required_claim_is_refused(
    oidc_issuer: TestIssuer, validator: OidcValidator, claim: str
) -> None:
    token = oidc_issuer.issue("user-1", roles=["soker"], hf="hf", omit_claims=[claim])

    error = await refused(validator, token)

    assert error.code == "missing_claim"
    assert f"«{claim}»" in error.message


async def test_wrong_issuer_is_refused(oidc_issuer: TestIssuer, validator: OidcValidator) -> None:
    token = oidc_issuer.issue("user-1", roles=["soker"], hf="hf", issuer="https://helseid-sts.nhn.no")

    error = await refused(validator, token)

    assert error.code == "invalid_issuer"
    assert error.message == "Tilgangsbeviset er utstedt av en ukjent utsteder."


@pytest.mark.parametrize("audience", ["another-api", ["another-api", "third-api"]])
async def test_wrong_audience_is_refused(
    oidc_issuer: TestIssuer, validator: OidcValidator, audience: str | list[str]
) -> None:
    token = oidc_issuer.issue("user-1", roles=["soker"], hf="hf", audience=audience)

    error = await refused(validator, token)

    assert error.code == "invalid_audience"
    assert error.message == "Tilgangsbeviset er ikke utstedt for denne tjenesten."


# -- algorithm and signature attacks -----------------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
async def test_alg_none_token_is_refused(oidc_issuer: TestIssuer, validator: OidcValidator, alg: str) -> None:
    _, payload, _ = split(oidc_issuer.issue("user-1", roles=["admin"], hf="hf"))
    header = {"alg": alg, "typ": "JWT", "kid": oidc_issuer.current_kid}
    token = f"{b64url_json(header)}.{b64url_json(payload)}."

    error = await refused(validator, token)

    assert error.code == "algorithm_not_allowed"


async def test_hs256_key_confusion_with_public_key_is_refused(
    oidc_issuer: TestIssuer, validator: OidcValidator
) -> None:
    # The classic attack: sign with HMAC using the issuer's *public* key as the secret, hoping
    # the verifier feeds that same public key into an HMAC check.
    public_pem = oidc_issuer.public_key_pem()
    _, payload, _ = split(oidc_issuer.issue("attacker", roles=["fagdirektor"], hf="hf"))
    signing_input = f"{b64url_json({'alg': 'HS256', 'typ': 'JWT', 'kid': oidc_issuer.current_kid})}"
    signing_input += f".{b64url_json(payload)}"
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{b64url(mac)}"

    error = await refused(validator, token)

    assert error.code == "algorithm_not_allowed"


async def test_hs256_token_matching_a_published_oct_key_is_refused(
    oidc_issuer: TestIssuer, validator: OidcValidator
) -> None:
    # Even if the JWKS (by mistake or compromise) publishes a symmetric key, it must not be used.
    secret = b"s" * 32
    oidc_issuer.extra_jwks.append({"kty": "oct", "kid": "shared-secret", "k": b64url(secret)})
    token = jwt.encode(
        {"iss": oidc_issuer.issuer, "aud": oidc_issuer.audience, "sub": "x", "exp": 4102444800},
        secret,
        algorithm="HS256",
        headers={"kid": "shared-secret"},
    )

    assert (await refused(validator, token)).code == "algorithm_not_allowed"


@pytest.mark.parametrize("algorithms", [("HS256",), ("RS256", "HS512"), ("none",), ()])
def test_config_refuses_symmetric_or_empty_algorithm_lists(algorithms: tuple[str, ...]) -> None:
    with pytest.raises(ValueError):
        OidcConfig(issuer="https://issuer", audience="api", algorithms=algorithms)


async def test_algorithm_outside_allow_list_is_refused(
    oidc_issuer: TestIssuer, http: httpx.AsyncClient
) -> None:
    validator = OidcValidator(oidc_issuer.oidc_config(algorithms=("RS256",)), http)
    token = oidc_issuer.issue("user-1", roles=["soker"], hf="hf", kid=oidc_issuer.ec_kid)

    assert (await refused(validator, token)).code == "algorithm_not_allowed"


async def test_header_alg_not_matching_jwk_alg_is_refused(
    oidc_issuer: TestIssuer, validator: OidcValidator
) -> None:
    # A genuine PS256 signature by the RSA key, but its JWK says alg=RS256: refuse, because the
    # header must not be able to choose how a key is used.
    token = oidc_issuer.issue("user-1", roles=["soker"], hf="hf", algorithm="PS256")

    assert (await refused(validator, token)).code == "algorithm_mismatch"


async def test_header_alg_not_matching_key_type_is_refused(
    oidc_issuer: TestIssuer, validator: OidcValidator
) -> None:
    # ES256 header pointing at the RSA key; the JWK below has no "alg", so kty decides.
    rsa_jwk = {k: v for k, v in oidc_issuer.key().public_jwk.items() if k != "alg"}
    oidc_issuer.extra_jwks.append({**rsa_jwk, "kid": "rsa-without-alg"})
    ec_token = oidc_issuer.issue("user-1", roles=["soker"], hf="hf", kid=oidc_issuer.ec_kid)
    _, payload_b64, signature = ec_token.split(".")
    header = {"alg": "ES256", "typ": "at+jwt", "kid": "rsa-without-alg"}
    token = f"{b64url_json(header)}.{payload_b64}.{signature}"

    assert (await refused(validator, token)).code == "algorithm_mismatch"


async def test_token_signed_by_unknown_key_is_refused(
    oidc_issuer: TestIssuer, validator: OidcValidator
) -> None:
    stranger = generate_signing_key("RS256")
    claims = split(oidc_issuer.issue("user-1", roles=["admin"], hf="hf"))[1]
    token = jwt.encode(claims, stranger.private_key, algorithm="RS256", headers={"kid": stranger.kid})

    error = await refused(validator, token)

    assert error.code == "unknown_key"


async def test_token_signed_by_other_key_under_known_kid_is_refused(
    oidc_issuer: TestIssuer, validator: OidcValidator
) -> None:
    stranger = generate_signing_key("RS256")
    claims = split(oidc_issuer.issue("user-1", roles=["admin"], hf="hf"))[1]
    token = jwt.encode(
        claims, stranger.private_key, algorithm="RS256", headers={"kid": oidc_issuer.current_kid}
    )

    error = await refused(validator, token)

    assert error.code == "invalid_signature"
    assert error.message == "Ugyldig signatur på tilgangsbeviset."


async def test_tampered_payload_is_refused(oidc_issuer: TestIssuer, validator: OidcValidator) -> None:
    header_b64, _, signature = oidc_issuer.issue("user-1", roles=["soker"], hf="hf-ahus").split(".")
    _, payload, _ = split(oidc_issuer.issue("user-1", roles=["soker"], hf="hf-ahus"))
    payload["roles"] = ["soker", "fagdirektor"]
    payload["hf"] = "hf-sus"
    token = f"{header_b64}.{b64url_json(payload)}.{signature}"

    assert (await refused(validator, token)).code == "invalid_signature"


async def test_critical_header_extension_is_refused(
    oidc_issuer: TestIssuer, validator: OidcValidator
) -> None:
    token = oidc_issuer.issue(
        "user-1",
        roles=["soker"],
        hf="hf",
        extra_headers={"crit": ["urn:example:unknown"], "urn:example:unknown": True},
    )

    assert (await refused(validator, token)).code == "invalid_token"


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "a.b.c.d.e", "eyJhbGciOiJSUzI1NiJ9..", "x" * 20_000])
async def test_malformed_token_is_refused(validator: OidcValidator, token: str) -> None:
    assert (await refused(validator, token)).code == "malformed"


async def test_token_without_kid_uses_the_only_key_and_is_ambiguous_otherwise(
    http: httpx.AsyncClient,
) -> None:
    with TestIssuer() as single_key_issuer:
        validator = OidcValidator(single_key_issuer.oidc_config(), http)
        key = single_key_issuer.key()
        claims = split(single_key_issuer.issue("user-1", roles=["soker"], hf="hf"))[1]
        token = jwt.encode(claims, key.private_key, algorithm="RS256")
        assert "kid" not in split(token)[0]

        assert (await validator.validate(token)).subject == "user-1"

        single_key_issuer.rotate_keys()
        second = OidcValidator(single_key_issuer.oidc_config(), http)
        assert (await refused(second, token)).code == "unknown_key"


# -- JWKS fetching, caching, rotation, outages -------------------------------------------------


async def test_discovery_via_well_known(oidc_issuer: TestIssuer, validator: OidcValidator) -> None:
    assert validator.config.jwks_url is None

    await validator.validate(oidc_issuer.issue("user-1", roles=["soker"], hf="hf"))

    assert oidc_issuer.discovery_requests == 1
    assert oidc_issuer.jwks_requests == 1


async def test_explicit_jwks_url_skips_discovery(oidc_issuer: TestIssuer, http: httpx.AsyncClient) -> None:
    validator = OidcValidator(oidc_issuer.oidc_config(jwks_url=oidc_issuer.jwks_url), http)

    await validator.validate(oidc_issuer.issue("user-1", roles=["soker"], hf="hf"))

    assert oidc_issuer.discovery_requests == 0
    assert oidc_issuer.jwks_requests == 1


async def test_discovery_document_for_another_issuer_is_not_trusted(
    oidc_issuer: TestIssuer, validator: OidcValidator
) -> None:
    oidc_issuer.discovery_overrides["issuer"] = "https://evil.example"

    error = await refused(validator, oidc_issuer.issue("user-1", roles=["soker"], hf="hf"))

    assert error.code == "jwks_unavailable"
    assert oidc_issuer.jwks_requests == 0


async def test_jwks_is_cached_until_it_expires(
    oidc_issuer: TestIssuer, validator: OidcValidator, clock: FakeClock
) -> None:
    token = oidc_issuer.issue("user-1", roles=["soker"], hf="hf")
    await validator.validate(token)
    await validator.validate(token)
    assert oidc_issuer.jwks_requests == 1

    clock.advance(validator.config.jwks_cache_s + 1)
    await validator.validate(token)

    assert oidc_issuer.jwks_requests == 2


async def test_concurrent_requests_with_cold_cache_fetch_jwks_once(
    oidc_issuer: TestIssuer, validator: OidcValidator
) -> None:
    token = oidc_issuer.issue("user-1", roles=["soker"], hf="hf")

    results = await asyncio.gather(*(validator.validate(token) for _ in range(20)))

    assert {claims.subject for claims in results} == {"user-1"}
    assert oidc_issuer.jwks_requests == 1


async def test_key_rotation_new_kid_triggers_refetch(
    oidc_issuer: TestIssuer, validator: OidcValidator
) -> None:
    old_token = oidc_issuer.issue("user-1", roles=["soker"], hf="hf")
    await validator.validate(old_token)
    assert oidc_issuer.jwks_requests == 1

    new_kid = oidc_issuer.rotate_keys()
    new_token = oidc_issuer.issue("user-1", roles=["soker"], hf="hf")
    assert split(new_token)[0]["kid"] == new_kid

    assert (await validator.validate(new_token)).subject == "user-1"
    assert oidc_issuer.jwks_requests == 2
    # Tokens signed before the rotation stay valid until they expire.
    assert (await validator.validate(old_token)).subject == "user-1"
    assert oidc_issuer.jwks_requests == 2


async def test_rotation_to_ec_key_retiring_old_keys(
    oidc_issuer: TestIssuer, validator: OidcValidator
) -> None:
    old_token = oidc_issuer.issue("user-1", roles=["soker"], hf="hf")
    await validator.validate(old_token)

    oidc_issuer.rotate_keys("ES256", retire_old=True)
    new_token = oidc_issuer.issue("user-1", roles=["soker"], hf="hf")

    assert split(new_token)[0]["alg"] == "ES256"
    assert (await validator.validate(new_token)).subject == "user-1"
    # The refetched JWKS no longer has the old key.
    assert (await refused(validator, old_token)).code == "unknown_key"


def random_kid_tokens(count: int) -> list[str]:
    """Tokens an attacker can make for free: one throwaway key, a fresh random kid each."""
    stranger = generate_signing_key("RS256")
    return [
        jwt.encode(
            {"sub": "x"}, stranger.private_key, algorithm="RS256", headers={"kid": secrets.token_hex(8)}
        )
        for _ in range(count)
    ]


async def test_unknown_kid_refetch_is_rate_limited(
    oidc_issuer: TestIssuer, validator: OidcValidator, clock: FakeClock
) -> None:
    await validator.validate(oidc_issuer.issue("user-1", roles=["soker"], hf="hf"))
    assert oidc_issuer.jwks_requests == 1

    for token in random_kid_tokens(50):
        assert (await refused(validator, token)).code == "unknown_key"
    # Fifty unknown kids at once, one refetch: random kids cannot be used to hammer the issuer.
    assert oidc_issuer.jwks_requests == 2

    # A flood that goes on gets one refetch per (short) interval, never one per token.
    for _ in range(3):
        clock.advance(1)
        for token in random_kid_tokens(5):
            await refused(validator, token)
    assert oidc_issuer.jwks_requests == 3


async def test_random_kids_just_before_a_rotation_do_not_lock_out_the_new_key(
    oidc_issuer: TestIssuer, validator: OidcValidator, clock: FakeClock
) -> None:
    await validator.validate(oidc_issuer.issue("user-1", roles=["soker"], hf="hf"))
    for token in random_kid_tokens(50):
        assert (await refused(validator, token)).code == "unknown_key"

    oidc_issuer.rotate_keys()
    rotated = oidc_issuer.issue("user-1", roles=["soker"], hf="hf")
    requests_before = oidc_issuer.jwks_requests

    # The attacker used up the refetch a moment ago; the new key waits for the short interval only
    # (2 s), not the 30 s it used to, and the attacker's kids do not hold it back any longer.
    clock.advance(2)
    for token in random_kid_tokens(5):
        await refused(validator, token)
    assert (await validator.validate(rotated)).subject == "user-1"
    assert oidc_issuer.jwks_requests == requests_before + 1


async def test_new_key_is_found_after_the_interval_even_without_other_traffic(
    oidc_issuer: TestIssuer, validator: OidcValidator, clock: FakeClock
) -> None:
    await validator.validate(oidc_issuer.issue("user-1", roles=["soker"], hf="hf"))
    await refused(validator, random_kid_tokens(1)[0])

    oidc_issuer.rotate_keys()
    rotated = oidc_issuer.issue("user-1", roles=["soker"], hf="hf")
    assert (await refused(validator, rotated)).code == "unknown_key"  # within the interval

    clock.advance(2)
    assert (await validator.validate(rotated)).subject == "user-1"


async def test_one_unknown_kid_is_looked_for_twice_then_only_at_the_next_refresh(
    oidc_issuer: TestIssuer, validator: OidcValidator, clock: FakeClock
) -> None:
    await validator.validate(oidc_issuer.issue("user-1", roles=["soker"], hf="hf", expires_in=3600))
    token = random_kid_tokens(1)[0]

    await refused(validator, token)
    assert oidc_issuer.jwks_requests == 2
    clock.advance(2)
    await refused(validator, token)  # the issuer may publish a key just after using it: once more
    assert oidc_issuer.jwks_requests == 3
    for _ in range(10):
        clock.advance(3)
        assert (await refused(validator, token)).code == "unknown_key"
    assert oidc_issuer.jwks_requests == 3


async def test_jwks_cache_time_is_configurable(
    oidc_issuer: TestIssuer, http: httpx.AsyncClient, clock: FakeClock
) -> None:
    validator = OidcValidator(oidc_issuer.oidc_config(jwks_cache_s=60), http, clock=clock)
    token = oidc_issuer.issue("user-1", roles=["soker"], hf="hf")
    await validator.validate(token)

    clock.advance(61)
    await validator.validate(token)

    assert oidc_issuer.jwks_requests == 2


async def test_jwks_endpoint_down_gives_jwks_unavailable(
    oidc_issuer: TestIssuer, validator: OidcValidator
) -> None:
    token = oidc_issuer.issue("user-1", roles=["soker"], hf="hf")
    oidc_issuer.stop()

    error = await refused(validator, token)

    assert error.code == "jwks_unavailable"
    assert "innloggingstjenesten" in error.message


async def test_jwks_server_error_gives_jwks_unavailable_and_recovers(
    oidc_issuer: TestIssuer, validator: OidcValidator, clock: FakeClock
) -> None:
    token = oidc_issuer.issue("user-1", roles=["soker"], hf="hf")
    oidc_issuer.jwks_status = 503

    assert (await refused(validator, token)).code == "jwks_unavailable"
    # Right after a failure we do not retry on every request (backoff) ...
    assert (await refused(validator, token)).code == "jwks_unavailable"
    assert oidc_issuer.jwks_requests == 1

    # ... but we do once the backoff has passed and the issuer is back.
    oidc_issuer.jwks_status = 200
    clock.advance(6)
    assert (await validator.validate(token)).subject == "user-1"


async def test_cached_keys_outlive_a_short_issuer_outage(
    oidc_issuer: TestIssuer, validator: OidcValidator, clock: FakeClock
) -> None:
    token = oidc_issuer.issue("user-1", roles=["soker"], hf="hf", expires_in=7200)
    await validator.validate(token)
    oidc_issuer.jwks_status = 503

    clock.advance(validator.config.jwks_cache_s + 10)
    assert (await validator.validate(token)).subject == "user-1"
    assert oidc_issuer.jwks_requests == 2  # it did try to refresh

    clock.advance(3600)
    assert (await refused(validator, token)).code == "jwks_unavailable"


async def test_jwks_without_keys_list_gives_jwks_unavailable(
    oidc_issuer: TestIssuer, http: httpx.AsyncClient
) -> None:
    # Point the JWKS URL at the discovery document: valid JSON, but not a key set.
    config = oidc_issuer.oidc_config(jwks_url=oidc_issuer.discovery_url)
    validator = OidcValidator(config, http)

    error = await refused(validator, oidc_issuer.issue("user-1", roles=["soker"], hf="hf"))

    assert error.code == "jwks_unavailable"
