"""A trust's own help texts, edited by its admin without a deploy; they override the definition's."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from shared.platform.db.tables import SEQ_TYPE
from shared.platform.db.types import UtcDateTime
from soknad.store.core import Base


class Hjelpetekst(Base):
    __tablename__ = "hjelpetekst"
    __table_args__ = (UniqueConstraint("hf", "skjema_versjon", "sporsmal_id"),)

    id: Mapped[int] = mapped_column(SEQ_TYPE, primary_key=True, autoincrement=True)
    hf: Mapped[str] = mapped_column(String(20))
    skjema_versjon: Mapped[int] = mapped_column(Integer)
    sporsmal_id: Mapped[str] = mapped_column(String(60))
    tekst: Mapped[str] = mapped_column(Text)
    endret_av: Mapped[str] = mapped_column(String(200))
    endret_at: Mapped[datetime] = mapped_column(UtcDateTime)


async def for_skjema(session: AsyncSession, *, hf: str, skjema_versjon: int) -> dict[str, Hjelpetekst]:
    rows = await session.scalars(
        select(Hjelpetekst).where(Hjelpetekst.hf == hf, Hjelpetekst.skjema_versjon == skjema_versjon)
    )
    return {row.sporsmal_id: row for row in rows}


async def set_text(
    session: AsyncSession,
    *,
    hf: str,
    skjema_versjon: int,
    sporsmal_id: str,
    tekst: str,
    endret_av: str,
    at: datetime,
) -> Hjelpetekst:
    row = await session.scalar(
        select(Hjelpetekst).where(
            Hjelpetekst.hf == hf,
            Hjelpetekst.skjema_versjon == skjema_versjon,
            Hjelpetekst.sporsmal_id == sporsmal_id,
        )
    )
    if row is None:
        row = Hjelpetekst(hf=hf, skjema_versjon=skjema_versjon, sporsmal_id=sporsmal_id)
        session.add(row)
    row.tekst, row.endret_av, row.endret_at = tekst, endret_av, at
    return row


async def reset_text(session: AsyncSession, *, hf: str, skjema_versjon: int, sporsmal_id: str) -> None:
    await session.execute(
        delete(Hjelpetekst).where(
            Hjelpetekst.hf == hf,
            Hjelpetekst.skjema_versjon == skjema_versjon,
            Hjelpetekst.sporsmal_id == sporsmal_id,
        )
    )
