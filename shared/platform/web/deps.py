"""Dependencies every service's routes use: the runtime, the principal, the directory and the database.

Routes and views never open or commit a unit of work; they pass `Db` to a use case, which owns its
transaction (`shared.platform.db.use_case`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from shared.platform.auth.principal import Principal
from shared.platform.db.uow import Database
from shared.platform.katalog import Katalog, Organisasjon
from shared.platform.runtime import ServiceRuntime


# Dependencies that do no I/O are still `async`: FastAPI runs a plain `def` dependency in a worker
# thread, a thread hop per request for a dictionary look-up.
async def get_runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


async def get_principal(request: Request) -> Principal:
    principal: Principal = await request.app.state.auth.require(request)
    request.state.principal = principal
    # The units of the person's trust, for the pages (unit names); cached, so no query per request.
    request.state.org = await request.app.state.runtime.katalog.org(principal.hf)
    return principal


async def get_db(runtime: Annotated[ServiceRuntime, Depends(get_runtime)]) -> Database:
    return runtime.db


def org_of(request: Request) -> Organisasjon:
    """The caller's trust's units, resolved with the principal (after `get_principal`)."""
    org: Organisasjon = request.state.org
    return org


def katalog_of(request: Request) -> Katalog:
    katalog: Katalog = request.app.state.runtime.katalog
    return katalog


async def get_org(request: Request, _principal: Annotated[Principal, Depends(get_principal)]) -> Organisasjon:
    return org_of(request)


async def get_katalog(runtime: Annotated[ServiceRuntime, Depends(get_runtime)]) -> Katalog:
    return runtime.katalog


Runtime = Annotated[ServiceRuntime, Depends(get_runtime)]
CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
Db = Annotated[Database, Depends(get_db)]
Personkatalog = Annotated[Katalog, Depends(get_katalog)]
Org = Annotated[Organisasjon, Depends(get_org)]
