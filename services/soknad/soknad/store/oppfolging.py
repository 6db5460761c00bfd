"""Follow-up of an approved treatment: how it went, registered by the applicant (a history per case)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from shared.events.common import Avslutningsarsak, Bivirkningsgrad, Effekt
from shared.platform.db.types import UtcDateTime
from soknad.store.core import Base, Medforfatter, Soknad


class Oppfolging(Base):
    __tablename__ = "oppfolging"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    soknad_id: Mapped[str] = mapped_column(ForeignKey("soknad.id"), index=True)
    hf: Mapped[str] = mapped_column(String(20))
    effekt: Mapped[Effekt] = mapped_column(String(10))
    bivirkninger: Mapped[bool] = mapped_column(Boolean)
    bivirkninger_beskrivelse: Mapped[str | None] = mapped_column(Text)
    fortsetter: Mapped[bool] = mapped_column(Boolean)
    begrunnelse: Mapped[str | None] = mapped_column(Text)
    avslutningsarsak: Mapped[Avslutningsarsak | None] = mapped_column(String(30))
    """Why it stopped, as a category (travels nationally, unlike `begrunnelse`)."""
    bivirkningsgrad: Mapped[Bivirkningsgrad | None] = mapped_column(String(20))
    """The gravest adverse event's category, when there were any."""
    registrert_at: Mapped[datetime] = mapped_column(UtcDateTime)
    registrert_av: Mapped[str] = mapped_column(String(100))
    registrert_av_navn: Mapped[str] = mapped_column(String(200))


async def oppfolging_for(session: AsyncSession, soknad_id: str) -> list[Oppfolging]:
    rows = await session.scalars(
        select(Oppfolging).where(Oppfolging.soknad_id == soknad_id).order_by(Oppfolging.registrert_at.desc())
    )
    return list(rows)


async def latest_by_soknad(session: AsyncSession, soknad_ids: list[str]) -> dict[str, datetime]:
    """When each of these applications last had a follow-up registered."""
    if not soknad_ids:
        return {}
    latest: dict[str, datetime] = {}
    rows = await session.execute(
        select(Oppfolging.soknad_id, Oppfolging.registrert_at).where(Oppfolging.soknad_id.in_(soknad_ids))
    )
    for soknad_id, at in rows:
        if soknad_id not in latest or at > latest[soknad_id]:
            latest[soknad_id] = at
    return latest


async def approved_cases(
    session: AsyncSession, *, hf: str, user_id: str | None = None, enhet: str | None = None
) -> list[Soknad]:
    """Granted applications of one applicant (own or co-authored) or of one unit."""
    where = [
        Soknad.hf == hf,
        Soknad.status == "vedtatt",
        Soknad.utfall.in_(("innvilget", "innvilget_med_vilkar")),
    ]
    if user_id is not None:
        coauthored = select(Medforfatter.soknad_id).where(Medforfatter.user_id == user_id)
        where.append(or_(Soknad.soker_id == user_id, Soknad.id.in_(coauthored)))
    if enhet is not None:
        where.append(Soknad.enhet == enhet)
    return list(await session.scalars(select(Soknad).where(*where)))
