"""The dependency a route needs to run a use case: the service's `Database`.

Routes and views never open or commit a unit of work; they call `await use_case(db, ...)`, and the
use case owns its transaction (`shared.platform.db.use_case`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.platform.db.uow import Database
from shared.platform.runtime import ServiceRuntime
from shared.platform.web.deps import get_runtime


async def get_db(runtime: Annotated[ServiceRuntime, Depends(get_runtime)]) -> Database:
    return runtime.db


Db = Annotated[Database, Depends(get_db)]
