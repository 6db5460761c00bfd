"""FastAPI dependencies of the soknad service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.platform.runtime import ServiceRuntime
from shared.platform.web.deps import CurrentPrincipal, Db, Org, Personkatalog, Runtime, get_runtime
from soknad.settings import SoknadSettings

__all__ = ["CurrentPrincipal", "Db", "Org", "Personkatalog", "Runtime", "Settings"]


async def get_settings(runtime: Annotated[ServiceRuntime, Depends(get_runtime)]) -> SoknadSettings:
    # async: FastAPI runs a plain `def` dependency in a worker thread.
    settings = runtime.settings
    assert isinstance(settings, SoknadSettings)
    return settings


Settings = Annotated[SoknadSettings, Depends(get_settings)]
