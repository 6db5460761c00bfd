"""OIDC access-token validation for the distributed mode (HelseID in production).

The validator checks a bearer JWT against the issuer's published keys (JWKS) and turns it into
:class:`TokenClaims`. It is deliberately strict: an access token is the only thing standing between
the internet and personal health data, so every check that a library might make optional is made
mandatory here, and every refusal carries a Norwegian message that can go straight into a 401
problem+json ``detail`` plus a stable machine ``code``.

Security decisions, and why:

* Only asymmetric algorithms are ever accepted. ``none`` and every ``HS*`` algorithm are refused
  before any key is looked up: with HS* a verifier that is handed an RSA/EC public key would use
  the (public) key bytes as an HMAC secret, letting anyone forge tokens (key-confusion attack).
* The algorithm must be in the configured allow-list **and** fit the JWK that the token's ``kid``
  points at (``alg`` if the JWK declares one, otherwise ``kty``/``crv``). The JWK is bound to that
  algorithm before PyJWT verifies, so the token header cannot pick a different verifier.
* Keys are only ever taken from the configured issuer's JWKS, never from the token header
  (``jku``, ``x5u``, ``jwk`` are ignored), and symmetric (``oct``) or short RSA keys in the JWKS
  are dropped.
* An unknown ``kid`` triggers a JWKS refetch (the issuer may have rotated keys), rate-limited in
  two ways so that random ``kid`` values can neither make us hammer HelseID nor lock out a real
  new key: forced refetches are at least ``refetch_min_interval_s`` apart (short, 2 s by default,
  so a refetch that an attacker's kid used up just before a rotation delays the new key by at most
  that), and one ``kid`` causes at most two of them, the second only after the interval (the issuer
  may publish a key a moment after the first token signed with it), after which it is remembered
  as unknown until the next regular refresh. Every refetch loads the whole key set, so any refetch
  after a rotation, whoever caused it, also finds the new key.
* ``exp``, ``nbf`` and ``iat`` must be JSON numbers (RFC 7519 NumericDate): PyJWT accepts
  ``"exp": "4102444800"`` and ``true``, we do not.
* Network trouble fetching keys is a *server* problem, not a bad token, so it gets its own code
  (``jwks_unavailable``) which the API maps to 503 rather than 401.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAlgorithmError,
    InvalidAudienceError,
    InvalidIssuedAtError,
    InvalidIssuerError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidSubjectError,
    InvalidTokenError,
    MissingRequiredClaimError,
    PyJWKError,
)

__all__ = [
    "HPR_NUMBER_CLAIM",
    "OidcConfig",
    "OidcValidator",
    "TokenClaims",
    "TokenError",
]

logger = logging.getLogger(__name__)

#: HelseID puts the health-personnel register number of the user in this claim.
HPR_NUMBER_CLAIM: Final = "helseid://claims/hpr/hpr_number"

# Real access tokens are a few KiB; refusing huge inputs early keeps base64/JSON decoding of
# attacker-controlled data cheap.
_MAX_TOKEN_LENGTH: Final = 16 * 1024

# How many unknown kids are remembered (oldest forgotten first): bounds memory under a flood.
_MAX_REMEMBERED_UNKNOWN_KIDS: Final = 4096

# The registered time claims; each must be a JSON number when present (RFC 7519 §2, §4.1.4-6).
_NUMERIC_DATE_CLAIMS: Final = ("exp", "nbf", "iat")

# NIST SP 800-131A: RSA keys below 2048 bits are not acceptable for signatures.
_MIN_RSA_BITS: Final = 2048

# Which JWK key type and curve every asymmetric JWS algorithm needs (RFC 7518 §3, RFC 8037).
# Anything not listed here is unknown to us and therefore refused, whatever the config says.
_ALG_KEY_REQUIREMENTS: Final[Mapping[str, tuple[str, str | None]]] = {
    "RS256": ("RSA", None),
    "RS384": ("RSA", None),
    "RS512": ("RSA", None),
    "PS256": ("RSA", None),
    "PS384": ("RSA", None),
    "PS512": ("RSA", None),
    "ES256": ("EC", "P-256"),
    "ES384": ("EC", "P-384"),
    "ES512": ("EC", "P-521"),
    "EdDSA": ("OKP", "Ed25519"),
}


class TokenError(Exception):
    """A token was refused (or could not be checked).

    ``message`` is Norwegian bokmål meant for end users (a problem+json ``detail``); ``code`` is a
    stable machine identifier. ``code == "jwks_unavailable"`` means the issuer could not be reached,
    which the API reports as 503 rather than 401.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"TokenError(code={self.code!r}, message={self.message!r})"


# The Norwegian messages, one per code, so the API and tests can rely on the same wording.
_MESSAGES: Final[Mapping[str, str]] = {
    "malformed": "Tilgangsbeviset har ugyldig format.",
    "algorithm_not_allowed": "Tilgangsbeviset er signert med en algoritme som ikke er tillatt.",
    "algorithm_mismatch": "Tilgangsbevisets algoritme passer ikke med signeringsnøkkelen.",
    "unknown_key": "Tilgangsbeviset er signert med en ukjent nøkkel.",
    "invalid_signature": "Ugyldig signatur på tilgangsbeviset.",
    "expired": "Tilgangsbeviset er utløpt.",
    "not_yet_valid": "Tilgangsbeviset er ikke gyldig ennå.",
    "invalid_issuer": "Tilgangsbeviset er utstedt av en ukjent utsteder.",
    "invalid_audience": "Tilgangsbeviset er ikke utstedt for denne tjenesten.",
    "missing_claim": "Tilgangsbeviset mangler påkrevde opplysninger.",
    "invalid_claim": "Tilgangsbeviset inneholder ugyldige opplysninger.",
    "invalid_token": "Tilgangsbeviset er ugyldig.",
    "jwks_unavailable": (
        "Kan ikke kontrollere tilgangsbeviset fordi innloggingstjenesten ikke svarer. Prøv igjen om litt."
    ),
}


def _error(code: str, message: str | None = None) -> TokenError:
    return TokenError(code, message if message is not None else _MESSAGES[code])


@dataclass(frozen=True)
class OidcConfig:
    """Where tokens come from and what they must say.

    ``jwks_url`` may be left out; it is then discovered from
    ``<issuer>/.well-known/openid-configuration``.
    """

    issuer: str
    audience: str
    jwks_url: str | None = None
    algorithms: tuple[str, ...] = ("RS256", "ES256", "PS256")
    leeway_s: int = 30
    jwks_cache_s: int = 300
    roles_claim: str = "roles"
    hf_claim: str = "hf"
    unit_claim: str = "enhet"

    def __post_init__(self) -> None:
        # Misconfiguration here would silently weaken every request, so fail at start-up instead.
        if not self.issuer:
            raise ValueError("OidcConfig.issuer must be set")
        if not self.audience:
            raise ValueError("OidcConfig.audience must be set")
        if not self.algorithms:
            raise ValueError("OidcConfig.algorithms must not be empty")
        for alg in self.algorithms:
            if alg not in _ALG_KEY_REQUIREMENTS:
                raise ValueError(
                    f"Algorithm {alg!r} is not allowed: only asymmetric JWS algorithms "
                    f"({', '.join(_ALG_KEY_REQUIREMENTS)}) can be used for access tokens"
                )
        if self.leeway_s < 0 or self.leeway_s > 300:
            raise ValueError("OidcConfig.leeway_s must be between 0 and 300 seconds")
        if self.jwks_cache_s < 0:
            raise ValueError("OidcConfig.jwks_cache_s must not be negative")


@dataclass(frozen=True)
class TokenClaims:
    """The validated identity and authorisation data of one access token."""

    subject: str
    name: str | None
    roles: frozenset[str]
    hf: str | None
    enhet: str | None
    hpr_number: str | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True)
class _VerificationKey:
    jwk: Mapping[str, Any]
    kty: str
    crv: str | None
    alg: str | None


@dataclass
class _KeyCache:
    keys: dict[str | None, list[_VerificationKey]]
    fetched_at: float


class OidcValidator:
    """Validates access tokens from one issuer.

    One instance is meant to live as long as the application (it caches keys); the
    ``httpx.AsyncClient`` is owned by the caller.

    ``refetch_min_interval_s`` is the shortest time between two refetches forced by an unknown
    ``kid`` (see the module docstring for why it is short and what else limits them).
    ``stale_if_error_s`` lets already fetched keys outlive ``jwks_cache_s`` by that much while the
    issuer is unreachable, so a short HelseID outage does not log everybody out; keys are never
    used beyond it. After a failed fetch, ``failure_backoff_s`` passes before the next attempt.
    ``clock`` is a monotonic clock, injectable so tests can move time.
    """

    def __init__(
        self,
        config: OidcConfig,
        http: httpx.AsyncClient,
        *,
        refetch_min_interval_s: float = 2.0,
        stale_if_error_s: float = 3600.0,
        failure_backoff_s: float = 5.0,
        http_timeout_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = config
        self._http = http
        self._refetch_min_interval_s = refetch_min_interval_s
        self._stale_if_error_s = stale_if_error_s
        self._failure_backoff_s = failure_backoff_s
        self._timeout = httpx.Timeout(http_timeout_s)
        self._clock = clock
        self._cache: _KeyCache | None = None
        self._jwks_url: str | None = config.jwks_url
        self._last_forced_refetch: float | None = None
        # kid -> (when a refetch last failed to find it, whether that was its second refetch).
        self._unknown_kids: OrderedDict[str | None, tuple[float, bool]] = OrderedDict()
        self._last_failed_fetch: float | None = None
        # One fetch at a time: many concurrent requests with a cold cache should cause a single
        # request to the issuer, not one each.
        self._lock = asyncio.Lock()

    @property
    def config(self) -> OidcConfig:
        return self._config

    @property
    def refetch_min_interval_s(self) -> float:
        return self._refetch_min_interval_s

    async def validate(self, token: str) -> TokenClaims:
        """Return the claims of ``token`` or raise :class:`TokenError`."""
        header = self._parse_header(token)
        alg = self._check_algorithm(header)
        kid = header.get("kid")
        key = await self._find_key(kid, alg)
        payload = self._verify(token, key, alg)
        return self._to_claims(payload)

    # -- header ------------------------------------------------------------------------------

    def _parse_header(self, token: str) -> dict[str, Any]:
        if not isinstance(token, str) or not token or len(token) > _MAX_TOKEN_LENGTH:
            raise _error("malformed")
        parts = token.split(".")
        # Five parts would be an encrypted JWE, which we do not accept as an access token; a JWT
        # without header or payload is garbage. (An empty signature is left to the algorithm
        # check, so that alg=none is reported as what it is.)
        if len(parts) != 3 or not parts[0] or not parts[1]:
            raise _error("malformed")
        try:
            header = jwt.get_unverified_header(token)
        except DecodeError:
            raise _error("malformed") from None
        except InvalidTokenError:
            # PyJWT already refuses unknown critical extensions ("crit") while parsing the header.
            raise _error("invalid_token") from None
        if not isinstance(header, dict):
            raise _error("malformed")
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise _error("malformed")
        # We understand no critical extensions, and RFC 7515 §4.1.11 says a verifier must then
        # refuse. "b64": false would change what the signature covers, so refuse that as well.
        if "crit" in header or "b64" in header:
            raise _error("invalid_token")
        return header

    def _check_algorithm(self, header: Mapping[str, Any]) -> str:
        alg = header.get("alg")
        if not isinstance(alg, str) or not alg:
            raise _error("malformed")
        # Explicit and case-insensitive, so "None"/"hs256" cannot slip through a future change of
        # the allow-list: these two families are never acceptable for access tokens.
        if alg.lower() == "none" or alg.upper().startswith("HS"):
            raise _error("algorithm_not_allowed")
        if alg not in self._config.algorithms or alg not in _ALG_KEY_REQUIREMENTS:
            raise _error("algorithm_not_allowed")
        return alg

    # -- keys --------------------------------------------------------------------------------

    async def _find_key(self, kid: str | None, alg: str) -> _VerificationKey:
        keys = await self._current_keys()
        candidates = self._candidates(keys, kid)
        if not candidates:
            keys = await self._forced_refetch(kid)
            candidates = self._candidates(keys, kid)
        if not candidates:
            raise _error("unknown_key")
        for key in candidates:
            if _key_fits_algorithm(key, alg):
                return key
        raise _error("algorithm_mismatch")

    @staticmethod
    def _candidates(
        keys: Mapping[str | None, list[_VerificationKey]], kid: str | None
    ) -> list[_VerificationKey]:
        if kid is not None:
            return keys.get(kid, [])
        # Without a kid we only guess when there is exactly one key to guess; with several keys a
        # kid-less token is ambiguous, and trying every key would let garbage cost one
        # signature check per key.
        all_keys = [key for group in keys.values() for key in group]
        return all_keys if len(all_keys) == 1 else []

    async def _current_keys(self) -> Mapping[str | None, list[_VerificationKey]]:
        cache = self._cache
        if cache is not None and self._clock() - cache.fetched_at < self._config.jwks_cache_s:
            return cache.keys
        async with self._lock:
            cache = self._cache
            now = self._clock()
            if cache is not None and now - cache.fetched_at < self._config.jwks_cache_s:
                return cache.keys  # another request refreshed it while we waited
            stale_keys = (
                cache.keys
                if cache is not None
                and now - cache.fetched_at < self._config.jwks_cache_s + self._stale_if_error_s
                else None
            )
            if (
                self._last_failed_fetch is not None
                and now - self._last_failed_fetch < self._failure_backoff_s
            ):
                # The issuer failed a moment ago. Queueing every request behind another fetch
                # (each possibly waiting for a timeout) would turn an outage into a pile-up.
                if stale_keys is not None:
                    return stale_keys
                raise _error("jwks_unavailable")
            try:
                return await self._fetch_and_store()
            except TokenError:
                self._last_failed_fetch = self._clock()
                if stale_keys is not None:
                    logger.warning("JWKS refresh failed; using the previously fetched keys")
                    return stale_keys
                raise

    async def _forced_refetch(self, kid: str | None) -> Mapping[str | None, list[_VerificationKey]]:
        async with self._lock:
            cache = self._cache
            keys: Mapping[str | None, list[_VerificationKey]] = cache.keys if cache is not None else {}
            if cache is not None and self._candidates(cache.keys, kid):
                return cache.keys  # a concurrent request already fetched the rotated keys
            now = self._clock()
            if (
                self._last_forced_refetch is not None
                and now - self._last_forced_refetch < self._refetch_min_interval_s
            ):
                return keys
            seen = self._unknown_kids.get(kid)
            if seen is not None and now - seen[0] >= self._config.jwks_cache_s:
                seen = None  # forgotten: it may cause refetches again
            if seen is not None and seen[1]:
                # Looked for twice and not published: until it is forgotten, only a regular
                # refresh or a refetch caused by another kid can find it.
                return keys
            self._last_forced_refetch = now
            logger.info("Unknown signing key id %r; refetching JWKS", kid)
            fetched = await self._fetch_and_store()
            if self._candidates(fetched, kid):
                self._unknown_kids.pop(kid, None)
            else:
                self._remember_unknown(kid, now, retried=seen is not None)
            return fetched

    def _remember_unknown(self, kid: str | None, now: float, *, retried: bool) -> None:
        self._unknown_kids[kid] = (now, retried)
        self._unknown_kids.move_to_end(kid)
        while len(self._unknown_kids) > _MAX_REMEMBERED_UNKNOWN_KIDS:
            self._unknown_kids.popitem(last=False)

    async def _fetch_and_store(self) -> dict[str | None, list[_VerificationKey]]:
        jwks_url = await self._resolve_jwks_url()
        document = await self._get_json(jwks_url)
        raw_keys = document.get("keys")
        if not isinstance(raw_keys, list):
            logger.error("JWKS document from %s has no 'keys' list", jwks_url)
            raise _error("jwks_unavailable")
        keys: dict[str | None, list[_VerificationKey]] = {}
        for raw in raw_keys:
            key = _parse_jwk(raw)
            if key is not None:
                kid = raw.get("kid")
                keys.setdefault(kid if isinstance(kid, str) else None, []).append(key)
        self._cache = _KeyCache(keys=keys, fetched_at=self._clock())
        self._last_failed_fetch = None
        return keys

    async def _resolve_jwks_url(self) -> str:
        if self._jwks_url is not None:
            return self._jwks_url
        discovery_url = self._config.issuer.rstrip("/") + "/.well-known/openid-configuration"
        document = await self._get_json(discovery_url)
        # OpenID Connect Discovery §4.3: the document must name exactly the issuer we asked for,
        # otherwise a misrouted or spoofed document could hand us someone else's keys.
        if document.get("issuer") != self._config.issuer:
            logger.error(
                "Discovery document at %s names issuer %r, expected %r",
                discovery_url,
                document.get("issuer"),
                self._config.issuer,
            )
            raise _error("jwks_unavailable")
        jwks_uri = document.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri:
            logger.error("Discovery document at %s has no jwks_uri", discovery_url)
            raise _error("jwks_unavailable")
        self._jwks_url = jwks_uri
        return jwks_uri

    async def _get_json(self, url: str) -> Mapping[str, Any]:
        try:
            response = await self._http.get(
                url, timeout=self._timeout, headers={"Accept": "application/json"}
            )
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            # ValueError covers a body that is not JSON (json.JSONDecodeError subclasses it).
            logger.warning("Could not fetch %s: %s", url, exc)
            raise _error("jwks_unavailable") from exc
        if not isinstance(document, dict):
            logger.warning("Response from %s is not a JSON object", url)
            raise _error("jwks_unavailable")
        return document

    # -- verification ------------------------------------------------------------------------

    def _verify(self, token: str, key: _VerificationKey, alg: str) -> Mapping[str, Any]:
        try:
            # Binding the JWK to the algorithm we already vetted means PyJWT verifies with exactly
            # that algorithm; it refuses a header that says otherwise.
            pyjwk = jwt.PyJWK(dict(key.jwk), algorithm=alg)
        except (PyJWKError, InvalidKeyError, ValueError, TypeError):
            raise _error("algorithm_mismatch") from None
        try:
            payload: dict[str, Any] = jwt.decode(
                token,
                key=pyjwk,
                algorithms=[alg],
                audience=self._config.audience,
                issuer=self._config.issuer,
                leeway=self._config.leeway_s,
                options={
                    "require": ["exp", "iss", "aud", "sub"],
                    "verify_signature": True,
                    "verify_exp": True,
                    "verify_nbf": True,
                    "verify_iat": True,
                    "verify_iss": True,
                    "verify_aud": True,
                    "enforce_minimum_key_length": True,
                },
            )
        except ExpiredSignatureError:
            raise _error("expired") from None
        except ImmatureSignatureError:
            raise _error("not_yet_valid") from None
        except InvalidIssuerError:
            raise _error("invalid_issuer") from None
        except InvalidAudienceError:
            raise _error("invalid_audience") from None
        except MissingRequiredClaimError as exc:
            raise _error(
                "missing_claim", f"Tilgangsbeviset mangler påkrevd opplysning «{exc.claim}»."
            ) from None
        except InvalidSignatureError:
            raise _error("invalid_signature") from None
        except InvalidAlgorithmError:
            raise _error("algorithm_mismatch") from None
        except (InvalidIssuedAtError, InvalidSubjectError):
            raise _error("invalid_claim") from None
        except DecodeError:
            # Non-numeric exp/nbf and undecodable payloads end up here.
            raise _error("malformed") from None
        except (InvalidTokenError, InvalidKeyError):
            raise _error("invalid_token") from None
        for claim in _NUMERIC_DATE_CLAIMS:
            if claim in payload and not _is_numeric_date(payload[claim]):
                raise _error("invalid_claim", f"Tilgangsbeviset har en ugyldig tidsangivelse i «{claim}».")
        return payload

    def _to_claims(self, payload: Mapping[str, Any]) -> TokenClaims:
        subject = payload.get("sub")
        if not isinstance(subject, str) or not subject:
            raise _error("invalid_claim")
        return TokenClaims(
            subject=subject,
            name=_optional_str(payload, "name"),
            roles=_parse_roles(payload.get(self._config.roles_claim)),
            hf=_optional_str(payload, self._config.hf_claim),
            enhet=_optional_str(payload, self._config.unit_claim),
            hpr_number=_optional_str(payload, HPR_NUMBER_CLAIM, allow_int=True),
            raw=_freeze(payload),
        )


# -- helpers -----------------------------------------------------------------------------------


def _parse_jwk(raw: object) -> _VerificationKey | None:
    """Turn one JWKS entry into a verification key, or None if we must not or cannot use it."""
    if not isinstance(raw, dict):
        return None
    kty = raw.get("kty")
    if kty not in {"RSA", "EC", "OKP"}:
        # Notably "oct": a symmetric key published in a JWKS is either a mistake or an attack.
        return None
    if raw.get("use") not in (None, "sig"):
        return None
    key_ops = raw.get("key_ops")
    if key_ops is not None and (not isinstance(key_ops, list) or "verify" not in key_ops):
        return None
    if any(private in raw for private in ("d", "p", "q", "dp", "dq", "qi")):
        # A JWKS with private parameters means the issuer leaked its key; trust nothing from it.
        logger.error("JWKS entry %r contains private key material; ignoring it", raw.get("kid"))
        return None
    alg = raw.get("alg")
    if alg is not None and not isinstance(alg, str):
        return None
    crv = raw.get("crv")
    if crv is not None and not isinstance(crv, str):
        return None
    try:
        # Parsing up front drops keys PyJWT cannot load, and lets us check the RSA key size.
        public_key = jwt.PyJWK(dict(raw)).key
    except (PyJWKError, InvalidKeyError, ValueError, TypeError, KeyError):
        logger.warning("Ignoring unusable JWKS entry %r", raw.get("kid"))
        return None
    if isinstance(public_key, rsa.RSAPublicKey) and public_key.key_size < _MIN_RSA_BITS:
        logger.warning("Ignoring RSA key %r shorter than %d bits", raw.get("kid"), _MIN_RSA_BITS)
        return None
    return _VerificationKey(jwk=dict(raw), kty=kty, crv=crv, alg=alg)


def _is_numeric_date(value: object) -> bool:
    """A JSON number (not a numeric string, not a boolean, not NaN or infinity)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value)


def _key_fits_algorithm(key: _VerificationKey, alg: str) -> bool:
    if key.alg is not None and key.alg != alg:
        # RFC 7517 §4.4: a JWK that names its algorithm must only be used with that algorithm.
        return False
    required_kty, required_crv = _ALG_KEY_REQUIREMENTS[alg]
    if key.kty != required_kty:
        return False
    return required_crv is None or key.crv == required_crv


def _parse_roles(value: object) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        # Some issuers (and OAuth "scope"-style claims) use one space-separated string.
        return frozenset(value.split())
    if isinstance(value, list) and all(isinstance(role, str) for role in value):
        return frozenset(role for role in value if role)
    # Roles decide what personal data someone sees; guessing at a malformed claim is not safe.
    raise _error("invalid_claim")


def _optional_str(payload: Mapping[str, Any], claim: str, *, allow_int: bool = False) -> str | None:
    value = payload.get(claim)
    if value is None:
        return None
    if isinstance(value, str):
        return value or None
    if allow_int and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise _error("invalid_claim")


def _freeze(value: Any) -> Any:
    """Read-only deep copy, so the claims of a frozen TokenClaims cannot be altered later."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: _freeze(item) for key, item in value.items()})
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return tuple(_freeze(item) for item in value)
    return value
