"""Which answer of an application each person changed, and when (never the values)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, String, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.tables import SEQ_TYPE
from shared.db.types import UtcDateTime
from soknad.store.core import Base, Historikk

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
) -> None:
    changed = list(sporsmal_ids)
    if not changed:
        return
    # Never merge across a step of the case (sent, returned…): an edit before sending must stay before it.
    since = at - COALESCE_WINDOW
    last_step = await session.scalar(select(func.max(Historikk.at)).where(Historikk.soknad_id == soknad_id))
    if last_step is not None and last_step > since:
        since = last_step
    recent = await session.scalars(
        select(Endring).where(
            Endring.soknad_id == soknad_id,
            Endring.actor_id == actor_id,
            Endring.at >= since,
            Endring.sporsmal_id.in_(changed),
        )
    )
    latest: dict[str, Endring] = {}
    for row in recent:
        if row.sporsmal_id not in latest or row.at > latest[row.sporsmal_id].at:
            latest[row.sporsmal_id] = row
    for sporsmal_id in changed:
        if sporsmal_id in latest:
            latest[sporsmal_id].at = at
        else:
            session.add(
                Endring(
                    soknad_id=soknad_id,
                    at=at,
                    actor_id=actor_id,
                    actor_navn=actor_navn,
                    sporsmal_id=sporsmal_id,
                )
            )


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
