"""FastAPI dependencies of the beslutning service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from beslutning.settings import BeslutningSettings
from shared.platform.runtime import ServiceRuntime
from shared.platform.web.deps import CurrentPrincipal, Db, Runtime, get_runtime

__all__ = ["CurrentPrincipal", "Db", "Runtime", "Settings"]


async def get_settings(runtime: Annotated[ServiceRuntime, Depends(get_runtime)]) -> BeslutningSettings:
    settings = runtime.settings
    assert isinstance(settings, BeslutningSettings)
    return settings


Settings = Annotated[BeslutningSettings, Depends(get_settings)]
