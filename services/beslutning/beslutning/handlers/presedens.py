"""The precedent panel of the director's case page: this trust's earlier decisions for the same active
substance and ICD-10 category, with their reasons, and whether a standing group decision covers the case
(`shared.domain.presedens`: the same query and rule as the committee's and the søker's panels)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import ValidationError

from beslutning import store
from beslutning.store import Sak
from shared.domain.kalender import oslo_date
from shared.domain.presedens import Presedenssok, gruppevedtak_dekker
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
    icd10_kode: str


@dataclass(frozen=True)
class LokalPresedens:
    tidligere: list[Presedens]
    gruppevedtak: list[Presedens]
    """Standing granted group decisions for this code or its category: they may already cover the case."""


@use_case
async def lokal(uow: UnitOfWork, p: Principal, sak: Sak) -> LokalPresedens:
    p.require(Role.FAGDIREKTOR)
    try:
        sok = Presedenssok(virkestoff=sak.virkestoff, icd10=sak.icd10)
    except ValidationError:
        return LokalPresedens(tidligere=[], gruppevedtak=[])  # no substance or code to look up by
    rows = await store.tidligere_vedtak(
        uow.session, hf=p.hf, virkestoff=sok.virkestoff, icd10_kategori=sok.kategori, unntatt=sak.id, limit=15
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
            icd10_kode=s.icd10,
        )
        for s, v in rows
        if v.art != "opphevelse"
    ]
    today = oslo_date(uow.now)
    # Only standing decisions are read (a revoked one is no longer `gjeldende`).
    gruppe = [
        t
        for t in tidligere
        if gruppevedtak_dekker(
            sok,
            type=t.type,
            utfall=t.utfall,
            icd10_kode=t.icd10_kode,
            opphevet=False,
            gyldig_til=t.gyldig_til,
            idag=today,
        )
    ]
    return LokalPresedens(tidligere=tidligere, gruppevedtak=gruppe)
