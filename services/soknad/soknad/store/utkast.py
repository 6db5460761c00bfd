"""The autosave path in SQLAlchemy Core: one SELECT and one versioned UPDATE per save.

Autosave runs on every pause in typing, for every open draft: the ORM's identity map and unit of work
would cost more than the save itself, and the statements are built once, so each save reuses their
compiled form."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from soknad.store.core import Soknad


@dataclass(frozen=True)
class Utkast:
    """The columns a save reads: who may edit, the version, the answers and the choices beside them."""

    id: str
    hf: str
    status: str
    versjon: int
    soker_id: str
    soker_navn: str
    medforfattere: list[str]
    innhold: dict[str, Any]
    skjema_versjon: int
    type: str
    kategori: str
    enhet: str
    lopenummer: str | None
    sendt_at: datetime | None
    endret_at: datetime
    endret_av: str


_table = cast(Table, Soknad.__table__)
_LOAD = select(*(_table.c[f.name] for f in fields(Utkast))).where(_table.c.id == bindparam("soknad_id"))
# The values to set come with each execution; the WHERE on the version is the optimistic lock.
_SAVE = update(_table).where(_table.c.id == bindparam("b_id"), _table.c.versjon == bindparam("b_versjon"))


async def load(session: AsyncSession, soknad_id: str) -> Utkast | None:
    # On the session's connection: Core statements need none of the ORM's execution machinery.
    connection = await session.connection()
    row = (await connection.execute(_LOAD, {"soknad_id": soknad_id})).first()
    return Utkast(*row) if row is not None else None


async def save(session: AsyncSession, utkast: Utkast, values: dict[str, Any]) -> None:
    """Write `values` (column → value) as the next version. Another save that got there first raises
    `StaleDataError`, as the ORM's versioned flush does: the unit of work translates both the same way."""
    connection = await session.connection()
    result = await connection.execute(
        _SAVE, {"b_id": utkast.id, "b_versjon": utkast.versjon, "versjon": utkast.versjon + 1, **values}
    )
    if result.rowcount != 1:
        raise StaleDataError(f"soknad {utkast.id}: version {utkast.versjon} is no longer the saved one")
