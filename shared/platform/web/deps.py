"""Dependencies every service's routes use: the runtime, the principal and a unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from shared.platform.auth.principal import Principal
from shared.platform.db.uow import UnitOfWork
from shared.platform.runtime import ServiceRuntime


# Dependencies that do no I/O are still `async`: FastAPI runs a plain `def` dependency in a worker
# thread, a thread hop per request for a dictionary look-up.
async def get_runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


async def get_principal(request: Request) -> Principal:
    principal: Principal = await request.app.state.auth.require(request)
    request.state.principal = principal
    return principal


async def get_uow(runtime: Annotated[ServiceRuntime, Depends(get_runtime)]) -> AsyncIterator[UnitOfWork]:
    async with runtime.db.unit_of_work() as uow:
        yield uow


Runtime = Annotated[ServiceRuntime, Depends(get_runtime)]
CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
Uow = Annotated[UnitOfWork, Depends(get_uow)]
