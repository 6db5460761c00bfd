"""Queries for precedent: the trust's earlier decisions for a substance and an indication.

Only case-level columns are read (løpenummer, unit, drug, code, outcome, dates): never the answers
about a patient, so these lists may be shown to any applicant of the trust."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from soknad.store.core import Soknad

INNVILGET = ("innvilget", "innvilget_med_vilkar")


@dataclass(frozen=True)
class Vedtaksrad:
    id: str
    lopenummer: str
    enhet: str
    kategori: str
    legemiddel_navn: str | None
    virkestoff: str | None
    atc: str | None
    icd10_kode: str | None
    icd10_tekst: str | None
    utfall: str
    vedtatt_at: datetime | None
    gyldig_til: date | None


def _where(*, hf: str, virkestoff: str, atc: str, icd10_kategori: str) -> tuple[ColumnElement[bool], ...]:
    drug: list[ColumnElement[bool]] = []
    if virkestoff:
        drug.append(Soknad.virkestoff == virkestoff.lower())  # stored in lower case
    if atc:
        drug.append(Soknad.atc == atc.upper())
    return (
        Soknad.hf == hf,
        Soknad.status == "vedtatt",
        or_(*drug),
        # The whole 3-character category (G36 finds G36.0 and G36.1); codes are stored with the dot.
        Soknad.icd10_kode.startswith(icd10_kategori, autoescape=True),
    )


def vedtak_dato(vedtak: dict[str, Any] | None, key: str) -> date | None:
    """A date in the stored decision (`gyldig_til`, `evalueringsdato`), written as ISO text."""
    value = (vedtak or {}).get(key)
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


async def gruppevedtak(
    session: AsyncSession, *, hf: str, virkestoff: str, atc: str, icd10_kategori: str, limit: int = 20
) -> list[Vedtaksrad]:
    """Granted group decisions of the trust, newest first."""
    rows = await session.execute(
        select(
            Soknad.id,
            Soknad.lopenummer,
            Soknad.enhet,
            Soknad.kategori,
            Soknad.legemiddel_navn,
            Soknad.virkestoff,
            Soknad.atc,
            Soknad.icd10_kode,
            Soknad.icd10_tekst,
            Soknad.utfall,
            Soknad.vedtatt_at,
            Soknad.vedtak,
        )
        .where(
            Soknad.type == "gruppe",
            Soknad.utfall.in_(INNVILGET),
            *_where(hf=hf, virkestoff=virkestoff, atc=atc, icd10_kategori=icd10_kategori),
        )
        .order_by(Soknad.vedtatt_at.desc())
        .limit(limit)
    )
    return [
        Vedtaksrad(
            id=r.id,
            lopenummer=r.lopenummer or "",
            enhet=r.enhet,
            kategori=r.kategori,
            legemiddel_navn=r.legemiddel_navn,
            virkestoff=r.virkestoff,
            atc=r.atc,
            icd10_kode=r.icd10_kode,
            icd10_tekst=r.icd10_tekst,
            utfall=r.utfall or "",
            vedtatt_at=r.vedtatt_at,
            gyldig_til=vedtak_dato(r.vedtak, "gyldig_til"),
        )
        for r in rows.all()
    ]


async def enkeltvedtak_per_utfall(
    session: AsyncSession, *, hf: str, virkestoff: str, atc: str, icd10_kategori: str
) -> dict[str, int]:
    """Single-patient decisions of the trust, counted by outcome."""
    rows = await session.execute(
        select(Soknad.utfall, func.count())
        .where(
            Soknad.type == "enkeltpasient",
            *_where(hf=hf, virkestoff=virkestoff, atc=atc, icd10_kategori=icd10_kategori),
        )
        .group_by(Soknad.utfall)
    )
    return {str(utfall): int(n) for utfall, n in rows.all() if utfall}


async def gruppevedtak_by_lopenummer(session: AsyncSession, *, hf: str, lopenummer: str) -> Soknad | None:
    """A granted group decision of the trust, or None (also for any other kind of case)."""
    return await session.scalar(
        select(Soknad).where(
            Soknad.hf == hf,
            Soknad.lopenummer == lopenummer,
            Soknad.type == "gruppe",
            Soknad.status == "vedtatt",
            Soknad.utfall.in_(INNVILGET),
        )
    )
