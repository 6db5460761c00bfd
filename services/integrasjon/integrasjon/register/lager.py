"""Queries of the stored registries: generations written beside the served one, then switched to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, delete, exists, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from integrasjon.store import Diagnosekode, FestLegemiddel, FestPakning, RegisterAktiv, RegisterImport

FEST = "fest"
ICD10 = "icd10"
TABLES: dict[str, tuple[type[Any], ...]] = {FEST: (FestLegemiddel, FestPakning), ICD10: (Diagnosekode,)}
SYSTEM: dict[str, str] = {ICD10: "icd10"}
"""The code system a registry owns in a table it shares with others (ICD-11 will sit in `diagnosekode`
beside ICD-10): every query of the registry is limited to its own system's rows."""
BATCH = 2000
AVBRUTT = "Importen ble avbrutt (tjenesten stoppet underveis)."


async def aktiv_generasjon(session: AsyncSession, register: str) -> int | None:
    return await session.scalar(select(RegisterAktiv.generasjon).where(RegisterAktiv.register == register))


async def las_aktiv(session: AsyncSession, register: str) -> int | None:
    """The served generation, its row locked (PostgreSQL) so two imports of one registry take turns:
    the second then carries the gone entries over from the first's generation, not from a deleted one."""
    return await session.scalar(
        select(RegisterAktiv.generasjon).where(RegisterAktiv.register == register).with_for_update()
    )


async def aktive_generasjoner(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(RegisterAktiv.register, RegisterAktiv.generasjon))
    return {register: generasjon for register, generasjon in rows.all()}


def _eget(model: type[Any], register: str) -> list[Any]:
    """The conditions that keep a registry's queries to its own rows of a shared table."""
    system = SYSTEM.get(register)
    return [model.system == system] if system is not None and hasattr(model, "system") else []


def _key_columns(model: type[Any]) -> list[Any]:
    table: Table = model.__table__
    return [c for c in table.primary_key.columns if c.key != "generasjon"]


async def fingeravtrykk(
    session: AsyncSession, model: type[Any], generasjon: int, register: str
) -> dict[tuple[str, ...], tuple[str, datetime | None]]:
    """Key → (fingerprint, gone since) of every entry of a generation of the registry."""
    keys = _key_columns(model)
    rows = await session.execute(
        select(*keys, model.fingeravtrykk, model.borte_siden).where(
            model.generasjon == generasjon, *_eget(model, register)
        )
    )
    return {tuple(row[: len(keys)]): (row[-2], row[-1]) for row in rows.all()}


async def skriv(session: AsyncSession, model: type[Any], rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        await session.execute(insert(model), list(rows[start : start + BATCH]))


async def bevar_borte(
    session: AsyncSession, model: type[Any], register: str, *, ny: int, forrige: int, na: datetime
) -> None:
    """Copy into the new generation every entry of the previous one the new file lacks, marked gone (an
    entry already gone keeps the date it went)."""
    table: Table = model.__table__
    newer = aliased(model)
    keys = _key_columns(model)
    same_key = and_(newer.generasjon == ny, *(getattr(newer, c.key) == c for c in keys))
    columns = [c for c in table.columns]
    values = [
        literal(ny)
        if c.key == "generasjon"
        else func.coalesce(c, literal(na, c.type))
        if c.key == "borte_siden"
        else c
        for c in columns
    ]
    await session.execute(
        insert(table).from_select(
            [c.key for c in columns],
            select(*values).where(
                table.c.generasjon == forrige, *_eget(model, register), ~exists().where(same_key)
            ),
        )
    )


async def bytt_aktiv(session: AsyncSession, register: str, generasjon: int, na: datetime) -> None:
    current = await session.get(RegisterAktiv, register, with_for_update=True)
    if current is None:
        session.add(RegisterAktiv(register=register, generasjon=generasjon, byttet_at=na))
    else:
        current.generasjon = generasjon
        current.byttet_at = na


async def slett_andre_generasjoner(session: AsyncSession, register: str, behold: int) -> None:
    for model in TABLES[register]:
        await session.execute(delete(model).where(model.generasjon != behold, *_eget(model, register)))


async def slett_generasjon(session: AsyncSession, register: str, generasjon: int) -> None:
    for model in TABLES[register]:
        await session.execute(delete(model).where(model.generasjon == generasjon, *_eget(model, register)))


async def antall_tilstede(session: AsyncSession, model: type[Any], generasjon: int, register: str) -> int:
    count = await session.scalar(
        select(func.count()).where(
            model.generasjon == generasjon, model.borte_siden.is_(None), *_eget(model, register)
        )
    )
    return int(count or 0)


async def legemidler(session: AsyncSession, generasjon: int) -> Sequence[FestLegemiddel]:
    return (
        await session.scalars(select(FestLegemiddel).where(FestLegemiddel.generasjon == generasjon))
    ).all()


async def diagnosekoder(session: AsyncSession, generasjon: int) -> Sequence[Diagnosekode]:
    return (
        await session.scalars(
            select(Diagnosekode).where(Diagnosekode.generasjon == generasjon, *_eget(Diagnosekode, ICD10))
        )
    ).all()


async def pakninger(session: AsyncSession, generasjon: int, merkevare_id: str) -> Sequence[FestPakning]:
    return (
        await session.scalars(
            select(FestPakning)
            .where(FestPakning.generasjon == generasjon, FestPakning.merkevare_id == merkevare_id)
            .order_by(FestPakning.borte_siden.is_not(None), FestPakning.varenr)
        )
    ).all()


async def siste_importer(session: AsyncSession, register: str, antall: int = 10) -> Sequence[RegisterImport]:
    return (
        await session.scalars(
            select(RegisterImport)
            .where(RegisterImport.register == register)
            .order_by(RegisterImport.id.desc())
            .limit(antall)
        )
    ).all()


async def siste_vellykkede(session: AsyncSession, register: str) -> RegisterImport | None:
    return await session.scalar(
        select(RegisterImport)
        .where(RegisterImport.register == register, RegisterImport.status.in_(("ok", "uendret")))
        .order_by(RegisterImport.id.desc())
        .limit(1)
    )


async def siste_feilede(session: AsyncSession, register: str, kilde: str) -> RegisterImport | None:
    return await session.scalar(
        select(RegisterImport)
        .where(
            RegisterImport.register == register,
            RegisterImport.kilde == kilde,
            RegisterImport.status == "feilet",
        )
        .order_by(RegisterImport.id.desc())
        .limit(1)
    )


async def avslutt_hengende(session: AsyncSession, na: datetime) -> None:
    """Imports a stopped process left `pagar` are marked failed (their staging rows are deleted by the
    next import's clean-up)."""
    await session.execute(
        update(RegisterImport)
        .where(RegisterImport.status == "pagar")
        .values(status="feilet", ferdig_at=na, feil=AVBRUTT)
    )
