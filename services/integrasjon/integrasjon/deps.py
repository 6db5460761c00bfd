"""FastAPI dependencies of the integrasjon service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from integrasjon.katalog import Katalog
from integrasjon.settings import IntegrasjonSettings
from shared.platform.runtime import ServiceRuntime
from shared.platform.web.deps import CurrentPrincipal, Db, Runtime, get_runtime

__all__ = ["Catalogue", "CurrentPrincipal", "Db", "Runtime", "Settings"]


async def get_settings(runtime: Annotated[ServiceRuntime, Depends(get_runtime)]) -> IntegrasjonSettings:
    settings = runtime.settings
    assert isinstance(settings, IntegrasjonSettings)
    return settings


async def get_katalog(request: Request) -> Katalog:
    katalog: Katalog = request.app.state.katalog
    return katalog


Settings = Annotated[IntegrasjonSettings, Depends(get_settings)]
Catalogue = Annotated[Katalog, Depends(get_katalog)]
