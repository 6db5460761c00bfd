"""Resolve the principal of a request: a bearer token (OIDC) or the demo session cookie."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from starlette.requests import Request

from shared.platform.auth.oidc import OidcValidator, TokenError
from shared.platform.auth.principal import Principal, Role
from shared.platform.auth.session import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, CookieSigner
from shared.platform.errors import Forbidden, InvalidToken, Unauthenticated

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ServiceUnavailable(Exception):
    pass


class Authenticator:
    def __init__(
        self,
        *,
        signer: CookieSigner,
        demo_users: Mapping[str, Principal] | None,
        oidc: OidcValidator | None,
        hf: list[str],
        national: bool = False,
    ):
        self.signer = signer
        self.demo_users = demo_users or {}
        self.oidc = oidc
        self.hf = set(hf)
        # The national overview serves every trust's users; a trust's own services only their own.
        self.national = national

    async def principal(self, request: Request) -> Principal | None:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            return await self._from_token(header[7:].strip())
        user_id = self.signer.read_session(request.cookies.get(SESSION_COOKIE))
        if user_id is None or user_id not in self.demo_users:
            return None
        principal = self.demo_users[user_id]
        if request.method in UNSAFE_METHODS:
            await self._check_csrf(request)
        return Principal(**{**principal.__dict__, "via_session": True})

    async def require(self, request: Request) -> Principal:
        principal = await self.principal(request)
        if principal is None:
            raise Unauthenticated("Du må logge inn for å se denne siden.")
        if principal.hf not in self.hf and not self.national:
            raise Forbidden("Denne installasjonen betjener ikke ditt helseforetak.")
        return principal

    async def _from_token(self, token: str) -> Principal:
        if self.oidc is None:
            raise InvalidToken("Innlogging med tilgangsbevis er ikke slått på.")
        try:
            claims = await self.oidc.validate(token)
        except TokenError as exc:
            if exc.code == "jwks_unavailable":
                raise ServiceUnavailable(exc.message) from exc
            # A token was presented and refused: the 401 says so (RFC 6750 § 3.1, invalid_token).
            raise InvalidToken(exc.message) from exc
        roles = frozenset(Role(r) for r in claims.roles if r in Role.__members__.values())
        if not roles:
            raise Forbidden("Tilgangsbeviset gir ingen rolle i Søknadsportalen.")
        if not claims.hf:
            raise Forbidden("Tilgangsbeviset mangler helseforetak.")
        return Principal(
            user_id=claims.subject,
            name=claims.name or claims.subject,
            roles=roles,
            hf=claims.hf,
            enhet=claims.enhet,
            hpr_number=claims.hpr_number,
        )

    async def _check_csrf(self, request: Request) -> None:
        expected = getattr(request.state, "csrf_token", None)
        supplied = request.headers.get(CSRF_HEADER)
        if supplied is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            supplied = value if isinstance(value, str) else None
        if not expected or not supplied or not secrets.compare_digest(expected, supplied):
            raise Forbidden(
                "Skjemaet er utløpt eller kom fra et annet nettsted. Last siden på nytt og prøv igjen."
            )
