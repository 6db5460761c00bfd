"""Tables of the beslutning service and the queries its use cases need."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from beslutning.domain import GRANTED, OPEN, Status
from shared.domain.historikk import HistorikkMixin
from shared.domain.lokal_sak import SakMixin
from shared.events.common import Utfall
from shared.platform.db.base import service_metadata
from shared.platform.db.str_enum import StrEnumType
from shared.platform.db.tables import add_spine_tables
from shared.platform.db.types import UtcDateTime


class Base(DeclarativeBase):
    metadata = service_metadata()


SPINE = add_spine_tables(Base.metadata)


APNE_SQL = (
    "status IN ('til_triage', 'venter_pa_anbefaling', 'klar_for_vedtak', "
    "'venter_pa_svar', 'hos_interregional')"
)
"""The open statuses (`domain.OPEN`) as the partial index's predicate."""


class Sak(SakMixin, Base):
    """One anchored application as the medical director sees it, with its triage and deadlines."""

    status: Mapped[Status] = mapped_column(StrEnumType(Status, 30), index=True)
    anbefaling: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The committee's recommendation (the `AnbefalingAvgitt` payload), once it has come."""
    vurderingsflyt: Mapped[str | None] = mapped_column(String(20))
    """Chosen at triage: forenklet, komplett or interregional."""
    enhet: Mapped[str] = mapped_column(String(40), default="")
    virkestoff: Mapped[str] = mapped_column(String(200), default="")
    """Lower-case active substance: the precedent panel's key with the ICD-10 code."""
    icd10: Mapped[str] = mapped_column(String(20), default="")
    frist: Mapped[date] = mapped_column(Date)
    """When the decision is due (the processing-time target of the flow)."""
    forfalt_varslet: Mapped[bool] = mapped_column(Boolean, default=False)
    triagert_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    triagert_av_navn: Mapped[str | None] = mapped_column(String(200))
    komite: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The committee assignment: members, deadline, note, when."""
    komite_sendt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    interregional: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """Tilgangsordningen: the forwarding (when, by whom, note) and the registered decision."""
    videresendt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sporsmal: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    """The director's requests for more information and their answers, oldest first."""
    status_for_sporsmal: Mapped[str | None] = mapped_column(String(30))
    """Where the case resumes when the applicant answers."""
    nye_felt: Mapped[list[str] | None] = mapped_column(JSON)
    """Questions answered anew after a request for more information (marked «Nytt svar»)."""
    vedtatt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_sak_innboks", "hf", "status", "frist"),
        # The inbox's default: every open case of the trust by deadline, read fifty at a time.
        Index(
            "ix_sak_apne",
            "hf",
            "frist",
            "forankret_at",
            postgresql_where=text(APNE_SQL),
            sqlite_where=text(APNE_SQL),
        ),
    )


class Vedtak(Base):
    __tablename__ = "vedtak"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sak_id: Mapped[str] = mapped_column(ForeignKey("sak.id"), index=True)
    forste_for_sak: Mapped[str | None] = mapped_column(String(36), unique=True)
    """The case's id on its first decision, empty on amendments and revocations: the last line of
    defence against two first decisions on one case."""
    art: Mapped[str] = mapped_column(String(20), default="vedtak")
    """vedtak, endring (amends `erstatter_vedtak_id`) or opphevelse (revokes it)."""
    erstatter_vedtak_id: Mapped[str | None] = mapped_column(String(36))
    gjeldende: Mapped[bool] = mapped_column(Boolean, default=True)
    """False once amended or revoked by a later decision."""
    utfall: Mapped[Utfall] = mapped_column(String(30), index=True)
    begrunnelse: Mapped[str] = mapped_column(Text)
    vilkar: Mapped[str | None] = mapped_column(Text)
    vilkar_liste: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    omfang: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    gyldig_fra: Mapped[date | None] = mapped_column(Date)
    gyldig_til: Mapped[date | None] = mapped_column(Date)
    evalueringsdato: Mapped[date | None] = mapped_column(Date)
    kostnadssted: Mapped[str | None] = mapped_column(String(100))
    resept_merknad: Mapped[str | None] = mapped_column(Text)
    faktureringsrutine: Mapped[str | None] = mapped_column(Text)
    interregional_referanse: Mapped[str | None] = mapped_column(String(100))
    vurderingsflyt: Mapped[str] = mapped_column(String(20))
    fattet_av: Mapped[str] = mapped_column(String(100))
    fattet_av_navn: Mapped[str] = mapped_column(String(200))
    fattet_at: Mapped[datetime] = mapped_column(UtcDateTime)
    fakturert_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    fakturert_av_navn: Mapped[str | None] = mapped_column(String(200))


class Frase(Base):
    """A reusable text of the trust's phrase library, or a link to a regulation or guide."""

    __tablename__ = "frase"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hf: Mapped[str] = mapped_column(String(20), index=True)
    felt: Mapped[str] = mapped_column(String(40))
    """Which text field of the decision it is for (`begrunnelse`, `resept_merknad` …) or `lenke`."""
    tittel: Mapped[str] = mapped_column(String(200))
    tekst: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))
    aktiv: Mapped[bool] = mapped_column(Boolean, default=True)
    versjon: Mapped[int] = mapped_column(Integer, nullable=False)
    endret_at: Mapped[datetime] = mapped_column(UtcDateTime)
    endret_av_navn: Mapped[str] = mapped_column(String(200))

    __mapper_args__ = {"version_id_col": versjon}  # noqa: RUF012


class Varsel(Base):
    """A notification in the page for the trust's medical director."""

    __tablename__ = "varsel"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hf: Mapped[str] = mapped_column(String(20))
    sak_id: Mapped[str] = mapped_column(ForeignKey("sak.id"))
    art: Mapped[str] = mapped_column(String(30))
    tekst: Mapped[str] = mapped_column(String(500))
    opprettet_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lest_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_varsel_hf_lest", "hf", "lest_at"),)


class Historikk(HistorikkMixin, Base):
    pass


async def list_for_hf(session: AsyncSession, *, hf: str) -> list[Sak]:
    rows = await session.scalars(select(Sak).where(Sak.hf == hf).order_by(Sak.forankret_at.desc()))
    return list(rows)


INBOX_COLUMNS = (
    Sak.id,
    Sak.lopenummer,
    Sak.type,
    Sak.kategori,
    Sak.status,
    Sak.enhet,
    Sak.frist,
    Sak.forankret_at,
    Sak.vurderingsflyt,
    Sak.anbefalt_at,
    # Only what the list shows of the snapshot, extracted by the database: the whole application of
    # fifty cases is far more than a list needs to read and parse.
    Sak.snapshot[("legemiddel", "navn")].as_string().label("legemiddel"),
    Sak.snapshot[("indikasjon", "kode")].as_string().label("icd10_kode"),
    Sak.snapshot[("indikasjon", "tekst")].as_string().label("icd10_tekst"),
)


async def inbox(
    session: AsyncSession, *, hf: str, statuses: frozenset[Status] = OPEN, limit: int = 50, offset: int = 0
) -> list[Any]:
    """A page of the trust's open cases (no snapshot), earliest deadline first."""
    # The page's ids first, then the snapshot's few fields of those fifty only (extracting them in the
    # sorted query would parse the snapshot of every open case).
    page = (
        select(Sak.id)
        .where(Sak.hf == hf, Sak.status.in_(statuses))
        .order_by(Sak.frist, Sak.forankret_at)
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    rows = await session.execute(
        select(*INBOX_COLUMNS).join(page, page.c.id == Sak.id).order_by(Sak.frist, Sak.forankret_at)
    )
    return list(rows)


async def count_in(session: AsyncSession, *, hf: str, statuses: frozenset[Status]) -> int:
    total = await session.scalar(
        select(func.count()).select_from(Sak).where(Sak.hf == hf, Sak.status.in_(statuses))
    )
    return int(total or 0)


async def count_by_status(session: AsyncSession, *, hf: str) -> dict[str, int]:
    """Open cases per status (the inbox's filters)."""
    rows = await session.execute(
        select(Sak.status, func.count()).where(Sak.hf == hf, Sak.status.in_(OPEN)).group_by(Sak.status)
    )
    return {str(status): int(n) for status, n in rows}


async def overdue_unnotified(
    session: AsyncSession, *, hf: str | None, today: date, limit: int = 50
) -> list[Any]:
    """Open cases past their deadline that have not been notified (id, trust, løpenummer, deadline);
    `hf` None: of every trust (the periodic check)."""
    conditions = [Sak.status.in_(OPEN), Sak.frist < today, Sak.forfalt_varslet.is_(False)]
    if hf is not None:
        conditions.append(Sak.hf == hf)
    rows = await session.execute(
        select(Sak.id, Sak.hf, Sak.lopenummer, Sak.frist).where(*conditions).order_by(Sak.frist).limit(limit)
    )
    return list(rows)


async def mark_overdue_notified(session: AsyncSession, sak_ids: list[str]) -> None:
    # A table-level update: noticing a deadline is no edit of the case, so its version stays and a
    # director with the case open can still decide it.
    table = cast(Table, Sak.__table__)
    await session.execute(update(table).where(table.c.id.in_(sak_ids)).values(forfalt_varslet=True))


async def vedtak_for(session: AsyncSession, sak_id: str) -> Vedtak | None:
    """The decision that stands (the latest), or None."""
    result: Vedtak | None = await session.scalar(
        select(Vedtak)
        .where(Vedtak.sak_id == sak_id)
        .order_by(Vedtak.fattet_at.desc(), Vedtak.art.desc())
        .limit(1)
    )
    return result


async def alle_vedtak_for(session: AsyncSession, sak_id: str) -> list[Vedtak]:
    rows = await session.scalars(select(Vedtak).where(Vedtak.sak_id == sak_id).order_by(Vedtak.fattet_at))
    return list(rows)


async def vedtak_for_saker(session: AsyncSession, sak_ids: list[str]) -> dict[str, Vedtak]:
    if not sak_ids:
        return {}
    rows = await session.scalars(select(Vedtak).where(Vedtak.sak_id.in_(sak_ids)).order_by(Vedtak.fattet_at))
    # The latest per case wins.
    return {v.sak_id: v for v in rows}


async def granted_for_hf(
    session: AsyncSession,
    *,
    hf: str,
    enhet: str | None = None,
    fra: date | None = None,
    til: date | None = None,
) -> list[tuple[Sak, Vedtak]]:
    """Granted decisions that still stand (not amended away, revoked or withdrawn), newest first;
    `fra`/`til` keep those whose validity overlaps the period."""
    conditions = [
        Sak.hf == hf,
        Sak.status == Status.VEDTATT,
        Vedtak.utfall.in_(GRANTED),
        Vedtak.gjeldende.is_(True),
    ]
    if enhet:
        conditions.append(Sak.enhet == enhet)
    if til is not None:
        conditions.append(or_(Vedtak.gyldig_fra.is_(None), Vedtak.gyldig_fra <= til))
    if fra is not None:
        conditions.append(or_(Vedtak.gyldig_til.is_(None), Vedtak.gyldig_til >= fra))
    rows = await session.execute(
        select(Sak, Vedtak)
        .join(Vedtak, Vedtak.sak_id == Sak.id)
        .where(*conditions)
        .order_by(Vedtak.fattet_at.desc())
    )
    return [(sak, vedtak) for sak, vedtak in rows]


async def tidligere_vedtak(
    session: AsyncSession, *, hf: str, virkestoff: str, icd10_kategori: str, unntatt: str, limit: int = 10
) -> list[tuple[Sak, Vedtak]]:
    """Earlier standing decisions of the trust for the same active substance and ICD-10 category (as the
    committee's and the søker's panels match)."""
    rows = await session.execute(
        select(Sak, Vedtak)
        .join(Vedtak, Vedtak.sak_id == Sak.id)
        .where(
            Sak.hf == hf,
            Sak.virkestoff == virkestoff,
            Sak.icd10.like(f"{icd10_kategori}%"),
            Sak.id != unntatt,
            Vedtak.gjeldende.is_(True),
        )
        .order_by(Vedtak.fattet_at.desc())
        .limit(limit)
    )
    return [(sak, vedtak) for sak, vedtak in rows]


async def decided_for_stats(session: AsyncSession, *, hf: str) -> list[Sak]:
    rows = await session.scalars(select(Sak).where(Sak.hf == hf, Sak.vedtatt_at.is_not(None)))
    return list(rows)


async def historikk_for(session: AsyncSession, sak_id: str) -> list[Historikk]:
    rows = await session.scalars(select(Historikk).where(Historikk.sak_id == sak_id).order_by(Historikk.id))
    return list(rows)


async def fraser_for(session: AsyncSession, *, hf: str, bare_aktive: bool = True) -> list[Frase]:
    query = select(Frase).where(Frase.hf == hf)
    if bare_aktive:
        query = query.where(Frase.aktiv.is_(True))
    rows = await session.scalars(query.order_by(Frase.felt, Frase.tittel))
    return list(rows)


async def antall_uleste(session: AsyncSession, *, hf: str) -> int:
    total = await session.scalar(
        select(func.count()).select_from(Varsel).where(Varsel.hf == hf, Varsel.lest_at.is_(None))
    )
    return int(total or 0)


async def uleste_varsler(session: AsyncSession, *, hf: str, limit: int = 20) -> list[Varsel]:
    rows = await session.scalars(
        select(Varsel)
        .where(Varsel.hf == hf, Varsel.lest_at.is_(None))
        .order_by(Varsel.opprettet_at.desc())
        .limit(limit)
    )
    return list(rows)
