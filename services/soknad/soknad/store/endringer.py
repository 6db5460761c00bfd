"""Which answer of an application each person changed, and when (never the values)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import ForeignKey, Index, String, Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.tables import SEQ_TYPE
from shared.db.types import UtcDateTime
from soknad.store.core import Base

COALESCE_WINDOW = timedelta(minutes=10)
"""Autosave runs every few seconds while someone types; one row per field and person per stretch of work."""


class Endring(Base):
    __tablename__ = "endring"
    __table_args__ = (Index("ix_endring_soknad_at", "soknad_id", "at"),)

    id: Mapped[int] = mapped_column(SEQ_TYPE, primary_key=True, autoincrement=True)
    soknad_id: Mapped[str] = mapped_column(ForeignKey("soknad.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor_id: Mapped[str] = mapped_column(String(100))
    actor_navn: Mapped[str] = mapped_column(String(200))
    sporsmal_id: Mapped[str] = mapped_column(String(60))


async def record(
    session: AsyncSession,
    *,
    soknad_id: str,
    actor_id: str,
    actor_navn: str,
    sporsmal_ids: Iterable[str],
    at: datetime,
    not_before: datetime | None = None,
) -> None:
    """`not_before`: the last step of the case (when it was sent). An edit is never merged across it,
    so an edit made before sending stays before it in the history."""
    changed = list(dict.fromkeys(sporsmal_ids))
    if not changed:
        return
    since = at - COALESCE_WINDOW
    if not_before is not None and not_before > since:
        since = not_before
    table = cast(Table, Endring.__table__)
    # Autosave runs on every pause in typing: one statement moves the stretch of work forward in time,
    # and only fields touched for the first time in it get a row.
    merged = await session.execute(
        update(table)
        .where(
            table.c.soknad_id == soknad_id,
            table.c.actor_id == actor_id,
            table.c.at >= since,
            table.c.sporsmal_id.in_(changed),
        )
        .values(at=at)
        .returning(table.c.sporsmal_id)
    )
    seen = set(merged.scalars())
    fresh = [
        {"soknad_id": soknad_id, "at": at, "actor_id": actor_id, "actor_navn": actor_navn, "sporsmal_id": s}
        for s in changed
        if s not in seen
    ]
    if fresh:
        await session.execute(insert(table), fresh)


async def for_soknad(session: AsyncSession, soknad_id: str) -> list[Endring]:
    rows = await session.scalars(
        select(Endring).where(Endring.soknad_id == soknad_id).order_by(Endring.at, Endring.id)
    )
    return list(rows)


async def latest_per_field(session: AsyncSession, soknad_id: str) -> dict[str, Endring]:
    """Who last changed each answer, for the conflict panel's «Lagret av … kl. …»."""
    latest: dict[str, Endring] = {}
    for row in await for_soknad(session, soknad_id):
        latest[row.sporsmal_id] = row
    return latest
