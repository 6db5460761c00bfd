"""Tables of the beslutning service and the queries its use cases need."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from beslutning.domain import GRANTED, Status
from shared.domain.historikk import HistorikkMixin
from shared.domain.lokal_sak import SakMixin
from shared.events.common import Utfall, Vurderingsflyt
from shared.platform.db.base import service_metadata
from shared.platform.db.str_enum import StrEnumType
from shared.platform.db.tables import add_spine_tables
from shared.platform.db.types import UtcDateTime


class Base(DeclarativeBase):
    metadata = service_metadata()


SPINE = add_spine_tables(Base.metadata)


class Sak(SakMixin, Base):
    """One anchored application as the medical director sees it."""

    status: Mapped[Status] = mapped_column(StrEnumType(Status, 30), index=True)
    anbefaling: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The committee's recommendation (the `AnbefalingAvgitt` payload), once it has come."""


class Vedtak(Base):
    __tablename__ = "vedtak"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # Unique: the last line of defence against two decisions on one case.
    sak_id: Mapped[str] = mapped_column(ForeignKey("sak.id"), unique=True)
    utfall: Mapped[Utfall] = mapped_column(String(30), index=True)
    begrunnelse: Mapped[str] = mapped_column(Text)
    vilkar: Mapped[str | None] = mapped_column(Text)
    gyldig_til: Mapped[date | None] = mapped_column(Date)
    evalueringsdato: Mapped[date | None] = mapped_column(Date)
    vurderingsflyt: Mapped[Vurderingsflyt] = mapped_column(String(20))
    fattet_av: Mapped[str] = mapped_column(String(100))
    fattet_av_navn: Mapped[str] = mapped_column(String(200))
    fattet_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Historikk(HistorikkMixin, Base):
    pass


async def list_for_hf(session: AsyncSession, *, hf: str) -> list[Sak]:
    rows = await session.scalars(select(Sak).where(Sak.hf == hf).order_by(Sak.forankret_at.desc()))
    return list(rows)


async def vedtak_for(session: AsyncSession, sak_id: str) -> Vedtak | None:
    result: Vedtak | None = await session.scalar(select(Vedtak).where(Vedtak.sak_id == sak_id))
    return result


async def vedtak_for_saker(session: AsyncSession, sak_ids: list[str]) -> dict[str, Vedtak]:
    if not sak_ids:
        return {}
    rows = await session.scalars(select(Vedtak).where(Vedtak.sak_id.in_(sak_ids)))
    return {v.sak_id: v for v in rows}


async def granted_for_hf(session: AsyncSession, *, hf: str) -> list[tuple[Sak, Vedtak]]:
    """Granted decisions that still stand (a withdrawn application is not invoiced), newest first."""
    rows = await session.execute(
        select(Sak, Vedtak)
        .join(Vedtak, Vedtak.sak_id == Sak.id)
        .where(Sak.hf == hf, Sak.status == Status.VEDTATT, Vedtak.utfall.in_(GRANTED))
        .order_by(Vedtak.fattet_at.desc())
    )
    return [(sak, vedtak) for sak, vedtak in rows]


async def historikk_for(session: AsyncSession, sak_id: str) -> list[Historikk]:
    rows = await session.scalars(select(Historikk).where(Historikk.sak_id == sak_id).order_by(Historikk.id))
    return list(rows)
