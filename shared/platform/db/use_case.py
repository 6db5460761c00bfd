"""A use case is the unit of work: `@use_case` runs a handler in its own transaction and commits it.

Routes and views call `await handler(db, ...)` and never commit; an audited read or a staged event
therefore cannot depend on a caller remembering to. A use case that is one step of a larger one
(an event consumer's handler, a command that reuses another's rule) runs `handler.within(uow, ...)`
and leaves the commit to its owner.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Concatenate, Generic, ParamSpec, TypeVar

from shared.platform.db.uow import Database, UnitOfWork

P = ParamSpec("P")
T = TypeVar("T")


class UseCase(Generic[P, T]):
    def __init__(self, fn: Callable[Concatenate[UnitOfWork, P], Awaitable[T]]):
        self.fn = fn
        functools.update_wrapper(self, fn)

    async def __call__(self, db: Database, /, *args: P.args, **kwargs: P.kwargs) -> T:
        async with db.unit_of_work() as uow:
            result = await self.fn(uow, *args, **kwargs)
            await uow.commit()
            return result

    async def within(self, uow: UnitOfWork, /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run as one step of a unit of work someone else owns (and commits)."""
        return await self.fn(uow, *args, **kwargs)


def use_case(fn: Callable[Concatenate[UnitOfWork, P], Awaitable[T]]) -> UseCase[P, T]:
    return UseCase(fn)
