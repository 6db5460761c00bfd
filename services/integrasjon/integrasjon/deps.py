"""FastAPI dependencies of the integrasjon service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from integrasjon.katalog import Katalog
from integrasjon.register.import_jobb import Registre
from integrasjon.settings import IntegrasjonSettings
from shared.platform.runtime import ServiceRuntime
from shared.platform.web.deps import CurrentPrincipal, Db, Runtime, get_runtime

__all__ = ["Catalogue", "CurrentPrincipal", "Db", "Registries", "Runtime", "Settings"]


async def get_settings(runtime: Annotated[ServiceRuntime, Depends(get_runtime)]) -> IntegrasjonSettings:
    settings = runtime.settings
    assert isinstance(settings, IntegrasjonSettings)
    return settings


async def get_registre(request: Request) -> Registre:
    registre: Registre = request.app.state.registre
    return registre


async def get_katalog(request: Request) -> Katalog:
    # Read once per request: an import that finishes meanwhile swaps the index for the next request.
    registre: Registre = request.app.state.registre
    return registre.indeks


Settings = Annotated[IntegrasjonSettings, Depends(get_settings)]
Catalogue = Annotated[Katalog, Depends(get_katalog)]
Registries = Annotated[Registre, Depends(get_registre)]
