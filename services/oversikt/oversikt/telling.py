"""Decisions counted per combination, kept at ingest in the same transaction as the summaries.

A variation across the country for an ATC group × ICD-10 chapter covers ~150,000 decisions; counted on
every request that is hundreds of milliseconds. Instead every stored summary adds its decision to two
small tables (and a newer version of the same case first takes the older one's away):

- `vedtak_telling`: decisions per (substance, code, text, ATC, chapter, trust, region, status, outcome,
  month sent). The variation's counts per trust, the overview without a selection and the flags.
- `behandlingstid_telling`: decisions per (substance, code, ATC, chapter, trust, region, status,
  processing day). The quartiles of processing time, when no outcome or period is chosen (a period
  would multiply this table by the months; then the summaries' covering index is read instead).

A case counts where `store.BESLUTTET` holds and it has an outcome, exactly what the queries on
`sammendrag` counted. An unknown ATC code is stored as '' (a key column cannot be NULL; no prefix
matches ''). Rows whose count fell to 0 stay (0 adds nothing; deleting would race with a new +1)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import ARRAY, Index, Integer, String, bindparam, case, event, func, select
from sqlalchemy import column as sql_column
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, mapped_column

from oversikt import store
from oversikt.domain import Sokefilter, prefix_end
from oversikt.store import BESLUTTET, Base, Kombinasjon, Sammendrag, SelectT, VariasjonRad, Vedtakstall
from shared.platform.db.driver_sql import DriverStatement

UTFALL = ("innvilget", "innvilget_med_vilkar", "avslatt")


class VedtakTelling(Base):
    __tablename__ = "vedtak_telling"

    virkestoff_sok: Mapped[str] = mapped_column(String(200), primary_key=True)
    icd10_kode: Mapped[str] = mapped_column(String(20), primary_key=True)
    icd10_tekst: Mapped[str] = mapped_column(String(300), primary_key=True)
    atc: Mapped[str] = mapped_column(String(20), primary_key=True)
    icd10_kapittel: Mapped[str] = mapped_column(String(5), primary_key=True)
    hf: Mapped[str] = mapped_column(String(20), primary_key=True)
    rhf: Mapped[str] = mapped_column(String(20), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    utfall: Mapped[str] = mapped_column(String(30), primary_key=True)
    sendt_maned: Mapped[str] = mapped_column(String(7), primary_key=True)
    antall: Mapped[int] = mapped_column(Integer)

    # An ATC group × chapter selection starts from the chapter (the primary key starts from the substance).
    __table_args__ = (Index("ix_vedtak_telling_kapittel_atc", "icd10_kapittel", "atc"),)


class TidTelling(Base):
    __tablename__ = "behandlingstid_telling"

    virkestoff_sok: Mapped[str] = mapped_column(String(200), primary_key=True)
    icd10_kode: Mapped[str] = mapped_column(String(20), primary_key=True)
    atc: Mapped[str] = mapped_column(String(20), primary_key=True)
    icd10_kapittel: Mapped[str] = mapped_column(String(5), primary_key=True)
    hf: Mapped[str] = mapped_column(String(20), primary_key=True)
    rhf: Mapped[str] = mapped_column(String(20), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    behandlingstid_dager: Mapped[int] = mapped_column(Integer, primary_key=True)
    antall: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_behandlingstid_telling_kapittel_atc", "icd10_kapittel", "atc"),)


KILDE = (
    "virkestoff_sok",
    "icd10_kode",
    "icd10_tekst",
    "atc",
    "icd10_kapittel",
    "hf",
    "rhf",
    "status",
    "utfall",
    "sendt_maned",
    "behandlingstid_dager",
)
"""The summary's columns the two tables are counted from (what ingest reads of the version it replaces)."""

VEDTAK_NOKKEL = KILDE[:-1]
TID_NOKKEL = (*KILDE[:2], *KILDE[3:8], "behandlingstid_dager")

Nokkel = tuple[str, tuple[Any, ...]]
"""(table name, primary key values)."""


_VEDTAK = itemgetter(*VEDTAK_NOKKEL)
_TID = itemgetter(*TID_NOKKEL)
_V_STATUS, _V_ATC = VEDTAK_NOKKEL.index("status"), VEDTAK_NOKKEL.index("atc")
_T_STATUS, _T_ATC = TID_NOKKEL.index("status"), TID_NOKKEL.index("atc")


def bidrag(rad: Mapping[str, Any]) -> list[Nokkel]:
    """The counts one summary's row adds to (none unless it is a decision with an outcome)."""
    status = str(rad["status"])
    if status not in BESLUTTET or rad["utfall"] is None:
        return []
    atc = rad["atc"] or ""
    # Picked by position rather than through a copy of the row: this runs twice for every summary stored.
    vedtak = list(_VEDTAK(rad))
    vedtak[_V_STATUS], vedtak[_V_ATC] = status, atc
    out: list[Nokkel] = [("vedtak_telling", tuple(vedtak))]
    if rad["behandlingstid_dager"] is not None:
        tid = list(_TID(rad))
        tid[_T_STATUS], tid[_T_ATC] = status, atc
        out.append(("behandlingstid_telling", tuple(tid)))
    return out


_DELTA = "oversikt_telling_delta"


def flytt(delta: Counter[Nokkel], gammel: Mapping[str, Any] | None, ny: Mapping[str, Any]) -> None:
    """Move a case's decision in `delta` from its row `gammel` (None: new) to `ny`."""
    for key in bidrag(gammel) if gammel is not None else []:
        delta[key] -= 1
    for key in bidrag(ny):
        delta[key] += 1


def endre(session: AsyncSession, gammel: Mapping[str, Any] | None, ny: Mapping[str, Any]) -> None:
    """Record that a case's row went from `gammel` (None: new) to `ny`; applied when the transaction commits.

    Collected per transaction and written at its commit in key order, once per key: the inbox runs up to
    100 summaries in one transaction and two transactions at once, and counters written in delivery order
    would lock the same hot rows in different orders (deadlocks) and be written many times each."""
    sync = session.sync_session
    delta: Counter[Nokkel] | None = sync.info.get(_DELTA)
    if delta is None:
        delta = sync.info[_DELTA] = Counter()
        if not event.contains(sync, "before_commit", _skriv):
            event.listen(sync, "before_commit", _skriv)
            event.listen(sync, "after_rollback", _glem)
    flytt(delta, gammel, ny)


def ta_ut(session: AsyncSession) -> Counter[Nokkel]:
    """What `endre` has collected in this transaction and not written yet, taken out: its writer writes it."""
    taken: Counter[Nokkel] = session.sync_session.info.pop(_DELTA, Counter())
    return taken


def _glem(sync: Session) -> None:
    sync.info.pop(_DELTA, None)


Tabell = type[VedtakTelling] | type[TidTelling]


def _rader(delta: Counter[Nokkel]) -> Iterator[tuple[Tabell, list[tuple[Any, ...]]]]:
    """Each table's changed keys with their change (key columns, then `antall`), in key order."""
    for tabell in (VedtakTelling, TidTelling):
        rader = [
            (*key, n) for (name, key), n in sorted(delta.items()) if name == tabell.__tablename__ and n != 0
        ]
        if rader:
            yield tabell, rader


def _som_tabeller(tabell: Tabell, rader: list[tuple[Any, ...]]) -> dict[str, list[Any]]:
    """`upsert_unnest`'s parameters: one array a column."""
    names = [c.name for c in tabell.__table__.c]
    return {f"ny_{n}": list(kolonne) for n, kolonne in zip(names, zip(*rader, strict=True), strict=True)}


def _skriv(sync: Session) -> None:
    # Runs inside AsyncSession.commit's greenlet, where the synchronous session may execute.
    delta: Counter[Nokkel] = sync.info.pop(_DELTA, Counter())
    for tabell, rader in _rader(delta):
        if sync.get_bind().dialect.name == "postgresql":
            # One statement a table for the whole group (a row a key was ~40 statements a group, a third
            # of what ingest cost PostgreSQL), the keys still taken in sorted order.
            sync.execute(upsert_unnest(tabell), _som_tabeller(tabell, rader))
        else:
            names = [c.name for c in tabell.__table__.c]
            sync.execute(upsert("sqlite", tabell), [dict(zip(names, rad, strict=True)) for rad in rader])


async def skriv(driver: Any, delta: Counter[Nokkel]) -> None:
    """`delta` written on PostgreSQL through the asyncpg connection of the transaction (`driver_sql.py`),
    one statement a table, keys in sorted order."""
    for tabell, rader in _rader(delta):
        await _upsert_driver(tabell).execute(driver, _som_tabeller(tabell, rader))


@cache
def upsert(dialect: str, tabell: Tabell) -> Any:
    table: Any = tabell.__table__
    insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    return insert.on_conflict_do_update(
        index_elements=list(table.primary_key.columns),
        set_={"antall": table.c.antall + insert.excluded.antall},
    )


@cache
def _upsert_driver(tabell: Tabell) -> DriverStatement:
    return DriverStatement.of(upsert_unnest(tabell))


@cache
def upsert_unnest(tabell: Tabell) -> Any:
    """`upsert` on PostgreSQL for many keys at once: one array a column, unnested in the given order."""
    table: Any = tabell.__table__
    names = [c.name for c in table.c]
    source = (
        func.unnest(*(bindparam(f"ny_{n}", type_=ARRAY(table.c[n].type)) for n in names))
        .table_valued(*(sql_column(n, table.c[n].type) for n in names), name="ny", with_ordinality="rekke")
        .render_derived()
    )
    insert = pg_insert(table).from_select(
        names, select(*(source.c[n] for n in names)).order_by(source.c.rekke)
    )
    return insert.on_conflict_do_update(
        index_elements=list(table.primary_key.columns),
        set_={"antall": table.c.antall + insert.excluded.antall},
    )


GAMMEL_RAD: Any = (
    select(Sammendrag.sekvens, *(getattr(Sammendrag, k) for k in KILDE))
    .where(Sammendrag.lopenummer == bindparam("lopenummer"))
    .with_for_update()
)
"""The replaced version's sequence and counted columns, locked: ingest of the same case elsewhere waits.
Built once (executed with the løpenummer as parameter)."""


def fra_sammendrag_sql() -> Iterable[str]:
    """The tables counted afresh from `sammendrag` (a migration's backfill, the benchmark's load)."""
    decided = f"status IN ({', '.join(repr(s) for s in BESLUTTET)}) AND utfall IS NOT NULL"
    v = ", ".join(VEDTAK_NOKKEL).replace("atc", "COALESCE(atc, '')", 1)
    t = ", ".join(TID_NOKKEL).replace("atc", "COALESCE(atc, '')", 1)
    yield (
        f"INSERT INTO vedtak_telling ({', '.join(VEDTAK_NOKKEL)}, antall) "
        f"SELECT {v}, count(*) FROM sammendrag WHERE {decided} GROUP BY {v}"
    )
    yield (
        f"INSERT INTO behandlingstid_telling ({', '.join(TID_NOKKEL)}, antall) "
        f"SELECT {t}, count(*) FROM sammendrag WHERE {decided} AND behandlingstid_dager IS NOT NULL "
        f"GROUP BY {t}"
    )


# Reading: the queries the variation and flag pages ask, answered from the counts where the filter only
# names columns the counts are kept by; otherwise from the summaries as before (`store`), same answer.


def dekket(f: Sokefilter) -> bool:
    """Whether the counts can answer for this filter (category, type, flow and free text are not kept)."""
    return not (f.kategori or f.type or f.vurderingsflyt or f.legemiddel)


def _filtrert(query: SelectT, tabell: type[VedtakTelling] | type[TidTelling], f: Sokefilter) -> SelectT:
    """`store._filtered` on a count table. A trust's løpenumre all start with its code, so the search's
    løpenummer range for `hf` adds nothing here."""
    t = tabell.__table__.c
    for column, value in (
        (t.hf, f.hf),
        (t.rhf, f.rhf),
        (t.status, f.status),
        (t.virkestoff_sok, f.virkestoff),
        (t.icd10_kapittel, f.kapittel),
    ):
        if value:
            query = query.where(column == value)
    if f.utfall:
        query = query.where(t.utfall == f.utfall)
    if f.atc:
        query = query.where(t.atc >= f.atc, t.atc < prefix_end(f.atc))
    if f.icd10:
        query = query.where(t.icd10_kode >= f.icd10, t.icd10_kode < prefix_end(f.icd10))
    if f.fra:
        query = query.where(t.sendt_maned >= f.fra)
    if f.til:
        query = query.where(t.sendt_maned <= f.til)
    return query


def _sum(utfall: Iterable[str]) -> Any:
    return func.sum(case((VedtakTelling.utfall.in_(tuple(utfall)), VedtakTelling.antall), else_=0))


async def vedtak_per_hf(session: AsyncSession, f: Sokefilter) -> Vedtakstall:
    """`store.vedtak_per_hf` from the counts: a combination is a few hundred to a few thousand rows."""
    if not dekket(f):
        return await store.vedtak_per_hf(session, f)
    v = VedtakTelling
    query = _filtrert(select(v.hf, v.rhf, v.utfall, func.sum(v.antall)).group_by(v.hf, v.rhf, v.utfall), v, f)
    counts: dict[str, list[int]] = {}
    for hf, _, utfall, n in (await session.execute(query)).all():
        if int(n):
            counts.setdefault(str(hf), [0, 0, 0])[UTFALL.index(utfall)] += int(n)
    days: dict[str, dict[int, int]] = {}
    if f.utfall or f.fra or f.til:
        # Processing days are not kept per outcome or month: from the summaries' covering index.
        rows = await session.execute(
            store.filtered(
                select(Sammendrag.hf, Sammendrag.rhf, Sammendrag.behandlingstid_dager, func.count())
                .where(
                    Sammendrag.status.in_(BESLUTTET),
                    Sammendrag.utfall.is_not(None),
                    Sammendrag.behandlingstid_dager.is_not(None),
                )
                .group_by(Sammendrag.hf, Sammendrag.rhf, Sammendrag.behandlingstid_dager),
                f,
            )
        )
    else:
        t = TidTelling
        rows = await session.execute(
            _filtrert(
                select(t.hf, t.rhf, t.behandlingstid_dager, func.sum(t.antall)).group_by(
                    t.hf, t.rhf, t.behandlingstid_dager
                ),
                t,
                f,
            )
        )
    for hf, rhf, dager, n in rows.all():
        if n:
            for key in (f"hf:{hf}", f"rhf:{rhf}", "alle"):
                histogram = days.setdefault(key, {})
                histogram[int(dager or 0)] = histogram.get(int(dager or 0), 0) + int(n)
    return store.vedtakstall(counts, days)


async def variasjon(session: AsyncSession, f: Sokefilter) -> list[VariasjonRad]:
    """`store.variasjon` (the overview without a selection) from the counts."""
    if not dekket(f):
        return await store.variasjon(session, f)
    v = VedtakTelling
    query = _filtrert(
        select(
            v.virkestoff_sok, v.icd10_kode, func.min(v.icd10_tekst), v.hf,
            _sum(["innvilget"]), _sum(["innvilget_med_vilkar"]), _sum(["avslatt"]),
        )
        .where(v.antall > 0)
        .group_by(v.virkestoff_sok, v.icd10_kode, v.hf)
        .order_by(v.virkestoff_sok, v.icd10_kode, v.hf),
        v,
        f,
    )  # fmt: skip
    return [
        VariasjonRad(
            virkestoff=str(s), icd10_kode=str(k), icd10_tekst=str(t), hf=str(hf),
            innvilget=int(i or 0), innvilget_med_vilkar=int(iv or 0), avslatt=int(a or 0),
        )
        for s, k, t, hf, i, iv, a in (await session.execute(query)).all()
    ]  # fmt: skip


async def kombinasjoner(session: AsyncSession, f: Sokefilter) -> list[Kombinasjon]:
    """`store.kombinasjoner` (the flags' raw material) from the counts."""
    if not dekket(f):
        return await store.kombinasjoner(session, f)
    v = VedtakTelling
    query = _filtrert(
        select(
            v.virkestoff_sok, v.icd10_kode, func.min(v.icd10_tekst), v.hf,
            _sum(["innvilget", "innvilget_med_vilkar"]), _sum(["avslatt"]),
        )
        .where(v.antall > 0)
        .group_by(v.virkestoff_sok, v.icd10_kode, v.hf),
        v,
        f,
    )  # fmt: skip
    return [
        Kombinasjon(str(s), str(k), str(t), str(hf), int(i or 0), int(a or 0))
        for s, k, t, hf, i, a in (await session.execute(query)).all()
    ]
