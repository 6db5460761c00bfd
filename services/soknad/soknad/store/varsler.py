"""Notifications (varsler) to one person about a change in an application that concerns them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from shared.platform.db.types import UtcDateTime
from soknad.store.core import Base

ONCE_PER_CASE = "oppfolging_forfaller"
"""The one kind a person gets at most once per application (enforced by a partial unique index)."""

ONCE_WHERE = text(f"kind = '{ONCE_PER_CASE}'")

GYLDIGHET_UTLOPER = "gyldighet_utloper"
"""The reminder that a granted treatment's validity ends: also at most once per person and case."""

GYLDIGHET_WHERE = text(f"kind = '{GYLDIGHET_UTLOPER}'")


class Varsel(Base):
    __tablename__ = "varsel"
    __table_args__ = (
        Index("ix_varsel_user_unread", "user_id", "lest_at"),
        Index(
            "uq_varsel_en_gang",
            "soknad_id",
            "kind",
            "user_id",
            unique=True,
            sqlite_where=ONCE_WHERE,
            postgresql_where=ONCE_WHERE,
        ),
        Index(
            "uq_varsel_gyldighet",
            "soknad_id",
            "kind",
            "user_id",
            unique=True,
            sqlite_where=GYLDIGHET_WHERE,
            postgresql_where=GYLDIGHET_WHERE,
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hf: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(100))
    soknad_id: Mapped[str] = mapped_column(ForeignKey("soknad.id"), index=True)
    lopenummer: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    tekst: Mapped[str] = mapped_column(Text)
    opprettet_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lest_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


async def count_unread(session: AsyncSession, *, hf: str, user_id: str) -> int:
    value = await session.scalar(
        select(func.count())
        .select_from(Varsel)
        .where(Varsel.hf == hf, Varsel.user_id == user_id, Varsel.lest_at.is_(None))
    )
    return int(value or 0)


async def list_for(session: AsyncSession, *, hf: str, user_id: str, limit: int = 200) -> list[Varsel]:
    rows = await session.scalars(
        select(Varsel)
        .where(Varsel.hf == hf, Varsel.user_id == user_id)
        .order_by(Varsel.opprettet_at.desc(), Varsel.id)
        .limit(limit)
    )
    return list(rows)


async def mark_all_read(session: AsyncSession, *, hf: str, user_id: str, at: datetime) -> int:
    result = await session.execute(
        update(Varsel)
        .where(Varsel.hf == hf, Varsel.user_id == user_id, Varsel.lest_at.is_(None))
        .values(lest_at=at)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def once_per_case_sent(session: AsyncSession, *, user_id: str, soknad_ids: list[str]) -> set[str]:
    """The applications for which this person already has their once-per-case notification."""
    if not soknad_ids:
        return set()
    rows = await session.scalars(
        select(Varsel.soknad_id).where(
            Varsel.user_id == user_id, Varsel.kind == ONCE_PER_CASE, Varsel.soknad_id.in_(soknad_ids)
        )
    )
    return set(rows)
