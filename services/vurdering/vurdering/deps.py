"""FastAPI dependencies of the vurdering service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from shared.platform.auth.authenticator import Authenticator
from shared.platform.auth.principal import Principal
from shared.platform.runtime import ServiceRuntime
from shared.platform.web.deps import CurrentPrincipal, Db, Runtime, get_runtime
from vurdering.settings import VurderingSettings

__all__ = ["CurrentPrincipal", "Db", "InnloggetPerson", "Runtime", "Settings"]


async def get_settings(runtime: Annotated[ServiceRuntime, Depends(get_runtime)]) -> VurderingSettings:
    settings = runtime.settings
    assert isinstance(settings, VurderingSettings)
    return settings


async def get_innlogget_person(request: Request) -> Principal | None:
    """Who is logged in, or None, without the trust check and the roles `CurrentPrincipal` requires: an
    external consultant is health personnel of another trust, with no role here; what admits them is
    their HPR number, which the use case compares with the invitation."""
    auth: Authenticator = request.app.state.auth
    return await auth.identity(request)


Settings = Annotated[VurderingSettings, Depends(get_settings)]
InnloggetPerson = Annotated[Principal | None, Depends(get_innlogget_person)]
