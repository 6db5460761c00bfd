"""FastAPI dependencies of the vurdering service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.platform.runtime import ServiceRuntime
from shared.platform.web.deps import CurrentPrincipal, Db, Runtime, get_runtime
from vurdering.settings import VurderingSettings

__all__ = ["CurrentPrincipal", "Db", "Runtime", "Settings"]


async def get_settings(runtime: Annotated[ServiceRuntime, Depends(get_runtime)]) -> VurderingSettings:
    settings = runtime.settings
    assert isinstance(settings, VurderingSettings)
    return settings


Settings = Annotated[VurderingSettings, Depends(get_settings)]
