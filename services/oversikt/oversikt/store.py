"""Tables of the national oversikt service: one anonymised summary per case, and the national queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Index,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    text,
    true,
)
from sqlalchemy import (
    column as sql_column,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from oversikt.domain import Presedenssok, Sokefilter, prefix_end
from oversikt.icd10 import kapittel, kategori
from oversikt.kanonymitet import BRED, BRED_BAND, LADDER, Kvasi, kvartal, kvartal_maneder
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


class Base(DeclarativeBase):
    metadata = service_metadata()


SPINE = add_spine_tables(Base.metadata)

SelectT = TypeVar("SelectT", bound=Select[*tuple[Any, ...]])


class Sammendrag(Base):
    """The latest summary of one case, as its trust sent it. No personal data exists here."""

    __tablename__ = "sammendrag"

    lopenummer: Mapped[str] = mapped_column(String(40), primary_key=True)
    # A trust alone is looked up through `ix_sammendrag_kvasi`, which starts with it.
    hf: Mapped[str] = mapped_column(String(20))
    rhf: Mapped[str] = mapped_column(String(20))
    sekvens: Mapped[int] = mapped_column(Integer)
    type: Mapped[SoknadType] = mapped_column(String(20))
    kategori: Mapped[Kategori] = mapped_column(String(30), index=True)
    legemiddel_navn: Mapped[str] = mapped_column(String(300))
    # Searched as `virkestoff_sok` (lower case, indexed) or by substring, which no b-tree serves.
    virkestoff: Mapped[str] = mapped_column(String(200))
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
    # Derived at ingest, so that searches by chapter, category and substance can use an index.
    virkestoff_sok: Mapped[str] = mapped_column(String(200))
    icd10_kategori: Mapped[str] = mapped_column(String(3))
    icd10_kapittel: Mapped[str] = mapped_column(String(5))
    # v2 of the summary; a v1 summary leaves them as they were (it cannot speak of them).
    sammendrag_versjon: Mapped[int] = mapped_column(Integer, default=1)
    endret: Mapped[bool] = mapped_column(Boolean, default=False)
    etterregistrert: Mapped[bool] = mapped_column(Boolean, default=False)
    effekt: Mapped[Effekt | None] = mapped_column(String(10))
    fortsetter: Mapped[bool | None] = mapped_column(Boolean)
    avslutningsarsak: Mapped[Avslutningsarsak | None] = mapped_column(String(30))
    bivirkningsgrad: Mapped[Bivirkningsgrad | None] = mapped_column(String(20))
    gruppevedtak: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (
        # The cells of the k-anonymity check: trust, then ICD-10 from chapter down to code, then month.
        # With age band, sex and type in it, the k-anonymity counts are read from the index alone.
        Index(
            "ix_sammendrag_kvasi",
            "hf",
            "icd10_kapittel",
            "icd10_kategori",
            "icd10_kode",
            "sendt_maned",
            "aldersgruppe",
            "kjonn",
            "type",
        ),
        # Covering indexes of the variation page: a combination's decisions and processing times are read
        # from the index alone (an index-only scan), not from rows scattered over the whole table.
        Index(
            "ix_sammendrag_variasjon",
            "virkestoff_sok",
            "icd10_kode",
            "status",
            "hf",
            "rhf",
            "utfall",
            "behandlingstid_dager",
            "sendt_maned",
        ),
        Index(
            "ix_sammendrag_kapittel_atc",
            "icd10_kapittel",
            "atc",
            "status",
            "hf",
            "rhf",
            "utfall",
            "behandlingstid_dager",
            "sendt_maned",
        ),
        # A period with a trust or an ATC group is counted from the index alone.
        Index("ix_sammendrag_sendt_maned", "sendt_maned", "hf", "atc", "icd10_kode", "utfall"),
        # The search's order (newest month first): walked backwards, a page of a past period starts at
        # its last month at once, where the løpenummer order walked past every newer case first.
        Index("ix_sammendrag_nyeste", "sendt_maned", "lopenummer"),
        # A substance and indication with scheme and type (the commonest narrow search): matched, counted
        # and put in order from the index alone; only the page's 50 rows are read from the table.
        Index(
            "ix_sammendrag_legemiddel_sok",
            "virkestoff_sok",
            "icd10_kode",
            "kategori",
            "type",
            "sendt_maned",
            "lopenummer",
        ),
        Index("ix_sammendrag_rhf", "rhf"),
    )


class OffentligUtgivelse(Base):
    """One year's public release: its grouped counts as they were when it was first shown (`utgivelse.py`)."""

    __tablename__ = "offentlig_utgivelse"

    ar: Mapped[str] = mapped_column(String(4), primary_key=True)
    tellinger: Mapped[dict[str, Any]] = mapped_column(JSON)
    fastsatt_at: Mapped[datetime] = mapped_column(UtcDateTime)


async def get_sammendrag(
    session: AsyncSession, lopenummer: str, *, for_update: bool = False
) -> Sammendrag | None:
    return await session.get(Sammendrag, lopenummer, with_for_update=for_update)


def _prefix(column: Any, prefix: str) -> ColumnElement[bool]:
    """`column` starts with `prefix`, as a range a plain b-tree index serves on SQLite and PostgreSQL."""
    return and_(column >= prefix, column < prefix_end(prefix))


def _filtered(query: SelectT, f: Sokefilter) -> SelectT:
    for column, value in (
        (Sammendrag.hf, f.hf),
        (Sammendrag.rhf, f.rhf),
        (Sammendrag.kategori, f.kategori),
        (Sammendrag.type, f.type),
        (Sammendrag.status, f.status),
        (Sammendrag.utfall, f.utfall),
        (Sammendrag.vurderingsflyt, f.vurderingsflyt),
        (Sammendrag.virkestoff_sok, f.virkestoff),
        (Sammendrag.icd10_kapittel, f.kapittel),
    ):
        if value:
            query = query.where(column == value)
    if f.atc:
        query = query.where(_prefix(Sammendrag.atc, f.atc))
    if f.icd10:
        query = query.where(_prefix(Sammendrag.icd10_kode, f.icd10))
    if f.fra:
        query = query.where(Sammendrag.sendt_maned >= f.fra)
    if f.til:
        query = query.where(Sammendrag.sendt_maned <= f.til)
    if f.legemiddel:
        text = f.legemiddel
        query = query.where(
            or_(
                Sammendrag.atc.istartswith(text, autoescape=True),
                Sammendrag.virkestoff.icontains(text, autoescape=True),
                Sammendrag.legemiddel_navn.icontains(text, autoescape=True),
            )
        )
    return query


filtered = _filtered
"""The search's filter, for the count tables' module (`telling.py`)."""


TELLEGRENSE = 10_000
"""The search counts its matches up to here («more than 10 000»): an exact count of a million rows
costs more than the page it heads."""


NYESTE_FORST = (Sammendrag.sendt_maned.desc(), Sammendrag.lopenummer.desc())
"""The search's and the export's order. By løpenummer alone, a trust's code came first and PostgreSQL
walked the primary key backwards through every newer case before a past period's first match (230 ms for
one month of one region's refusals on 1,000,000 summaries)."""


async def count(session: AsyncSession, f: Sokefilter) -> int:
    """The matches, capped at TELLEGRENSE + 1."""
    # Selecting a constant lets PostgreSQL count from an index alone where one holds every filtered column.
    inner = _filtered(select(literal(1)).select_from(Sammendrag), f).limit(TELLEGRENSE + 1).subquery()
    return int(await session.scalar(select(func.count()).select_from(inner)) or 0)


async def page(session: AsyncSession, f: Sokefilter, *, offset: int, limit: int) -> list[Sammendrag]:
    """One page of the matches, newest first (month sent, then løpenummer)."""
    # The page's keys first, then its rows: where an index holds every filtered column, the matches are
    # put in order from the index and only the page's rows are read from the table, not every match.
    keys = (
        _filtered(select(Sammendrag.lopenummer), f)
        .order_by(*NYESTE_FORST)
        .offset(offset)
        .limit(limit)
        .subquery()
    )
    rows = await session.scalars(
        select(Sammendrag).where(Sammendrag.lopenummer.in_(select(keys.c.lopenummer))).order_by(*NYESTE_FORST)
    )
    return list(rows)


async def search_all(session: AsyncSession, f: Sokefilter, *, limit: int) -> list[Sammendrag]:
    """Every match up to `limit` (the CSV export)."""
    query = _filtered(select(Sammendrag), f).order_by(*NYESTE_FORST).limit(limit)
    return list(await session.scalars(query))


def _celle(niva: int, q: Kvasi) -> ColumnElement[bool]:
    """The SQL of one k-anonymity cell: the cases that show `q`'s combination at `niva`."""
    trinn = LADDER[niva]
    parts: list[ColumnElement[bool]] = [Sammendrag.hf == q.hf]
    if trinn.alder != "skjult":
        bands = (q.aldersgruppe,) if trinn.alder == "gruppe" else BRED_BAND.get(
            BRED.get(q.aldersgruppe or "", ""), (q.aldersgruppe,)
        )  # fmt: skip
        known = [b for b in bands if b is not None]
        parts.append(Sammendrag.aldersgruppe.is_(None) if not known else Sammendrag.aldersgruppe.in_(known))
    if trinn.kjonn:
        parts.append(Sammendrag.kjonn.is_(None) if q.kjonn is None else Sammendrag.kjonn == q.kjonn)
    # Chapter and category follow from the code; naming them lets the index's prefix be used.
    if trinn.icd10 != "skjult":
        parts.append(Sammendrag.icd10_kapittel == kapittel(q.icd10_kode))
    if trinn.icd10 in ("kode", "kategori"):
        parts.append(Sammendrag.icd10_kategori == kategori(q.icd10_kode))
    if trinn.icd10 == "kode":
        parts.append(Sammendrag.icd10_kode == q.icd10_kode)
    if trinn.periode == "maned":
        parts.append(Sammendrag.sendt_maned == q.maned)
    elif trinn.periode == "kvartal":
        parts.append(Sammendrag.sendt_maned.in_(kvartal_maneder(kvartal(q.maned))))
    else:
        parts.append(
            and_(Sammendrag.sendt_maned >= f"{q.maned[:4]}-01", Sammendrag.sendt_maned <= f"{q.maned[:4]}-12")
        )
    return and_(*parts)


_CELLE_KOLONNER = ("hf", "alder", "kjonn", "kapittel", "kategori", "kode", "fra", "til")


def _celle_verdier(niva: int, celler: list[Kvasi]) -> list[tuple[str | None, ...]]:
    """Each cell as VALUES rows: one per age band it covers (a wide band is up to three), and its period
    as a range of months; a column the level does not show is None and not compared (`_celle_join`)."""
    trinn = LADDER[niva]
    out: list[tuple[str | None, ...]] = []
    for q in celler:
        if trinn.alder == "skjult":
            bands: tuple[str | None, ...] = (None,)
        elif trinn.alder == "gruppe":
            bands = (q.aldersgruppe,)
        else:
            bands = BRED_BAND.get(BRED.get(q.aldersgruppe or "", ""), (q.aldersgruppe,))
        if trinn.periode == "maned":
            fra, til = q.maned, q.maned
        elif trinn.periode == "kvartal":
            months = kvartal_maneder(kvartal(q.maned))
            fra, til = months[0], months[-1]
        else:
            fra, til = f"{q.maned[:4]}-01", f"{q.maned[:4]}-12"
        icd = trinn.icd10
        for band in bands:
            out.append((
                q.hf, band, q.kjonn if trinn.kjonn else None,
                kapittel(q.icd10_kode) if icd != "skjult" else None,
                kategori(q.icd10_kode) if icd in ("kode", "kategori") else None,
                q.icd10_kode if icd == "kode" else None,
                fra, til,
            ))  # fmt: skip
    return list(dict.fromkeys(out))


def _kvasi_lateral(f: Sokefilter, niva: int, celler: list[Kvasi], kolonner: tuple[Any, ...]) -> Any:
    """PostgreSQL: the cells as a VALUES list, each probing `ix_sammendrag_kvasi` through a LATERAL
    subquery (a nested loop by construction). Up to 50 OR-ed conditions cost more to plan than to run,
    and a plain join or EXISTS against the list was planned as a merge join over the whole index
    (280 ms on 1,000,000 summaries). The cells of one level are disjoint: a case is counted once."""
    trinn = LADDER[niva]
    # The cells as one array a column, unnested: the statement is the same whatever the cells, so
    # SQLAlchemy compiles it once and asyncpg prepares it once. A VALUES list of 50 cells was 400 bind
    # parameters compiled anew for every level of every search: ~25 ms of a search's ~30 ms of CPU.
    columns = list(zip(*_celle_verdier(niva, celler), strict=True))
    v = (
        func.unnest(
            *(
                bindparam(f"celle_{name}", value=list(column), type_=ARRAY(String))
                for name, column in zip(_CELLE_KOLONNER, columns, strict=True)
            )
        )
        .table_valued(*(sql_column(name, String) for name in _CELLE_KOLONNER), name="celle")
        .render_derived()
    )
    c = v.c
    parts: list[ColumnElement[bool]] = [
        Sammendrag.type == "enkeltpasient",
        Sammendrag.hf == c.hf,
        Sammendrag.sendt_maned >= c.fra,
        Sammendrag.sendt_maned <= c.til,
    ]
    if trinn.alder != "skjult":
        parts.append(Sammendrag.aldersgruppe.is_not_distinct_from(c.alder))
    if trinn.kjonn:
        parts.append(Sammendrag.kjonn.is_not_distinct_from(c.kjonn))
    if trinn.icd10 != "skjult":
        parts.append(Sammendrag.icd10_kapittel == c.kapittel)
    if trinn.icd10 in ("kode", "kategori"):
        parts.append(Sammendrag.icd10_kategori == c.kategori)
    if trinn.icd10 == "kode":
        parts.append(Sammendrag.icd10_kode == c.kode)
    treff = _filtered(select(*kolonner).where(*parts), f).lateral("treff")
    tc = [treff.c[k.key] for k in kolonner]
    return select(*tc, func.count()).select_from(v).join(treff, true()).group_by(*tc)


async def kvasi_grupper(
    session: AsyncSession, f: Sokefilter, niva: int, celler: list[Kvasi]
) -> dict[Kvasi, int]:
    """The release's single-patient cases per combination of true values, in the given cells."""
    if not celler:
        return {}
    kolonner = (
        Sammendrag.aldersgruppe,
        Sammendrag.kjonn,
        Sammendrag.icd10_kode,
        Sammendrag.hf,
        Sammendrag.sendt_maned,
    )
    if session.get_bind().dialect.name == "postgresql":
        query = _kvasi_lateral(f, niva, celler, kolonner)
    else:
        query = _filtered(
            select(*kolonner, func.count())
            .where(Sammendrag.type == "enkeltpasient", or_(*(_celle(niva, q) for q in celler)))
            .group_by(*kolonner),
            f,
        )
    rows = await session.execute(query)
    return {Kvasi(a, k, str(c), str(hf), str(m)): int(n) for a, k, c, hf, m, n in rows.all()}


def kvasi_av(s: Sammendrag) -> Kvasi:
    return Kvasi(s.aldersgruppe, s.kjonn, s.icd10_kode, s.hf, s.sendt_maned)


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


def _count(utfall: str) -> ColumnElement[int]:
    return func.sum(case((Sammendrag.utfall == utfall, 1), else_=0))


BESLUTTET = ("vedtatt", "opphevet")
"""Statuses of a decided case (a revoked decision was still decided)."""


async def variasjon(session: AsyncSession, f: Sokefilter) -> list[VariasjonRad]:
    """Decisions per (substance, indication, trust): the same question answered differently shows here."""
    query = (
        select(
            Sammendrag.virkestoff_sok,
            Sammendrag.icd10_kode,
            func.min(Sammendrag.icd10_tekst),
            Sammendrag.hf,
            _count("innvilget"),
            _count("innvilget_med_vilkar"),
            _count("avslatt"),
        )
        .where(Sammendrag.status.in_(BESLUTTET), Sammendrag.utfall.is_not(None))
        .group_by(Sammendrag.virkestoff_sok, Sammendrag.icd10_kode, Sammendrag.hf)
        .order_by(Sammendrag.virkestoff_sok, Sammendrag.icd10_kode, Sammendrag.hf)
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
class Tider:
    """Processing time (days) of a set of decisions: count, quartiles and median."""

    antall: int
    q1: float | None
    median: float | None
    q3: float | None


def kvartiler(verdier: list[int]) -> Tider:
    """Quartiles by linear interpolation between order statistics (PostgreSQL's `percentile_cont`)."""
    data = sorted(verdier)
    if not data:
        return Tider(0, None, None, None)

    def at(p: float) -> float:
        pos = p * (len(data) - 1)
        lo = int(pos)
        hi = min(lo + 1, len(data) - 1)
        return data[lo] + (data[hi] - data[lo]) * (pos - lo)

    return Tider(len(data), at(0.25), at(0.5), at(0.75))


INGEN_TIDER = Tider(0, None, None, None)


async def tider_per(
    session: AsyncSession, gruppe: Any, query_where: list[ColumnElement[bool]]
) -> dict[str, Tider]:
    """Processing-time quartiles per value of `gruppe` for the decided cases matching `query_where`."""
    where = [*query_where, Sammendrag.behandlingstid_dager.is_not(None), Sammendrag.status.in_(BESLUTTET)]
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        tid = Sammendrag.behandlingstid_dager
        rows = await session.execute(
            select(
                gruppe,
                func.count(),
                func.percentile_cont(0.25).within_group(tid),
                func.percentile_cont(0.5).within_group(tid),
                func.percentile_cont(0.75).within_group(tid),
            )
            .where(*where)
            .group_by(gruppe)
        )
        return {str(g): Tider(int(n), float(a), float(m), float(b)) for g, n, a, m, b in rows.all()}
    values: dict[str, list[int]] = {}
    for g, t in (await session.execute(select(gruppe, Sammendrag.behandlingstid_dager).where(*where))).all():
        values.setdefault(str(g), []).append(int(t))
    return {g: kvartiler(v) for g, v in values.items()}


@dataclass(frozen=True)
class Utvalg:
    """One combination the variation page looks at: a substance and an ICD-10 code (or its start), or
    an ATC group and an ICD-10 chapter; with a period."""

    virkestoff: str = ""
    icd10: str = ""
    atc: str = ""
    kapittel: str = ""
    fra: str = ""
    til: str = ""

    def filter(self) -> Sokefilter:
        return Sokefilter(
            virkestoff=self.virkestoff, icd10=self.icd10, atc=self.atc, kapittel=self.kapittel,
            fra=self.fra, til=self.til,
        )  # fmt: skip


@dataclass(frozen=True)
class HfVedtak:
    hf: str
    innvilget: int
    innvilget_med_vilkar: int
    avslatt: int
    tider: Tider

    @property
    def vedtak(self) -> int:
        return self.innvilget + self.innvilget_med_vilkar + self.avslatt

    @property
    def innvilget_i_alt(self) -> int:
        return self.innvilget + self.innvilget_med_vilkar

    @property
    def andel_innvilget(self) -> float | None:
        return self.innvilget_i_alt / self.vedtak if self.vedtak else None


@dataclass(frozen=True)
class Vedtakstall:
    """One combination's decisions per trust, and its processing times per trust, region and in all."""

    per_hf: list[HfVedtak]
    tider_rhf: dict[str, Tider]
    tider_alle: Tider


def kvartiler_av_telling(telling: dict[int, int]) -> Tider:
    """`kvartiler` of the values a histogram (value → how many) holds, without listing them one by one."""
    n = sum(telling.values())
    if not n:
        return INGEN_TIDER
    ordered = sorted(telling.items())

    def nth(index: int) -> int:
        seen = 0
        for value, count in ordered:
            seen += count
            if index < seen:
                return value
        return ordered[-1][0]  # pragma: no cover - index < n always

    def at(p: float) -> float:
        pos = p * (n - 1)
        lo = int(pos)
        low, high = nth(lo), nth(min(lo + 1, n - 1))
        return low + (high - low) * (pos - lo)

    return Tider(n, at(0.25), at(0.5), at(0.75))


async def vedtak_per_hf(session: AsyncSession, f: Sokefilter) -> Vedtakstall:
    """Decisions and processing times per trust, region and in all for one combination (the filter names it).

    One query counts the decided cases per trust, outcome and processing day; the quartiles come from
    those counts. A combination of 70,000 decisions is a few thousand such rows, read on PostgreSQL from
    the covering index `ix_sammendrag_variasjon` alone, where sorting the decisions themselves for
    `percentile_cont` took several times longer."""
    kolonner = (Sammendrag.hf, Sammendrag.rhf, Sammendrag.utfall, Sammendrag.behandlingstid_dager)
    query = _filtered(
        select(*kolonner, func.count())
        .where(Sammendrag.status.in_(BESLUTTET), Sammendrag.utfall.is_not(None))
        .group_by(*kolonner),
        f,
    )
    counts: dict[str, list[int]] = {}
    days: dict[str, dict[int, int]] = {}
    for hf, rhf, utfall, dager, n in (await session.execute(query)).all():
        c = counts.setdefault(str(hf), [0, 0, 0])
        c[("innvilget", "innvilget_med_vilkar", "avslatt").index(utfall)] += int(n)
        if dager is not None:
            for key in (f"hf:{hf}", f"rhf:{rhf}", "alle"):
                histogram = days.setdefault(key, {})
                histogram[int(dager)] = histogram.get(int(dager), 0) + int(n)
    return vedtakstall(counts, days)


def vedtakstall(counts: dict[str, list[int]], days: dict[str, dict[int, int]]) -> Vedtakstall:
    """From decisions per trust ([granted, with conditions, refused]) and processing-day histograms (by
    `hf:<code>`, `rhf:<code>` and `alle`)."""
    return Vedtakstall(
        [
            HfVedtak(hf, c[0], c[1], c[2], kvartiler_av_telling(days.get(f"hf:{hf}", {})))
            for hf, c in counts.items()
        ],
        {key[4:]: kvartiler_av_telling(v) for key, v in days.items() if key.startswith("rhf:")},
        kvartiler_av_telling(days.get("alle", {})),
    )


def where_of(f: Sokefilter) -> list[ColumnElement[bool]]:
    clause = _filtered(select(Sammendrag.hf), f).whereclause
    return [] if clause is None else [clause]


@dataclass(frozen=True)
class Kombinasjon:
    """Decisions of one trust for one substance and indication (the flag list's raw material)."""

    virkestoff: str
    icd10_kode: str
    icd10_tekst: str
    hf: str
    innvilget: int
    avslatt: int


async def kombinasjoner(session: AsyncSession, f: Sokefilter) -> list[Kombinasjon]:
    innvilget = func.sum(case((Sammendrag.utfall.in_(("innvilget", "innvilget_med_vilkar")), 1), else_=0))
    query = _filtered(
        select(
            Sammendrag.virkestoff_sok, Sammendrag.icd10_kode, func.min(Sammendrag.icd10_tekst), Sammendrag.hf,
            innvilget, _count("avslatt"),
        )
        .where(Sammendrag.status.in_(BESLUTTET), Sammendrag.utfall.is_not(None))
        .group_by(Sammendrag.virkestoff_sok, Sammendrag.icd10_kode, Sammendrag.hf),
        f,
    )  # fmt: skip
    return [
        Kombinasjon(str(v), str(k), str(t), str(hf), int(i or 0), int(a or 0))
        for v, k, t, hf, i, a in (await session.execute(query)).all()
    ]


@dataclass(frozen=True)
class Gjentatt:
    """Single-patient applications of one trust for one substance and indication in one year."""

    virkestoff: str
    icd10_kode: str
    icd10_tekst: str
    hf: str
    ar: str
    antall: int
    innvilget: int


async def gjentatte(session: AsyncSession, f: Sokefilter, *, terskel: int) -> list[Gjentatt]:
    ar = func.substr(Sammendrag.sendt_maned, 1, 4)
    innvilget = func.sum(case((Sammendrag.utfall.in_(("innvilget", "innvilget_med_vilkar")), 1), else_=0))
    query = _filtered(
        select(
            Sammendrag.virkestoff_sok, Sammendrag.icd10_kode, func.min(Sammendrag.icd10_tekst), Sammendrag.hf,
            ar, func.count(), innvilget,
        )
        .where(Sammendrag.type == "enkeltpasient")
        .group_by(Sammendrag.virkestoff_sok, Sammendrag.icd10_kode, Sammendrag.hf, ar)
        .having(func.count() >= terskel)
        .order_by(func.count().desc()),
        f,
    )  # fmt: skip
    return [
        Gjentatt(str(v), str(k), str(t), str(hf), str(a), int(n), int(i or 0))
        for v, k, t, hf, a, n, i in (await session.execute(query)).all()
    ]


async def gruppevedtak_finnes(session: AsyncSession) -> set[tuple[str, str, str]]:
    """(substance, ICD-10 category, trust) of every standing granted group decision."""
    rows = await session.execute(
        select(Sammendrag.virkestoff_sok, Sammendrag.icd10_kategori, Sammendrag.hf)
        .where(*_GRUPPEVEDTAK)
        .distinct()
    )
    return {(str(v), str(k), str(hf)) for v, k, hf in rows.all()}


_GRUPPEVEDTAK = (
    Sammendrag.type == "gruppe",
    Sammendrag.status == "vedtatt",
    Sammendrag.utfall.in_(("innvilget", "innvilget_med_vilkar")),
)


async def gruppevedtak(
    session: AsyncSession, f: Sokefilter, *, offset: int, limit: int
) -> tuple[int, list[Sammendrag]]:
    """Every trust's standing granted group decisions, newest first."""
    total = await session.scalar(
        _filtered(select(func.count()).select_from(Sammendrag).where(*_GRUPPEVEDTAK), f)
    )
    rows = await session.scalars(
        _filtered(select(Sammendrag).where(*_GRUPPEVEDTAK), f)
        .order_by(Sammendrag.vedtak_maned.desc(), Sammendrag.lopenummer.desc())
        .offset(offset)
        .limit(limit)
    )
    return int(total or 0), list(rows)


@dataclass(frozen=True)
class Tellinger:
    """The grouped counts the statistics are built from (no case, only counts)."""

    maned_kategori: dict[tuple[str, str], int]
    maned_resultat: dict[tuple[str, str], int]
    hf_resultat: dict[tuple[str, str], int]
    tider_hf: dict[str, Tider]
    tider_rhf: dict[str, Tider]
    tider_alle: Tider
    tid_intervall: dict[str, int]
    oppfolging: dict[tuple[str, str, str], int]
    """(substance, ICD-10 code, effect or stop reason key) → count."""


RESULTAT = case(
    (Sammendrag.status == "til_vurdering", "under_behandling"),
    (Sammendrag.status == "trukket", "trukket"),
    (Sammendrag.status == "opphevet", "opphevet"),
    else_=func.coalesce(Sammendrag.utfall, "under_behandling"),
)

TID_INTERVALLER: tuple[tuple[str, int, int | None], ...] = (
    ("0–7 dager", 0, 7),
    ("8–14 dager", 8, 14),
    ("15–30 dager", 15, 30),
    ("31–60 dager", 31, 60),
    ("61–90 dager", 61, 90),
    ("Over 90 dager", 91, None),
)
UKJENT_TID = "Ukjent behandlingstid"
"""The interval of a decision whose processing time is not known: the intervals then add up to every
decision, the same total the outcome tables give (the public page's suppression needs them to agree)."""
AVGJORT = ("innvilget", "innvilget_med_vilkar", "avslatt", "opphevet")
"""The outcomes (`RESULTAT`) of a decided case: what the processing-time intervals count."""


async def tellinger(session: AsyncSession, f: Sokefilter) -> Tellinger:
    async def grouped(
        *kolonner: Any, where: tuple[ColumnElement[bool], ...] = ()
    ) -> dict[tuple[str, ...], int]:
        query = _filtered(select(*kolonner, func.count()).where(*where).group_by(*kolonner), f)
        return {tuple(str(v) for v in row[:-1]): int(row[-1]) for row in (await session.execute(query)).all()}

    intervall = case(
        (Sammendrag.behandlingstid_dager.is_(None), UKJENT_TID),
        *(
            (Sammendrag.behandlingstid_dager <= hi, label)
            for label, _, hi in TID_INTERVALLER
            if hi is not None
        ),
        else_=TID_INTERVALLER[-1][0],
    )
    oppfolging_nokkel = case(
        (Sammendrag.fortsetter.is_(False), func.coalesce(Sammendrag.avslutningsarsak, "annet")),
        else_=Sammendrag.effekt,
    )
    avgjort = (RESULTAT.in_(AVGJORT),)
    where = where_of(f)
    tider_hf = await tider_per(session, Sammendrag.hf, where)
    tider_alle = await tider_per(session, literal("alle"), where)
    return Tellinger(
        maned_kategori=await grouped(Sammendrag.sendt_maned, Sammendrag.kategori),  # type: ignore[arg-type]
        maned_resultat=await grouped(Sammendrag.sendt_maned, RESULTAT),  # type: ignore[arg-type]
        hf_resultat=await grouped(Sammendrag.hf, RESULTAT),  # type: ignore[arg-type]
        tider_hf=tider_hf,
        tider_rhf=await tider_per(session, Sammendrag.rhf, where),
        tider_alle=tider_alle.get("alle", INGEN_TIDER),
        tid_intervall={k[0]: n for k, n in (await grouped(intervall, where=avgjort)).items()},
        oppfolging=await grouped(  # type: ignore[arg-type]
            Sammendrag.virkestoff_sok,
            Sammendrag.icd10_kode,
            oppfolging_nokkel,
            where=(Sammendrag.effekt.is_not(None),),
        ),
    )


INGEN_TELLINGER = Tellinger({}, {}, {}, {}, {}, Tider(0, None, None, None), {}, {})


async def offentlig_utgivelse(session: AsyncSession, ar: str) -> OffentligUtgivelse | None:
    return await session.get(OffentligUtgivelse, ar, populate_existing=True)


async def lagre_offentlig_utgivelse(
    session: AsyncSession, ar: str, tellinger: dict[str, Any], fastsatt_at: datetime
) -> None:
    """Store a year's release unless one is stored already (the first one stays)."""
    table: Any = OffentligUtgivelse.__table__
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(table)
        .values(ar=ar, tellinger=tellinger, fastsatt_at=fastsatt_at)
        .on_conflict_do_nothing(index_elements=["ar"])
    )


async def utgitte_ar(session: AsyncSession) -> list[str]:
    return list(await session.scalars(select(OffentligUtgivelse.ar)))


_AR_MED_DATA = text(
    """
    WITH RECURSIVE ar(m) AS (
        SELECT min(sendt_maned) FROM sammendrag
        UNION ALL
        SELECT (
            SELECT min(s.sendt_maned) FROM sammendrag s
            WHERE s.sendt_maned >= CAST(CAST(substr(ar.m, 1, 4) AS INTEGER) + 1 AS TEXT) || '-01'
        )
        FROM ar WHERE ar.m IS NOT NULL
    )
    SELECT substr(m, 1, 4) FROM ar WHERE m IS NOT NULL ORDER BY 1 DESC
    """
)
"""The years cases were sent in, one index look-up a year (the first month of the next year with cases),
where a DISTINCT over the column read every case: 100 ms on 1,000,000 summaries, for each anonymous
visit of the public page."""


async def ar_med_data(session: AsyncSession) -> list[str]:
    """The years cases were sent in, newest first (the public page's choice of release)."""
    return [str(a) for a in await session.scalars(_AR_MED_DATA)]


@dataclass(frozen=True)
class PresedensTelling:
    hf: str
    innvilget: int
    innvilget_med_vilkar: int
    avslatt: int


def _presedens_where(sok: Presedenssok) -> tuple[ColumnElement[bool], ...]:
    drug: list[ColumnElement[bool]] = []
    if sok.virkestoff:
        drug.append(Sammendrag.virkestoff_sok == sok.virkestoff)
    if sok.atc:
        drug.append(Sammendrag.atc == sok.atc)
    # The whole 3-character category: a decision for G36.0 is precedent for G36.1 too.
    code = Sammendrag.icd10_kategori == sok.kategori
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
