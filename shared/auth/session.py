"""Signed session and CSRF cookies for the browser (demo login in the embedded default)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "sp_session"
CSRF_COOKIE = "sp_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_MAX_AGE_S = 10 * 60 * 60


@dataclass(frozen=True)
class CookieSigner:
    secret: str

    def _serializer(self, salt: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret, salt=salt)

    def sign_session(self, user_id: str) -> str:
        return self._serializer("session").dumps({"u": user_id})

    def read_session(self, value: str | None) -> str | None:
        if not value:
            return None
        try:
            data = self._serializer("session").loads(value, max_age=SESSION_MAX_AGE_S)
        except BadSignature:
            return None
        user = data.get("u") if isinstance(data, dict) else None
        return user if isinstance(user, str) else None

    def new_csrf(self) -> tuple[str, str]:
        """(token, cookie value); the cookie is signed so a sibling domain cannot plant one."""
        token = secrets.token_urlsafe(24)
        return token, self._serializer("csrf").dumps(token)

    def read_csrf(self, value: str | None) -> str | None:
        if not value:
            return None
        try:
            token = self._serializer("csrf").loads(value)
        except BadSignature:
            return None
        return token if isinstance(token, str) else None
