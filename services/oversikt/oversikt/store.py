"""Tables of the national oversikt service: one anonymised summary per case, and the national queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Boolean, ColumnElement, Integer, Select, String, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from oversikt.domain import Presedenssok, Sokefilter
from shared.events.common import Kategori, Kjonn, NasjonalStatus, SoknadType, Utfall, Vurderingsflyt
from shared.platform.db.base import service_metadata
from shared.platform.db.str_enum import StrEnumType
from shared.platform.db.tables import add_spine_tables
from shared.platform.db.types import UtcDateTime


class Base(DeclarativeBase):
    metadata = service_metadata()


SPINE = add_spine_tables(Base.metadata)

SelectT = TypeVar("SelectT", bound=Select[Any])


class Sammendrag(Base):
    """The latest summary of one case, as its trust sent it. No personal data exists here."""

    __tablename__ = "sammendrag"

    lopenummer: Mapped[str] = mapped_column(String(40), primary_key=True)
    hf: Mapped[str] = mapped_column(String(20), index=True)
    rhf: Mapped[str] = mapped_column(String(20))
    sekvens: Mapped[int] = mapped_column(Integer)
    type: Mapped[SoknadType] = mapped_column(String(20))
    kategori: Mapped[Kategori] = mapped_column(String(30), index=True)
    legemiddel_navn: Mapped[str] = mapped_column(String(300))
    virkestoff: Mapped[str] = mapped_column(String(200), index=True)
    atc: Mapped[str | None] = mapped_column(String(20), index=True)
    icd10_kode: Mapped[str] = mapped_column(String(20), index=True)
    icd10_tekst: Mapped[str] = mapped_column(String(300))
    status: Mapped[NasjonalStatus] = mapped_column(StrEnumType(NasjonalStatus, 20), index=True)
    utfall: Mapped[Utfall | None] = mapped_column(String(30))
    vurderingsflyt: Mapped[Vurderingsflyt | None] = mapped_column(String(20))
    med_vilkar: Mapped[bool] = mapped_column(Boolean, default=False)
    sendt_maned: Mapped[str] = mapped_column(String(7))
    vedtak_maned: Mapped[str | None] = mapped_column(String(7))
    behandlingstid_dager: Mapped[int | None] = mapped_column(Integer)
    aldersgruppe: Mapped[str | None] = mapped_column(String(10))
    kjonn: Mapped[Kjonn | None] = mapped_column(String(10))
    gruppe_storrelse: Mapped[int | None] = mapped_column(Integer)
    kostnadsband: Mapped[str | None] = mapped_column(String(20))
    oppdateringer: Mapped[int] = mapped_column(Integer, default=1)
    """How many summaries of this case were accepted (stale and duplicate ones are not counted)."""
    forste_mottatt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    mottatt_at: Mapped[datetime] = mapped_column(UtcDateTime)


async def get_sammendrag(
    session: AsyncSession, lopenummer: str, *, for_update: bool = False
) -> Sammendrag | None:
    return await session.get(Sammendrag, lopenummer, with_for_update=for_update)


def _filtered(query: SelectT, f: Sokefilter) -> SelectT:
    for column, value in (
        (Sammendrag.hf, f.hf),
        (Sammendrag.kategori, f.kategori),
        (Sammendrag.type, f.type),
        (Sammendrag.status, f.status),
        (Sammendrag.utfall, f.utfall),
    ):
        if value:
            query = query.where(column == value)
    if f.legemiddel:
        text = f.legemiddel
        query = query.where(
            or_(
                Sammendrag.atc.istartswith(text, autoescape=True),
                Sammendrag.virkestoff.icontains(text, autoescape=True),
                Sammendrag.legemiddel_navn.icontains(text, autoescape=True),
            )
        )
    if f.icd10:
        # Stored with the dot as sent (G36.0); the filter matches the start of the code either way.
        query = query.where(
            func.replace(Sammendrag.icd10_kode, ".", "").startswith(f.icd10_uten_punktum, autoescape=True)
        )
    return query


async def search(
    session: AsyncSession, f: Sokefilter, *, offset: int, limit: int
) -> tuple[int, list[Sammendrag]]:
    total = await session.scalar(_filtered(select(func.count()).select_from(Sammendrag), f))
    rows = await session.scalars(
        _filtered(select(Sammendrag), f).order_by(Sammendrag.lopenummer.desc()).offset(offset).limit(limit)
    )
    return int(total or 0), list(rows)


@dataclass(frozen=True)
class VariasjonRad:
    virkestoff: str
    icd10_kode: str
    icd10_tekst: str
    hf: str
    innvilget: int
    innvilget_med_vilkar: int
    avslatt: int

    @property
    def vedtak(self) -> int:
        return self.innvilget + self.innvilget_med_vilkar + self.avslatt

    @property
    def andel_innvilget(self) -> float:
        return (self.innvilget + self.innvilget_med_vilkar) / self.vedtak if self.vedtak else 0.0


async def variasjon(session: AsyncSession, f: Sokefilter) -> list[VariasjonRad]:
    """Decisions per (substance, indication, trust): the same question answered differently shows here."""
    virkestoff = func.lower(Sammendrag.virkestoff)

    def count(utfall: str) -> ColumnElement[int]:
        return func.sum(case((Sammendrag.utfall == utfall, 1), else_=0))

    query = (
        select(
            virkestoff,
            Sammendrag.icd10_kode,
            func.min(Sammendrag.icd10_tekst),
            Sammendrag.hf,
            count("innvilget"),
            count("innvilget_med_vilkar"),
            count("avslatt"),
        )
        .where(Sammendrag.status == "vedtatt")
        .group_by(virkestoff, Sammendrag.icd10_kode, Sammendrag.hf)
        .order_by(virkestoff, Sammendrag.icd10_kode, Sammendrag.hf)
    )
    rows = await session.execute(_filtered(query, f))
    return [
        VariasjonRad(
            virkestoff=str(v), icd10_kode=str(k), icd10_tekst=str(t), hf=str(hf),
            innvilget=int(i or 0), innvilget_med_vilkar=int(iv or 0), avslatt=int(a or 0),
        )
        for v, k, t, hf, i, iv, a in rows.all()
    ]  # fmt: skip


@dataclass(frozen=True)
class PresedensTelling:
    hf: str
    innvilget: int
    innvilget_med_vilkar: int
    avslatt: int


def _presedens_where(sok: Presedenssok) -> tuple[ColumnElement[bool], ...]:
    drug: list[ColumnElement[bool]] = []
    if sok.virkestoff:
        drug.append(func.lower(Sammendrag.virkestoff) == sok.virkestoff)
    if sok.atc:
        drug.append(Sammendrag.atc == sok.atc)
    # The whole 3-character category: a decision for G36.0 is precedent for G36.1 too.
    code = func.replace(Sammendrag.icd10_kode, ".", "").startswith(sok.kategori, autoescape=True)
    return (Sammendrag.status == "vedtatt", or_(*drug), code)


async def presedens_per_hf(session: AsyncSession, sok: Presedenssok) -> list[PresedensTelling]:
    """Single-patient decisions per trust (group decisions are listed, not counted)."""

    def count(utfall: str) -> ColumnElement[int]:
        return func.sum(case((Sammendrag.utfall == utfall, 1), else_=0))

    query = (
        select(Sammendrag.hf, count("innvilget"), count("innvilget_med_vilkar"), count("avslatt"))
        .where(Sammendrag.type == "enkeltpasient", *_presedens_where(sok))
        .group_by(Sammendrag.hf)
        .order_by(Sammendrag.hf)
    )
    rows = await session.execute(query)
    return [
        PresedensTelling(
            hf=str(hf), innvilget=int(i or 0), innvilget_med_vilkar=int(iv or 0), avslatt=int(a or 0)
        )
        for hf, i, iv, a in rows.all()
    ]


async def presedens_gruppevedtak(session: AsyncSession, sok: Presedenssok, *, limit: int) -> list[Sammendrag]:
    """Granted group decisions: standing approvals another applicant's patient may already fall under."""
    query = (
        select(Sammendrag)
        .where(
            Sammendrag.type == "gruppe",
            Sammendrag.utfall.in_(("innvilget", "innvilget_med_vilkar")),
            *_presedens_where(sok),
        )
        .order_by(Sammendrag.vedtak_maned.desc(), Sammendrag.lopenummer.desc())
        .limit(limit)
    )
    return list(await session.scalars(query))
