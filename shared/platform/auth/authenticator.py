"""Resolve the principal of a request from the directory: a bearer token (OIDC) names a person, the demo
session cookie names a server-side session; roles and unit always come from the directory."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from starlette.requests import Request

from shared.platform.auth.oidc import OidcValidator, TokenClaims, TokenError
from shared.platform.auth.principal import Principal, Role
from shared.platform.auth.session import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, CookieSigner
from shared.platform.errors import Forbidden, InvalidToken, Unauthenticated

if TYPE_CHECKING:
    from shared.platform.katalog import Katalog

NO_ROLES = "Du er registrert, men har ingen roller ennå. Kontakt administrator."
DEACTIVATED = "Brukeren din er deaktivert. Kontakt administrator."

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ServiceUnavailable(Exception):
    pass


class Authenticator:
    def __init__(
        self,
        *,
        signer: CookieSigner,
        katalog: Katalog,
        sessions: bool,
        oidc: OidcValidator | None,
        hf: list[str],
        national: bool = False,
    ):
        """`sessions`: accept the session cookie of the demo login (auth_mode=demo)."""
        self.signer = signer
        self.katalog = katalog
        self.sessions = sessions
        self.oidc = oidc
        self.hf = set(hf)
        # The national overview serves every trust's users; a trust's own services only their own.
        self.national = national

    async def principal(self, request: Request) -> Principal | None:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            return await self._from_token(header[7:].strip())
        if not self.sessions:
            return None
        session_id = self.signer.read_session(request.cookies.get(SESSION_COOKIE))
        if session_id is None:
            return None
        person = await self.katalog.session_person(session_id)
        if person is None:
            return None  # logged out, expired, never issued by us, or the person deactivated
        if request.method in UNSAFE_METHODS:
            await self._check_csrf(request)
        return person.principal(via_session=True)

    async def require(self, request: Request) -> Principal:
        principal = await self.principal(request)
        if principal is None:
            raise Unauthenticated("Du må logge inn for å se denne siden.")
        if principal.hf not in self.hf and not self.national:
            raise Forbidden("Denne installasjonen betjener ikke ditt helseforetak.")
        if not principal.roles:
            raise Forbidden(NO_ROLES)
        return principal

    async def identity(self, request: Request) -> Principal | None:
        """Who is logged in, or None, without the trust check and the directory's roles `require` adds:
        for health personnel of another trust admitted by something else (an external consultant, by the
        HPR number of an invitation). A token's person is neither refused for another trust nor
        registered in this trust's directory; a session names a person of the directory, as in
        `principal`."""
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer "):
            return await self.principal(request)
        claims = await self._claims(header[7:].strip())
        return Principal(
            user_id=claims.subject,
            name=claims.name or claims.subject,
            roles=frozenset(),
            hf=claims.hf or "",
            enhet=claims.enhet,
            hpr_number=claims.hpr_number,
        )

    async def _claims(self, token: str) -> TokenClaims:
        if self.oidc is None:
            raise InvalidToken("Innlogging med tilgangsbevis er ikke slått på.")
        try:
            return await self.oidc.validate(token)
        except TokenError as exc:
            if exc.code == "jwks_unavailable":
                raise ServiceUnavailable(exc.message) from exc
            # A token was presented and refused: the 401 says so (RFC 6750 § 3.1, invalid_token).
            raise InvalidToken(exc.message) from exc

    async def _from_token(self, token: str) -> Principal:
        claims = await self._claims(token)
        if not claims.hf:
            raise Forbidden("Tilgangsbeviset mangler helseforetak.")
        if claims.hf in self.hf and not self.national:
            # A trust's own people: known by the token (HelseID's subject, HPR number and name), and the
            # trust's directory decides their roles. The first login registers them without any.
            person = await self.katalog.register_from_token(
                hf=claims.hf,
                user_id=claims.subject,
                navn=claims.name or claims.subject,
                hpr_nummer=claims.hpr_number,
            )
            if not person.aktiv:
                raise Forbidden(DEACTIVATED)
            return person.principal()
        if not self.national:
            raise Forbidden("Denne installasjonen betjener ikke ditt helseforetak.")
        # The national overview serves people of every trust, and no trust's directory is its own:
        # there the token's roles apply (each role sees summaries only, never personal data).
        roles = frozenset(Role(r) for r in claims.roles if r in Role.__members__.values())
        if not roles:
            raise Forbidden("Tilgangsbeviset gir ingen rolle i Søknadsportalen.")
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
