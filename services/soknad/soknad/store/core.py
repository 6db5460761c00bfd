"""Tables of the soknad service and the queries its use cases need."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.platform.db.base import service_metadata
from shared.platform.db.tables import SEQ_TYPE, add_spine_tables
from shared.platform.db.types import UtcDateTime


class Base(DeclarativeBase):
    metadata = service_metadata()


SPINE = add_spine_tables(Base.metadata)


class Soknad(Base):
    __tablename__ = "soknad"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hf: Mapped[str] = mapped_column(String(20), index=True)
    lopenummer: Mapped[str | None] = mapped_column(String(40), unique=True)
    type: Mapped[str] = mapped_column(String(20))
    kategori: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(30), index=True)
    soker_id: Mapped[str] = mapped_column(String(100), index=True)
    soker_navn: Mapped[str] = mapped_column(String(200))
    enhet: Mapped[str] = mapped_column(String(40), index=True)
    medforfattere: Mapped[list[str]] = mapped_column(JSON, default=list)
    innhold: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """The answers by question id (validated per field on save, as a whole on send)."""
    skjema_versjon: Mapped[int] = mapped_column(Integer, server_default="1")
    """The form definition the answers were written with; the application always renders with it."""
    soker_hpr: Mapped[str | None] = mapped_column(String(20))
    forankring: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    vedtak: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    behandling: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The flow the medical director chose, with its deadline, who and when (`soknad.behandling`)."""
    retur_kommentar: Mapped[str | None] = mapped_column(Text)
    versjon: Mapped[int] = mapped_column(Integer, nullable=False)
    opprettet_at: Mapped[datetime] = mapped_column(UtcDateTime)
    endret_at: Mapped[datetime] = mapped_column(UtcDateTime)
    endret_av: Mapped[str] = mapped_column(String(100))
    sendt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    forankret_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    vedtatt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    utfall: Mapped[str | None] = mapped_column(String(30), index=True)
    # Copies of answers the register searches and counts by (JSON is not portably searchable).
    legemiddel_navn: Mapped[str | None] = mapped_column(String(200))
    virkestoff: Mapped[str | None] = mapped_column(String(200), index=True)
    atc: Mapped[str | None] = mapped_column(String(10), index=True)
    icd10_kode: Mapped[str | None] = mapped_column(String(10), index=True)
    icd10_tekst: Mapped[str | None] = mapped_column(String(300))
    fortsettelse_av: Mapped[str | None] = mapped_column(String(36), index=True)
    """The granted application this one applies to continue (its treatment's validity was ending)."""

    def sync_search_columns(self) -> None:
        for name, value in search_columns(self.innhold).items():
            setattr(self, name, value)

    # Optimistic concurrency: every UPDATE checks and bumps `versjon`.
    __mapper_args__ = {"version_id_col": versjon}  # noqa: RUF012


def search_columns(innhold: dict[str, Any] | None) -> dict[str, str | None]:
    """The register's copies of the drug and indication answers, by column name."""
    legemiddel = (innhold or {}).get("legemiddel") or {}
    indikasjon = (innhold or {}).get("indikasjon") or {}
    if not isinstance(legemiddel, dict):
        legemiddel = {}
    if not isinstance(indikasjon, dict):
        indikasjon = {}
    return {
        "legemiddel_navn": legemiddel.get("navn") or None,
        "virkestoff": (legemiddel.get("virkestoff") or "").lower() or None,
        "atc": legemiddel.get("atc") or None,
        "icd10_kode": indikasjon.get("kode") or None,
        "icd10_tekst": indikasjon.get("tekst") or None,
    }


class Historikk(Base):
    __tablename__ = "historikk"

    id: Mapped[int] = mapped_column(SEQ_TYPE, primary_key=True, autoincrement=True)
    soknad_id: Mapped[str] = mapped_column(ForeignKey("soknad.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor_id: Mapped[str] = mapped_column(String(100))
    actor_navn: Mapped[str] = mapped_column(String(200))
    hendelse: Mapped[str] = mapped_column(String(60))
    detalj: Mapped[str | None] = mapped_column(Text)


class Medforfatter(Base):
    __tablename__ = "medforfatter"

    soknad_id: Mapped[str] = mapped_column(ForeignKey("soknad.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class LopenummerTeller(Base):
    __tablename__ = "lopenummer_teller"
    __table_args__ = (UniqueConstraint("hf", "aar"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hf: Mapped[str] = mapped_column(String(20))
    aar: Mapped[int] = mapped_column(Integer)
    neste: Mapped[int] = mapped_column(Integer)


async def next_lopenummer_seq(session: AsyncSession, *, hf: str, aar: int) -> int:
    """Take the next number in the caller's transaction; the UPDATE's row lock serialises senders."""
    taken = await _increment_lopenummer(session, hf=hf, aar=aar)
    if taken is not None:
        return taken
    try:
        # In a savepoint: concurrent first senders of a year race to create the counter, and the loser
        # must keep its transaction (it would otherwise fail with a unique violation, a 500).
        async with session.begin_nested():
            session.add(LopenummerTeller(hf=hf, aar=aar, neste=2))
        return 1
    except IntegrityError:
        # The winner's row is committed (PostgreSQL reports the conflict only then), so it is visible now.
        taken = await _increment_lopenummer(session, hf=hf, aar=aar)
        if taken is None:
            raise
        return taken


async def _increment_lopenummer(session: AsyncSession, *, hf: str, aar: int) -> int | None:
    table = cast(Table, LopenummerTeller.__table__)
    result = await session.execute(
        update(table).where(table.c.hf == hf, table.c.aar == aar).values(neste=table.c.neste + 1)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        return None
    value = await session.scalar(select(table.c.neste).where(table.c.hf == hf, table.c.aar == aar))
    return int(value or 0) - 1


async def get_soknad(session: AsyncSession, soknad_id: str) -> Soknad | None:
    return await session.get(Soknad, soknad_id)


async def list_for_soker(session: AsyncSession, *, hf: str, user_id: str) -> list[Soknad]:
    coauthored = select(Medforfatter.soknad_id).where(Medforfatter.user_id == user_id)
    rows = await session.scalars(
        select(Soknad)
        .where(Soknad.hf == hf, or_(Soknad.soker_id == user_id, Soknad.id.in_(coauthored)))
        .order_by(Soknad.endret_at.desc())
    )
    return list(rows)


async def list_for_enhet(session: AsyncSession, *, hf: str, enhet: str, status: str) -> list[Soknad]:
    rows = await session.scalars(
        select(Soknad)
        .where(Soknad.hf == hf, Soknad.enhet == enhet, Soknad.status == status)
        .order_by(Soknad.sendt_at)
    )
    return list(rows)


async def fortsettelser_av(session: AsyncSession, soknad_id: str) -> list[Soknad]:
    """Applications for continuing the treatment of `soknad_id`, oldest first."""
    rows = await session.scalars(
        select(Soknad).where(Soknad.fortsettelse_av == soknad_id).order_by(Soknad.opprettet_at)
    )
    return list(rows)


async def historikk_for(session: AsyncSession, soknad_id: str) -> list[Historikk]:
    rows = await session.scalars(
        select(Historikk).where(Historikk.soknad_id == soknad_id).order_by(Historikk.id)
    )
    return list(rows)
