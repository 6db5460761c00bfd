"""FastAPI dependencies of the vurdering service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from shared.platform.auth.authenticator import Authenticator, ServiceUnavailable
from shared.platform.auth.oidc import TokenError
from shared.platform.auth.principal import Principal
from shared.platform.errors import InvalidToken
from shared.platform.runtime import ServiceRuntime
from shared.platform.web.deps import CurrentPrincipal, Db, Runtime, get_runtime
from vurdering.settings import VurderingSettings

__all__ = ["CurrentPrincipal", "Db", "InnloggetPerson", "Runtime", "Settings"]


async def get_settings(runtime: Annotated[ServiceRuntime, Depends(get_runtime)]) -> VurderingSettings:
    settings = runtime.settings
    assert isinstance(settings, VurderingSettings)
    return settings


async def get_innlogget_person(request: Request) -> Principal | None:
    """Who is logged in, or None: the identity only, without the trust check and the directory's roles
    `CurrentPrincipal` requires. An external consultant is health personnel of another trust, with no
    role here; what admits them is their HPR number, which the use case compares with the invitation.

    A bearer token (HelseID) is validated as `Authenticator` validates it, but its person is neither
    refused for another trust nor registered in this trust's directory; a demo session cookie names a
    person of the directory (with the CSRF check on a form post)."""
    auth: Authenticator = request.app.state.auth
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return await auth.principal(request)
    if auth.oidc is None:
        raise InvalidToken("Innlogging med tilgangsbevis er ikke slått på.")
    try:
        claims = await auth.oidc.validate(header[7:].strip())
    except TokenError as exc:
        if exc.code == "jwks_unavailable":
            raise ServiceUnavailable(exc.message) from exc
        raise InvalidToken(exc.message) from exc
    return Principal(
        user_id=claims.subject,
        name=claims.name or claims.subject,
        roles=frozenset(),
        hf=claims.hf or "",
        enhet=claims.enhet,
        hpr_number=claims.hpr_number,
    )


Settings = Annotated[VurderingSettings, Depends(get_settings)]
InnloggetPerson = Annotated[Principal | None, Depends(get_innlogget_person)]
