"""The leader's anchoring: anchor, return."""

from __future__ import annotations

from shared.auth.principal import Principal, Role
from shared.db.uow import UnitOfWork
from soknad import store
from soknad.domain import Status, transition
from soknad.handlers.common import history, load, require_leder
from soknad.handlers.snapshot import forankret_event
from soknad.store import Soknad


async def forankre(
    uow: UnitOfWork, p: Principal, soknad_id: str, *, begrunnelse: str, kostnadssted: str
) -> Soknad:
    soknad = await load(uow, soknad_id)
    require_leder(p, soknad)
    soknad.status = transition(soknad.status, "forankre")
    now = uow.now
    soknad.forankret_at = now
    soknad.forankring = {
        "leder_id": p.user_id,
        "leder_navn": p.name,
        "begrunnelse": begrunnelse,
        "kostnadssted": kostnadssted,
        "at": now.isoformat(),
    }
    soknad.endret_at = now
    history(uow, soknad, p, "forankret", begrunnelse)
    uow.audit(
        p, action="skriv", what="soknad.forankre", case_ref=soknad.lopenummer, purpose="Forankre søknad"
    )
    uow.publish(forankret_event(soknad), hf=soknad.hf, subject=soknad.lopenummer)
    await uow.session.flush()
    return soknad


async def returnere(uow: UnitOfWork, p: Principal, soknad_id: str, *, kommentar: str) -> Soknad:
    soknad = await load(uow, soknad_id)
    require_leder(p, soknad)
    soknad.status = transition(soknad.status, "returnere")
    soknad.retur_kommentar = kommentar
    soknad.endret_at = uow.now
    history(uow, soknad, p, "returnert", kommentar)
    uow.audit(
        p, action="skriv", what="soknad.returnere", case_ref=soknad.lopenummer, purpose="Forankre søknad"
    )
    await uow.session.flush()
    return soknad


async def list_til_forankring(uow: UnitOfWork, p: Principal) -> list[Soknad]:
    p.require(Role.LEDER)
    if not p.enhet:
        return []
    return await store.list_for_enhet(uow.session, hf=p.hf, enhet=p.enhet, status=Status.TIL_FORANKRING)
