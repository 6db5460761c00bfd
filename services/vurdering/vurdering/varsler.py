"""Notifications in the committee's pages: a member is told when a case is assigned to them and when the
applicant answered a question on a case they assess."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import update

from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from vurdering import store
from vurdering.store import Sak, Varsel

TILDELT = "tildelt"
SVAR_MOTTATT = "svar_mottatt"
KONSULTASJON_MOTTATT = "konsultasjon_mottatt"


def varsle(uow: UnitOfWork, sak: Sak, mottakere: Iterable[str], *, kind: str, tekst: str) -> None:
    """Add one notification per recipient in this unit of work (nobody twice)."""
    for user_id in dict.fromkeys(mottakere):
        uow.session.add(
            Varsel(
                id=str(uuid.uuid4()),
                hf=sak.hf,
                user_id=user_id,
                sak_id=sak.id,
                lopenummer=sak.lopenummer,
                kind=kind,
                tekst=tekst,
                opprettet_at=uow.now,
            )
        )


def medlemmer_av(sak: Sak) -> list[str]:
    return [m["id"] for m in sak.medlemmer or []]


@dataclass(frozen=True)
class Varselliste:
    varsler: list[Varsel]
    uleste: int


@use_case
async def mine_varsler(uow: UnitOfWork, p: Principal) -> Varselliste:
    p.require(Role.KOMITE, Role.FAGDIREKTOR)
    varsler = await store.varsler_for(uow.session, hf=p.hf, user_id=p.user_id)
    return Varselliste(varsler=varsler, uleste=sum(1 for v in varsler if v.lest_at is None))


@use_case
async def antall_uleste(uow: UnitOfWork, p: Principal) -> int:
    if not p.has(Role.KOMITE, Role.FAGDIREKTOR):
        return 0
    return await store.count_unread(uow.session, hf=p.hf, user_id=p.user_id)


@use_case
async def merk_lest(uow: UnitOfWork, p: Principal) -> None:
    p.require(Role.KOMITE, Role.FAGDIREKTOR)
    await uow.session.execute(
        update(Varsel)
        .where(Varsel.hf == p.hf, Varsel.user_id == p.user_id, Varsel.lest_at.is_(None))
        .values(lest_at=uow.now)
    )
