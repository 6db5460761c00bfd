"""Tables of the vurdering service and the queries its use cases need."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    or_,
    select,
)
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

    __table_args__ = (
        Index("ix_sak_presedens", "hf", "virkestoff", "icd10_kode"),
        Index("ix_sak_ko", "hf", "status", "frist"),
    )

    status: Mapped[Status] = mapped_column(StrEnumType(Status, 30), index=True)
    utfall: Mapped[Utfall | None] = mapped_column(String(30))
    avsluttet_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The director's triage (`SakSendtTilKomite`); `flyt` is forenklet once a decision came without it.
    flyt: Mapped[str | None] = mapped_column(String(20))
    frist: Mapped[date | None] = mapped_column(Date)
    merknad: Mapped[str | None] = mapped_column(Text)
    medlemmer: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    sendt_til_komite_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sendt_av_navn: Mapped[str | None] = mapped_column(String(200))
    # The application as the committee reads it now: the anchored sections, replaced by an answer's.
    visning: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    nye_felt: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Case-level columns for the precedent panel (no patient data): what was decided, on what, why.
    virkestoff: Mapped[str | None] = mapped_column(String(200))
    icd10_kode: Mapped[str | None] = mapped_column(String(10))
    vedtak_begrunnelse: Mapped[str | None] = mapped_column(Text)
    vedtak_vilkar: Mapped[str | None] = mapped_column(Text)
    vedtak_gyldig_til: Mapped[date | None] = mapped_column(Date)
    """The decision's last valid day, when it has one (from `VedtakFattet`, amendments included)."""
    opphevet_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


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
    vilkar: Mapped[str | None] = mapped_column(Text)
    medlemsvurderinger: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

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
    svarfrist: Mapped[date | None] = mapped_column(Date)
    besvart_av_navn: Mapped[str | None] = mapped_column(String(200))


class Kommentar(Base):
    """An internal comment on one section of the application (or a reply to one); never shown outside
    the committee and the director. An external consultant's opinion is one too, signed with HPR."""

    __tablename__ = "kommentar"
    __table_args__ = (Index("ix_kommentar_sak", "sak_id", "skrevet_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sak_id: Mapped[str] = mapped_column(ForeignKey("sak.id"))
    seksjon_id: Mapped[str] = mapped_column(String(100))
    svar_pa_id: Mapped[str | None] = mapped_column(ForeignKey("kommentar.id"))
    forfatter_id: Mapped[str] = mapped_column(String(100))
    forfatter_navn: Mapped[str] = mapped_column(String(200))
    forfatter_hpr: Mapped[str | None] = mapped_column(String(20))
    ekstern: Mapped[bool] = mapped_column(Boolean, default=False)
    tekst: Mapped[str] = mapped_column(Text)
    skrevet_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Notat(Base):
    """A member's preparation notes on a case: private until the member shares them."""

    __tablename__ = "notat"
    __table_args__ = (UniqueConstraint("sak_id", "medlem_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sak_id: Mapped[str] = mapped_column(ForeignKey("sak.id"), index=True)
    medlem_id: Mapped[str] = mapped_column(String(100))
    medlem_navn: Mapped[str] = mapped_column(String(200))
    tekst: Mapped[str] = mapped_column(Text)
    delt: Mapped[bool] = mapped_column(Boolean, default=False)
    versjon: Mapped[int] = mapped_column(Integer, nullable=False)
    endret_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __mapper_args__ = {"version_id_col": versjon}  # noqa: RUF012 - read once by the mapper


class Medlemsvurdering(Base):
    """One member's structured assessment, autosaved as a draft until submitted (`levert_at`)."""

    __tablename__ = "medlemsvurdering"
    __table_args__ = (UniqueConstraint("sak_id", "medlem_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sak_id: Mapped[str] = mapped_column(ForeignKey("sak.id"), index=True)
    medlem_id: Mapped[str] = mapped_column(String(100))
    medlem_navn: Mapped[str] = mapped_column(String(200))
    innhold: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    versjon: Mapped[int] = mapped_column(Integer, nullable=False)
    endret_at: Mapped[datetime] = mapped_column(UtcDateTime)
    levert_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __mapper_args__ = {"version_id_col": versjon}  # noqa: RUF012 - read once by the mapper


class Inhabilitet(Base):
    """A member's declared conflict of interest in one case."""

    __tablename__ = "inhabilitet"
    __table_args__ = (UniqueConstraint("sak_id", "medlem_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sak_id: Mapped[str] = mapped_column(ForeignKey("sak.id"), index=True)
    medlem_id: Mapped[str] = mapped_column(String(100))
    medlem_navn: Mapped[str] = mapped_column(String(200))
    grunn: Mapped[str] = mapped_column(Text)
    erklaert_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Varsel(Base):
    """A notification in the page for one committee member or director."""

    __tablename__ = "varsel"
    __table_args__ = (Index("ix_varsel_mottaker", "hf", "user_id", "lest_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hf: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(100))
    sak_id: Mapped[str] = mapped_column(ForeignKey("sak.id"), index=True)
    lopenummer: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    tekst: Mapped[str] = mapped_column(Text)
    opprettet_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lest_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Konsultasjon(Base):
    """An invitation to a named person outside the committee (often another trust) to give an opinion on
    one case through a secret link; only the token's hash is stored."""

    __tablename__ = "konsultasjon"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sak_id: Mapped[str] = mapped_column(ForeignKey("sak.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    navn: Mapped[str] = mapped_column(String(200))
    hpr_nummer: Mapped[str] = mapped_column(String(20))
    organisasjon: Mapped[str] = mapped_column(String(200))
    epost: Mapped[str | None] = mapped_column(String(200))
    sporsmal: Mapped[str | None] = mapped_column(Text)
    invitert_av: Mapped[str] = mapped_column(String(100))
    invitert_av_navn: Mapped[str] = mapped_column(String(200))
    invitert_at: Mapped[datetime] = mapped_column(UtcDateTime)
    utloper_at: Mapped[datetime] = mapped_column(UtcDateTime)
    besvart_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Historikk(HistorikkMixin, Base):
    pass


async def list_for_hf(session: AsyncSession, *, hf: str, limit: int = 500) -> list[Sak]:
    """The committee's queue: cases the director sent to it, earliest deadline first; cases still
    waiting for triage are the director's, not the committee's."""
    rows = await session.scalars(
        select(Sak)
        .where(
            Sak.hf == hf,
            Sak.status != Status.VENTER_PA_TRIAGE,
            # Decided by the director alone: never the committee's.
            or_(Sak.flyt.is_(None), Sak.flyt != "forenklet"),
        )
        # Open cases first (closed ones keep their old deadlines and would crowd the top), then by deadline.
        .order_by(
            Sak.status.not_in((Status.TIL_VURDERING, Status.VENTER_PA_SVAR, Status.ANBEFALT)),
            Sak.frist.is_(None),
            Sak.frist,
            Sak.forankret_at.desc(),
        )
        .limit(limit)
    )
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


async def apne_sporsmal(session: AsyncSession, sak_ids: list[str]) -> set[str]:
    """The cases among these with a question to the applicant not yet answered («venter på svar»)."""
    if not sak_ids:
        return set()
    rows = await session.scalars(
        select(Sporsmal.sak_id).where(Sporsmal.sak_id.in_(sak_ids), Sporsmal.besvart_at.is_(None)).distinct()
    )
    return set(rows)


async def kommentarer_for(session: AsyncSession, sak_id: str) -> list[Kommentar]:
    rows = await session.scalars(
        select(Kommentar).where(Kommentar.sak_id == sak_id).order_by(Kommentar.skrevet_at, Kommentar.id)
    )
    return list(rows)


async def notater_for(session: AsyncSession, sak_id: str) -> list[Notat]:
    rows = await session.scalars(select(Notat).where(Notat.sak_id == sak_id).order_by(Notat.medlem_navn))
    return list(rows)


async def notat(session: AsyncSession, sak_id: str, medlem_id: str) -> Notat | None:
    row: Notat | None = await session.scalar(
        select(Notat).where(Notat.sak_id == sak_id, Notat.medlem_id == medlem_id)
    )
    return row


async def medlemsvurderinger_for(session: AsyncSession, sak_id: str) -> list[Medlemsvurdering]:
    rows = await session.scalars(
        select(Medlemsvurdering)
        .where(Medlemsvurdering.sak_id == sak_id)
        .order_by(
            Medlemsvurdering.levert_at.is_(None), Medlemsvurdering.levert_at, Medlemsvurdering.medlem_navn
        )
    )
    return list(rows)


async def medlemsvurdering(session: AsyncSession, sak_id: str, medlem_id: str) -> Medlemsvurdering | None:
    row: Medlemsvurdering | None = await session.scalar(
        select(Medlemsvurdering).where(
            Medlemsvurdering.sak_id == sak_id, Medlemsvurdering.medlem_id == medlem_id
        )
    )
    return row


async def inhabiliteter_for(session: AsyncSession, sak_id: str) -> list[Inhabilitet]:
    rows = await session.scalars(
        select(Inhabilitet).where(Inhabilitet.sak_id == sak_id).order_by(Inhabilitet.erklaert_at)
    )
    return list(rows)


async def konsultasjoner_for(session: AsyncSession, sak_id: str) -> list[Konsultasjon]:
    rows = await session.scalars(
        select(Konsultasjon).where(Konsultasjon.sak_id == sak_id).order_by(Konsultasjon.invitert_at)
    )
    return list(rows)


async def konsultasjon_by_hash(session: AsyncSession, token_hash: str) -> Konsultasjon | None:
    row: Konsultasjon | None = await session.scalar(
        select(Konsultasjon).where(Konsultasjon.token_hash == token_hash)
    )
    return row


async def varsler_for(session: AsyncSession, *, hf: str, user_id: str, limit: int = 100) -> list[Varsel]:
    rows = await session.scalars(
        select(Varsel)
        .where(Varsel.hf == hf, Varsel.user_id == user_id)
        .order_by(Varsel.opprettet_at.desc(), Varsel.id)
        .limit(limit)
    )
    return list(rows)


async def count_unread(session: AsyncSession, *, hf: str, user_id: str) -> int:
    value = await session.scalar(
        select(func.count())
        .select_from(Varsel)
        .where(Varsel.hf == hf, Varsel.user_id == user_id, Varsel.lest_at.is_(None))
    )
    return int(value or 0)


async def tidligere_vedtak(
    session: AsyncSession, *, hf: str, virkestoff: str, icd10_kategori: str, unntatt: str, limit: int = 20
) -> list[Sak]:
    """This trust's decided cases for the same active substance and ICD-10 category, newest first."""
    rows = await session.scalars(
        select(Sak)
        .where(
            Sak.hf == hf,
            Sak.virkestoff == virkestoff,
            Sak.icd10_kode.like(f"{icd10_kategori}%"),
            Sak.utfall.is_not(None),
            Sak.id != unntatt,
        )
        .order_by(Sak.avsluttet_at.desc())
        .limit(limit)
    )
    return list(rows)


_DELER: dict[str, Any] = {
    "anbefaling": Anbefaling,
    "sporsmal": Sporsmal,
    "historikk": Historikk,
    "kommentar": Kommentar,
    "notat": Notat,
    "medlemsvurdering": Medlemsvurdering,
    "inhabilitet": Inhabilitet,
    "konsultasjon": Konsultasjon,
}
"""The case's parts the case page shows, by name."""


async def deler_med_innhold(
    session: AsyncSession, sak_id: str, *, hf: str, user_id: str | None
) -> tuple[set[str], int]:
    """Which of the case's parts (comments, notes, …) have rows, and the reader's unread notifications,
    in one round trip: most cases have few parts, and the case page then skips the queries that would
    find nothing."""
    counts = [
        select(func.count()).select_from(model).where(model.sak_id == sak_id).scalar_subquery().label(name)
        for name, model in _DELER.items()
    ]
    uleste = (
        select(func.count())
        .select_from(Varsel)
        .where(Varsel.hf == hf, Varsel.user_id == (user_id or ""), Varsel.lest_at.is_(None))
        .scalar_subquery()
        .label("_uleste")
    )
    row = (await session.execute(select(*counts, uleste))).one()
    mapping = dict(row._mapping)
    antall = int(mapping.pop("_uleste") or 0)
    return {name for name, count in mapping.items() if count}, antall
