"""What integrasjon keeps to address decisions to integrators: the case's patient, from its anchoring.

Personal data, kept only because entitled integrators (a pharmacy) must know whom a decision is for;
it never leaves on the exchange without identity, nor towards the national overview."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from integrasjon.store import Base
from shared.events.common import Kategori, SoknadType
from shared.platform.db.types import UtcDateTime


class IntegratorSak(Base):
    __tablename__ = "integrator_sak"

    lopenummer: Mapped[str] = mapped_column(String(40), primary_key=True)
    hf: Mapped[str] = mapped_column(String(20))
    type: Mapped[SoknadType] = mapped_column(String(20))
    kategori: Mapped[Kategori] = mapped_column(String(30))
    enhet: Mapped[str] = mapped_column(String(60))
    fodselsnummer: Mapped[str | None] = mapped_column(String(11))
    pasient_navn: Mapped[str | None] = mapped_column(String(200))
    sendte_vedtak: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Ids of the decisions sent to integrators, so a revocation or an amendment never overtakes the
    decision it refers to (they arrive on queues of their own)."""
    vedtak: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The sent decisions by id, as the FHIR ClaimResponse builder reads them (no reasons): an
    amendment or a revocation sends the decision it replaces again, as `cancelled`."""
    endret_at: Mapped[datetime] = mapped_column(UtcDateTime)


async def get_sak(session: AsyncSession, lopenummer: str) -> IntegratorSak | None:
    return await session.get(IntegratorSak, lopenummer)
