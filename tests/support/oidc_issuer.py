"""A real, local OpenID Connect issuer for tests.

It generates genuine key pairs, serves ``/.well-known/openid-configuration`` and ``/jwks`` over real
HTTP on 127.0.0.1 (uvicorn in a background thread, on a free port chosen by the OS), and signs real
JWTs with PyJWT. Tests therefore exercise the same code path as production against HelseID:
discovery, key download, caching and rotation, without mocking HTTP.

Use it as a context manager or through the ``oidc_issuer`` pytest fixture::

    with TestIssuer() as issuer:
        token = issuer.issue("sub-1", roles=["soker"], hf="hf-ahus")

To make the fixture available in other test modules, import it there or list this module in a
conftest's ``pytest_plugins``.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Literal

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from shared.platform.auth.oidc import OidcConfig
from tests.support.thread_server import ThreadServer

__all__ = ["DEFAULT_AUDIENCE", "SigningKey", "TestIssuer", "oidc_issuer"]

DEFAULT_AUDIENCE = "soknadsportalen"

KeyAlgorithm = Literal["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]

_EC_CURVES: dict[str, ec.EllipticCurve] = {
    "ES256": ec.SECP256R1(),
    "ES384": ec.SECP384R1(),
    "ES512": ec.SECP521R1(),
}


@dataclass(frozen=True)
class SigningKey:
    """One key pair of the issuer. ``public_jwk`` is exactly what ``/jwks`` publishes for it."""

    kid: str
    algorithm: str
    private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    public_jwk: Mapping[str, Any]

    @property
    def public_key_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def generate_signing_key(algorithm: str = "RS256", *, kid: str | None = None) -> SigningKey:
    """Make a fresh key pair for ``algorithm`` (RSA 2048 for RS*/PS*, the matching curve for ES*)."""
    private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    if algorithm.startswith(("RS", "PS")):
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
        prefix = "rsa"
    elif algorithm in _EC_CURVES:
        private_key = ec.generate_private_key(_EC_CURVES[algorithm])
        jwk = ECAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
        prefix = "ec"
    else:
        raise ValueError(f"TestIssuer cannot make keys for {algorithm!r}")
    # A random suffix keeps kids unique across issuer instances, so a key from one test can
    # never accidentally match a cached key of another.
    kid = kid or f"{prefix}-{secrets.token_hex(4)}"
    public_jwk = {**jwk, "kid": kid, "alg": algorithm, "use": "sig"}
    return SigningKey(kid=kid, algorithm=algorithm, private_key=private_key, public_jwk=public_jwk)


class TestIssuer:
    """A local OIDC issuer serving discovery and JWKS over HTTP, and signing access tokens.

    Knobs for failure tests (safe to change while the server runs):

    * ``jwks_status``: HTTP status ``/jwks`` answers with (set 503 to simulate an outage);
    * ``discovery_overrides``: fields merged into the discovery document;
    * ``extra_jwks``: additional raw JWK dicts appended to the published key set.

    ``jwks_requests`` and ``discovery_requests`` count hits, to test caching and rate limits.
    """

    __test__ = False  # the name starts with "Test"; stop pytest from trying to collect it

    def __init__(self, *, audience: str = DEFAULT_AUDIENCE, with_ec_key: bool = False) -> None:
        self.audience = audience
        self.jwks_status = 200
        self.discovery_overrides: dict[str, Any] = {}
        self.extra_jwks: list[dict[str, Any]] = []
        self.jwks_requests = 0
        self.discovery_requests = 0
        self._state_lock = threading.Lock()  # the server thread reads what tests mutate
        self._keys: dict[str, SigningKey] = {}
        first = generate_signing_key("RS256")
        self._keys[first.kid] = first
        self._current_kid = first.kid
        self.ec_kid: str | None = None
        if with_ec_key:
            # Published but not the default: tests pick it explicitly with kid=issuer.ec_kid.
            ec_key = generate_signing_key("ES256")
            self._keys[ec_key.kid] = ec_key
            self.ec_kid = ec_key.kid
        self._http = ThreadServer("test-oidc-issuer")

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> TestIssuer:
        self._http.start(self._build_app())
        return self

    def stop(self, *, wait: bool = True) -> None:
        """Stop serving; without `wait` it only asks the server to exit (fixtures need not spend the
        ~0.1 s per test when nothing checks the port afterwards)."""
        self._http.stop(wait=wait)

    def __enter__(self) -> TestIssuer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses ---------------------------------------------------------------------------

    @property
    def issuer(self) -> str:
        """The issuer identifier (``iss``), also the base URL of the server."""
        if self._http.port is None:
            raise RuntimeError("TestIssuer has not been started")
        return f"http://127.0.0.1:{self._http.port}"

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/jwks"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def oidc_config(self, **overrides: Any) -> OidcConfig:
        """An :class:`OidcConfig` for this issuer (discovery by default; override anything)."""
        values: dict[str, Any] = {"issuer": self.issuer, "audience": self.audience}
        values.update(overrides)
        return OidcConfig(**values)

    # -- keys --------------------------------------------------------------------------------

    @property
    def current_kid(self) -> str:
        return self._current_kid

    @property
    def kids(self) -> tuple[str, ...]:
        with self._state_lock:
            return tuple(self._keys)

    def key(self, kid: str | None = None) -> SigningKey:
        with self._state_lock:
            return self._keys[kid or self._current_kid]

    def public_key_pem(self, kid: str | None = None) -> bytes:
        return self.key(kid).public_key_pem

    def rotate_keys(self, algorithm: KeyAlgorithm = "RS256", *, retire_old: bool = False) -> str:
        """Publish a new signing key, make it the default for :meth:`issue`, return its kid.

        With ``retire_old`` the previous keys disappear from the JWKS, as after a completed
        rotation at the real issuer.
        """
        new = generate_signing_key(algorithm)
        with self._state_lock:
            if retire_old:
                self._keys.clear()
                self.ec_kid = None
            self._keys[new.kid] = new
            self._current_kid = new.kid
        return new.kid

    # -- tokens ------------------------------------------------------------------------------

    def issue(
        self,
        subject: str,
        *,
        roles: Iterable[str],
        hf: str | None,
        enhet: str | None = None,
        name: str | None = "Kari Testlege",
        audience: str | list[str] | None = None,
        expires_in: float | None = 300,
        not_before: datetime | None = None,
        issued_at: datetime | None = None,
        issuer: str | None = None,
        extra_claims: Mapping[str, Any] | None = None,
        omit_claims: Iterable[str] = (),
        kid: str | None = None,
        algorithm: str | None = None,
        extra_headers: Mapping[str, Any] | None = None,
    ) -> str:
        """Sign an access token the way HelseID shapes them.

        ``audience``/``issuer`` default to this issuer's; ``expires_in=None`` leaves out ``exp``
        (negative values make an already expired token). ``kid`` picks a published key (default:
        the current one) and ``algorithm`` defaults to that key's algorithm; passing another
        algorithm signs with it anyway, to test mismatch handling. ``extra_claims`` override the
        defaults; ``omit_claims`` removes claims entirely.
        """
        key = self.key(kid)
        now = datetime.now(UTC)
        claims: dict[str, Any] = {
            "iss": issuer if issuer is not None else self.issuer,
            "sub": subject,
            "aud": audience if audience is not None else self.audience,
            "iat": int((issued_at or now).timestamp()),
            "jti": uuid.uuid4().hex,
            "roles": list(roles),
        }
        if expires_in is not None:
            claims["exp"] = int(now.timestamp() + expires_in)
        if not_before is not None:
            claims["nbf"] = int(not_before.timestamp())
        if name is not None:
            claims["name"] = name
        if hf is not None:
            claims["hf"] = hf
        if enhet is not None:
            claims["enhet"] = enhet
        claims.update(extra_claims or {})
        for claim in omit_claims:
            claims.pop(claim, None)
        headers = {"kid": key.kid, "typ": "at+jwt", **(extra_headers or {})}
        return jwt.encode(claims, key.private_key, algorithm=algorithm or key.algorithm, headers=headers)

    # -- HTTP --------------------------------------------------------------------------------

    def _jwks_document(self) -> dict[str, Any]:
        with self._state_lock:
            keys = [dict(key.public_jwk) for key in self._keys.values()]
        return {"keys": [*keys, *self.extra_jwks]}

    def _discovery_document(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "jwks_uri": self.jwks_url,
            "authorization_endpoint": f"{self.issuer}/connect/authorize",
            "token_endpoint": f"{self.issuer}/connect/token",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256", "PS256", "ES256"],
            **self.discovery_overrides,
        }

    def _build_app(self) -> Starlette:
        async def discovery(_: Request) -> Response:
            self.discovery_requests += 1
            return JSONResponse(self._discovery_document())

        async def jwks(_: Request) -> Response:
            self.jwks_requests += 1
            if self.jwks_status != 200:
                return JSONResponse({"error": "unavailable"}, status_code=self.jwks_status)
            return JSONResponse(self._jwks_document())

        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", discovery),
                Route("/jwks", jwks),
            ]
        )


@pytest.fixture
def oidc_issuer() -> Iterator[TestIssuer]:
    """A running :class:`TestIssuer` with one RSA key and one EC (ES256) key."""
    issuer = TestIssuer(with_ec_key=True).start()
    try:
        yield issuer
    finally:
        issuer.stop(wait=False)
