"""Tables of the integrasjon service: the privacy-minimised projection of each case, and its queries."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Integer, String, Text, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.events.common import (
    Avslutningsarsak,
    Bivirkningsgrad,
    Effekt,
    Kategori,
    Kjonn,
    NasjonalStatus,
    SoknadType,
    Utfall,
    Vurderingsflyt,
)
from shared.platform.db.base import service_metadata
from shared.platform.db.str_enum import StrEnumType
from shared.platform.db.tables import add_spine_tables
from shared.platform.db.types import UtcDateTime
from shared.platform.db.uow import NATIONAL


class Base(DeclarativeBase):
    metadata = service_metadata()


SPINE = add_spine_tables(Base.metadata)


class SakProjeksjon(Base):
    """What integrasjon keeps of a case: only what the national summary is built from, plus the sent
    date and the applied decision's time (trust-internal: processing time, order of amendments). Never
    fødselsnummer, names or birth date; free text only for a granted group decision (`gruppe_*`,
    `gruppevedtak_*`), which is published and names a group, never a patient."""

    __tablename__ = "sak_projeksjon"

    lopenummer: Mapped[str] = mapped_column(String(40), primary_key=True)
    soknad_id: Mapped[str] = mapped_column(String(36), index=True)
    hf: Mapped[str] = mapped_column(String(20), index=True)
    type: Mapped[SoknadType] = mapped_column(String(20))
    kategori: Mapped[Kategori] = mapped_column(String(30))
    legemiddel_navn: Mapped[str] = mapped_column(String(300))
    virkestoff: Mapped[str] = mapped_column(String(200))
    atc: Mapped[str | None] = mapped_column(String(20))
    icd10_kode: Mapped[str] = mapped_column(String(20))
    icd10_tekst: Mapped[str] = mapped_column(String(300))
    sendt_maned: Mapped[str] = mapped_column(String(7))
    sendt_dato: Mapped[date] = mapped_column(Date)
    aldersgruppe: Mapped[str | None] = mapped_column(String(10))
    kjonn: Mapped[Kjonn | None] = mapped_column(String(10))
    gruppe_storrelse: Mapped[int | None] = mapped_column(Integer)
    kostnadsband: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[NasjonalStatus] = mapped_column(StrEnumType(NasjonalStatus, 20))
    utfall: Mapped[Utfall | None] = mapped_column(String(30))
    vurderingsflyt: Mapped[Vurderingsflyt | None] = mapped_column(String(20))
    med_vilkar: Mapped[bool] = mapped_column(Boolean, default=False)
    vedtak_maned: Mapped[str | None] = mapped_column(String(7))
    behandlingstid_dager: Mapped[int | None] = mapped_column(Integer)
    vedtak_fattet_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    """When the decision now in force was made: an older decision arriving late does not replace it."""
    endret: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    etterregistrert: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    oppfolging_effekt: Mapped[Effekt | None] = mapped_column(String(10))
    oppfolging_fortsetter: Mapped[bool | None] = mapped_column(Boolean)
    oppfolging_avslutningsarsak: Mapped[Avslutningsarsak | None] = mapped_column(String(30))
    oppfolging_bivirkningsgrad: Mapped[Bivirkningsgrad | None] = mapped_column(String(20))
    # Group cases only (never filled for a single patient): the published group decision.
    gruppe_beskrivelse: Mapped[str | None] = mapped_column(Text)
    gruppevedtak_dosering: Mapped[str | None] = mapped_column(Text)
    gruppevedtak_vilkar: Mapped[list[dict[str, str | None]] | None] = mapped_column(JSON)
    gruppevedtak_begrunnelse: Mapped[str | None] = mapped_column(Text)
    gruppevedtak_gyldig_fra: Mapped[date | None] = mapped_column(Date)
    gruppevedtak_gyldig_til: Mapped[date | None] = mapped_column(Date)
    gruppevedtak_enhet_navn: Mapped[str | None] = mapped_column(String(200))
    sekvens: Mapped[int] = mapped_column(Integer, default=0)
    """Number of summaries published for this case; the national overview keeps the highest."""
    endret_at: Mapped[datetime] = mapped_column(UtcDateTime)


async def get_projeksjon(session: AsyncSession, lopenummer: str) -> SakProjeksjon | None:
    # Row lock on PostgreSQL: two consumers of the same case (e.g. withdrawal and decision) must not
    # both read sekvens n and both publish n + 1.
    return await session.get(SakProjeksjon, lopenummer, with_for_update=True)


async def count_projeksjoner(session: AsyncSession, *, hf: str) -> dict[str, int]:
    rows = await session.execute(
        select(SakProjeksjon.status, func.count())
        .where(SakProjeksjon.hf == hf)
        .group_by(SakProjeksjon.status)
    )
    return {str(status): int(count) for status, count in rows.all()}


async def count_national_summaries(session: AsyncSession, *, hf: str) -> tuple[int, int]:
    """(sent, waiting) national summaries of one trust, read from the outbox."""
    outbox = SPINE.outbox
    rows = await session.execute(
        select(outbox.c.sent_at.is_(None), func.count())
        .where(outbox.c.destination == NATIONAL, outbox.c.routing_key.startswith(f"{hf}.", autoescape=True))
        .group_by(outbox.c.sent_at.is_(None))
    )
    counts = {bool(waiting): int(count) for waiting, count in rows.all()}
    return counts.get(False, 0), counts.get(True, 0)
