"""Requests for more information from the assessment, and the applicant's answers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from shared.platform.db.types import UtcDateTime
from soknad.store.core import Base


class TilleggsinfoSporsmal(Base):
    __tablename__ = "tilleggsinfo_sporsmal"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    """The question's id in `vurdering` (`sporsmal_id`), so the answer finds its way back."""
    soknad_id: Mapped[str] = mapped_column(ForeignKey("soknad.id"), index=True)
    hf: Mapped[str] = mapped_column(String(20))
    sporsmal: Mapped[str] = mapped_column(Text)
    spurt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    spurt_av_navn: Mapped[str | None] = mapped_column(String(200))
    svarfrist: Mapped[date | None] = mapped_column(Date)
    kilde: Mapped[str] = mapped_column(String(20), server_default="vurdering")
    """Who asked: `vurdering` (the committee) or `beslutning` (the medical director)."""
    endrede_felt: Mapped[list[str] | None] = mapped_column(JSON)
    """Question ids whose answers the applicant changed with the answer."""
    svar: Mapped[str | None] = mapped_column(Text)
    besvart_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    besvart_av: Mapped[str | None] = mapped_column(String(100))
    besvart_av_navn: Mapped[str | None] = mapped_column(String(200))
    versjon: Mapped[int] = mapped_column(Integer, nullable=False)

    # Two co-authors answering at once: the second write fails instead of overwriting the first answer.
    __mapper_args__ = {"version_id_col": versjon}  # noqa: RUF012


async def sporsmal_for(session: AsyncSession, soknad_id: str) -> list[TilleggsinfoSporsmal]:
    rows = await session.scalars(
        select(TilleggsinfoSporsmal)
        .where(TilleggsinfoSporsmal.soknad_id == soknad_id)
        .order_by(TilleggsinfoSporsmal.spurt_at, TilleggsinfoSporsmal.id)
    )
    return list(rows)
