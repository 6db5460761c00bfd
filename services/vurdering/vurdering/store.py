"""Tables of the vurdering service and the queries its use cases need."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.domain.historikk import HistorikkMixin
from shared.domain.lokal_sak import SakMixin
from shared.events.common import Anbefaling as AnbefalingValg
from shared.events.common import Utfall
from shared.platform.db.base import service_metadata
from shared.platform.db.str_enum import StrEnumType
from shared.platform.db.tables import add_spine_tables
from shared.platform.db.types import UtcDateTime
from vurdering.domain import Status


class Base(DeclarativeBase):
    metadata = service_metadata()


SPINE = add_spine_tables(Base.metadata)


class Sak(SakMixin, Base):
    """One anchored application as the committee sees it."""

    status: Mapped[Status] = mapped_column(StrEnumType(Status, 30), index=True)
    utfall: Mapped[Utfall | None] = mapped_column(String(30))
    avsluttet_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Anbefaling(Base):
    __tablename__ = "anbefaling"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sak_id: Mapped[str] = mapped_column(ForeignKey("sak.id"), unique=True)
    anbefaling: Mapped[AnbefalingValg] = mapped_column(String(30))
    begrunnelse: Mapped[str] = mapped_column(Text)
    alvorlighet: Mapped[int] = mapped_column(Integer)
    nytte: Mapped[int] = mapped_column(Integer)
    ressursbruk: Mapped[int] = mapped_column(Integer)
    evidenskvalitet: Mapped[int] = mapped_column(Integer)
    avgitt_av: Mapped[str] = mapped_column(String(100))
    avgitt_av_navn: Mapped[str] = mapped_column(String(200))
    avgitt_at: Mapped[datetime] = mapped_column(UtcDateTime)

    @property
    def kriterier(self) -> dict[str, int]:
        return {
            "alvorlighet": self.alvorlighet,
            "nytte": self.nytte,
            "ressursbruk": self.ressursbruk,
            "evidenskvalitet": self.evidenskvalitet,
        }


class Sporsmal(Base):
    """A request to the applicant for more information, and the answer once it comes."""

    __tablename__ = "sporsmal"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sak_id: Mapped[str] = mapped_column(ForeignKey("sak.id"), index=True)
    sporsmal: Mapped[str] = mapped_column(Text)
    spurt_av: Mapped[str] = mapped_column(String(100))
    spurt_av_navn: Mapped[str] = mapped_column(String(200))
    spurt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    svar: Mapped[str | None] = mapped_column(Text)
    besvart_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Historikk(HistorikkMixin, Base):
    pass


async def list_for_hf(session: AsyncSession, *, hf: str) -> list[Sak]:
    rows = await session.scalars(select(Sak).where(Sak.hf == hf).order_by(Sak.forankret_at.desc()))
    return list(rows)


async def anbefaling_for(session: AsyncSession, sak_id: str) -> Anbefaling | None:
    result: Anbefaling | None = await session.scalar(select(Anbefaling).where(Anbefaling.sak_id == sak_id))
    return result


async def anbefalinger_for(session: AsyncSession, sak_ids: list[str]) -> dict[str, Anbefaling]:
    if not sak_ids:
        return {}
    rows = await session.scalars(select(Anbefaling).where(Anbefaling.sak_id.in_(sak_ids)))
    return {a.sak_id: a for a in rows}


async def sporsmal_for(session: AsyncSession, sak_id: str) -> list[Sporsmal]:
    rows = await session.scalars(
        select(Sporsmal).where(Sporsmal.sak_id == sak_id).order_by(Sporsmal.spurt_at)
    )
    return list(rows)


async def historikk_for(session: AsyncSession, sak_id: str) -> list[Historikk]:
    rows = await session.scalars(select(Historikk).where(Historikk.sak_id == sak_id).order_by(Historikk.id))
    return list(rows)
