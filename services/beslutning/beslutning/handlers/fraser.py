"""The trust's phrase library, kept by its admin (every change audited); read by the director."""

from __future__ import annotations

import uuid

from beslutning import store
from beslutning.fraser import FraseInput
from beslutning.store import Frase
from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import NotFound, StaleVersion


@use_case
async def list_fraser(uow: UnitOfWork, p: Principal, *, bare_aktive: bool = True) -> list[Frase]:
    p.require(Role.ADMIN, Role.FAGDIREKTOR)
    return await store.fraser_for(uow.session, hf=p.hf, bare_aktive=bare_aktive and not p.has(Role.ADMIN))


@use_case
async def create(uow: UnitOfWork, p: Principal, *, frase: FraseInput) -> Frase:
    p.require(Role.ADMIN)
    row = Frase(
        id=str(uuid.uuid4()),
        hf=p.hf,
        felt=frase.felt,
        tittel=frase.tittel,
        tekst=frase.tekst,
        url=frase.url,
        aktiv=frase.aktiv,
        endret_at=uow.now,
        endret_av_navn=p.name,
    )
    uow.session.add(row)
    uow.audit(
        p, action="skriv", what="beslutning.frase_ny", case_ref=None, purpose="Frasebibliotek", felt=["frase"]
    )
    await uow.session.flush()
    return row


async def _own(uow: UnitOfWork, p: Principal, frase_id: str) -> Frase:
    row = await uow.session.get(Frase, frase_id)
    if row is None or row.hf != p.hf:
        raise NotFound("Frasen finnes ikke.")
    return row


@use_case
async def update(
    uow: UnitOfWork, p: Principal, frase_id: str, *, frase: FraseInput, versjon: int | None = None
) -> Frase:
    p.require(Role.ADMIN)
    row = await _own(uow, p, frase_id)
    if versjon is not None and versjon != row.versjon:
        raise StaleVersion(
            "Frasen er endret av noen andre siden du åpnet den.",
            extra={"din_versjon": versjon, "lagret_versjon": row.versjon},
        )
    changed = [f for f in ("felt", "tittel", "tekst", "url", "aktiv") if getattr(row, f) != getattr(frase, f)]
    for name in changed:
        setattr(row, name, getattr(frase, name))
    row.endret_at = uow.now
    row.endret_av_navn = p.name
    uow.audit(
        p,
        action="skriv",
        what="beslutning.frase_endret",
        case_ref=None,
        purpose="Frasebibliotek",
        felt=changed,
    )
    await uow.session.flush()
    return row


@use_case
async def delete(uow: UnitOfWork, p: Principal, frase_id: str) -> None:
    p.require(Role.ADMIN)
    row = await _own(uow, p, frase_id)
    await uow.session.delete(row)
    uow.audit(p, action="skriv", what="beslutning.frase_slettet", case_ref=None, purpose="Frasebibliotek")
