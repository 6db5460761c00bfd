"""The precedent panel of the director's case page: this trust's earlier decisions for the same active
substance and ICD-10 code, with their reasons, and whether a standing group decision covers the case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from beslutning import store
from beslutning.store import Sak
from shared.domain.kalender import oslo_date
from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case


@dataclass(frozen=True)
class Presedens:
    lopenummer: str
    sak_id: str
    type: str
    enhet: str
    utfall: str
    art: str
    vurderingsflyt: str
    begrunnelse: str
    vedtatt: date
    gyldig_til: date | None


@dataclass(frozen=True)
class LokalPresedens:
    tidligere: list[Presedens]
    gruppevedtak: list[Presedens]
    """Standing granted group decisions for the same substance and code: they may already cover the case."""


@use_case
async def lokal(uow: UnitOfWork, p: Principal, sak: Sak) -> LokalPresedens:
    p.require(Role.FAGDIREKTOR)
    rows = await store.tidligere_vedtak(
        uow.session, hf=p.hf, virkestoff=sak.virkestoff, icd10=sak.icd10, unntatt=sak.id, limit=15
    )
    tidligere = [
        Presedens(
            lopenummer=s.lopenummer,
            sak_id=s.id,
            type=s.type,
            enhet=s.enhet,
            utfall=v.utfall,
            art=v.art,
            vurderingsflyt=v.vurderingsflyt,
            begrunnelse=v.begrunnelse,
            vedtatt=oslo_date(v.fattet_at),
            gyldig_til=v.gyldig_til,
        )
        for s, v in rows
        if v.art != "opphevelse"
    ]
    today = oslo_date(uow.now)
    gruppe = [
        t
        for t in tidligere
        if t.type == "gruppe" and t.utfall != "avslatt" and (t.gyldig_til is None or t.gyldig_til >= today)
    ]
    return LokalPresedens(tidligere=tidligere, gruppevedtak=gruppe)
