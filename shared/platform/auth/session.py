"""Signed session and CSRF cookies for the browser (demo login in the embedded default).

The session cookie carries a random session id; the directory (`shared/platform/katalog`) knows whose
session it is and whether it was revoked, so a cookie replayed after logout is refused."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "sp_session"
CSRF_COOKIE = "sp_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_MAX_AGE_S = 10 * 60 * 60


VERIFIED_CACHE_SIZE = 10_000


@dataclass(frozen=True)
class CookieSigner:
    secret: str
    # Cookie values whose signature was checked → (content, when signed). A browser sends the same two
    # cookies with every request; checking the HMAC and decoding them again each time cost a tenth of
    # an autosave's CPU. The key is the whole signed value, so only what verified is ever found here.
    _verified: dict[tuple[str, str], tuple[Any, float]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def _serializer(self, salt: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret, salt=salt)

    def _loads(self, salt: str, value: str) -> tuple[Any, float] | None:
        """(content, signed at as a Unix time), or None if the signature is wrong."""
        key = (salt, value)
        known = self._verified.get(key)
        if known is None:
            try:
                content, signed_at = self._serializer(salt).loads(value, return_timestamp=True)
            except BadSignature:
                return None
            if len(self._verified) >= VERIFIED_CACHE_SIZE:
                self._verified.clear()
            known = self._verified[key] = (content, signed_at.timestamp())
        return known

    def sign_session(self, session_id: str) -> str:
        return self._serializer("session").dumps({"s": session_id})

    def read_session(self, value: str | None) -> str | None:
        """The session id of a cookie we signed and that is not older than the session's max age."""
        if not value:
            return None
        known = self._loads("session", value)
        if known is None:
            return None
        data, signed_at = known
        if time.time() - signed_at > SESSION_MAX_AGE_S:
            return None
        session_id = data.get("s") if isinstance(data, dict) else None
        return session_id if isinstance(session_id, str) else None

    def new_csrf(self) -> tuple[str, str]:
        """(token, cookie value); the cookie is signed so a sibling domain cannot plant one."""
        token = secrets.token_urlsafe(24)
        return token, self._serializer("csrf").dumps(token)

    def read_csrf(self, value: str | None) -> str | None:
        if not value:
            return None
        known = self._loads("csrf", value)
        token = known[0] if known is not None else None
        return token if isinstance(token, str) else None
