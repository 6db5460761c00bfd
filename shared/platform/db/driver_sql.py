"""Core statements run straight on the asyncpg connection of a session's transaction, for the hot paths
where SQLAlchemy's own execution is most of what a transaction costs.

Measured on PostgreSQL here: a statement through a session costs about 100 µs of the process's CPU, the
driver's round trip alone 20–50 µs. National ingest runs five statements for every group of summaries,
thousands of summaries a second, so the difference is a good part of its CPU. The statement is still
built with SQLAlchemy Core (one definition, the table's own columns) and compiled once for asyncpg.

What is given up is SQLAlchemy's processing of values: parameters go to asyncpg as they are (str, int,
bool, aware datetime, lists of those), and rows come back as asyncpg records. Only statements whose
parameters and columns need no type processing belong here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ClauseElement, text
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncSession

_DIALECT = asyncpg_dialect()
_BEGIN = text("SELECT 1")


@dataclass(frozen=True)
class DriverStatement:
    sql: str
    order: tuple[str, ...]
    """The parameters' names in the order of `$1, $2, …`."""
    fixed: Mapping[str, Any]
    """Values the statement binds itself (a literal `+ 1` becomes a parameter)."""

    @classmethod
    def of(cls, statement: ClauseElement) -> DriverStatement:
        compiled: Any = statement.compile(dialect=_DIALECT)
        return cls(str(compiled), tuple(compiled.positiontup or ()), dict(compiled.params))

    def arguments(self, values: Mapping[str, Any]) -> list[Any]:
        return [values[name] if name in values else self.fixed[name] for name in self.order]

    async def fetch(self, driver: Any, values: Mapping[str, Any]) -> list[Any]:
        rows: list[Any] = await driver.fetch(self.sql, *self.arguments(values))
        return rows

    async def execute(self, driver: Any, values: Mapping[str, Any]) -> None:
        await driver.execute(self.sql, *self.arguments(values))


async def driver_connection(session: AsyncSession) -> Any:
    """The asyncpg connection under `session`, inside the session's transaction. SQLAlchemy begins its
    transaction on the first statement it runs; a statement sent past it before that would run in
    autocommit, outside what the session commits or rolls back, so one is run first if needed."""
    connection = await session.connection()
    driver: Any = (await connection.get_raw_connection()).driver_connection
    if not driver.is_in_transaction():
        await connection.execute(_BEGIN)
    if not driver.is_in_transaction():
        raise RuntimeError("the session's connection is not in a transaction")
    return driver
