"""PKCE (RFC 7636, S256), `state` and `nonce`, and the pending launch kept in a signed cookie between the
redirect to the record's authorization server and its callback.

The cookie is named after the state, so two launches in one browser (two charts open) each keep their
own verifier: the callback of one can never pick up the other's."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import asdict, dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

PENDING_COOKIE_PREFIX = "sp_smart_"
PENDING_MAX_AGE_S = 10 * 60
"""The user has this long at the record's authorization server (it usually approves at once)."""


def code_verifier() -> str:
    # 32 random bytes → 43 characters of the unreserved set, the RFC's recommended minimum entropy.
    return secrets.token_urlsafe(32)


def code_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_state() -> str:
    return secrets.token_urlsafe(24)


def pending_cookie_name(state: str) -> str:
    # A short digest: cookie names must be tokens, and the state itself need not sit in the cookie jar.
    return PENDING_COOKIE_PREFIX + hashlib.sha256(state.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class PendingLaunch:
    """What the callback needs and must not travel through the authorization server."""

    state: str
    iss: str
    launch: str
    verifier: str
    nonce: str
    redirect_uri: str


class PendingLaunches:
    def __init__(self, secret: str):
        self._serializer = URLSafeTimedSerializer(secret, salt="smart-launch")

    def new(self, *, iss: str, launch: str, redirect_uri: str) -> PendingLaunch:
        return PendingLaunch(
            state=new_state(),
            iss=iss,
            launch=launch,
            verifier=code_verifier(),
            nonce=secrets.token_urlsafe(16),
            redirect_uri=redirect_uri,
        )

    def dump(self, pending: PendingLaunch) -> str:
        return self._serializer.dumps(asdict(pending))

    def load(self, state: str, value: str | None, *, now: float | None = None) -> PendingLaunch | None:
        """The pending launch of `state`, or None when the cookie is missing, forged, expired, or was
        made for another state."""
        if not value or not state:
            return None
        try:
            data, signed_at = self._serializer.loads(value, return_timestamp=True)
        except BadSignature:
            return None
        if (now if now is not None else time.time()) - signed_at.timestamp() > PENDING_MAX_AGE_S:
            return None
        if not isinstance(data, dict):
            return None
        try:
            pending = PendingLaunch(**data)
        except TypeError:
            return None
        if not secrets.compare_digest(pending.state.encode(), state.encode()):
            return None
        return pending
