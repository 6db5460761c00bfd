"""Use cases of the national overview: store incoming summaries, and search them for the national team."""

from __future__ import annotations

import structlog

from oversikt import store
from oversikt.domain import Sokefilter, is_newer
from oversikt.store import Sammendrag, VariasjonRad
from shared.auth.principal import Principal, Role
from shared.db.uow import UnitOfWork
from shared.errors import NotFound
from shared.events.contracts import SakSammendrag
from shared.events.envelope import Envelope

log = structlog.get_logger(__name__)


async def on_sak_sammendrag(uow: UnitOfWork, event: SakSammendrag, envelope: Envelope) -> None:
    """Upsert by løpenummer. The publisher was checked before this runs (`consumers.py`)."""
    stored = await store.get_sammendrag(uow.session, event.lopenummer, for_update=True)
    if not is_newer(stored_sekvens=stored.sekvens if stored else None, incoming_sekvens=event.sekvens):
        log.info(
            "summary_stale_ignored",
            hf=event.hf,
            sekvens=event.sekvens,
            stored=stored.sekvens if stored else None,
        )
        return
    now = uow.now
    if stored is None:
        stored = Sammendrag(lopenummer=event.lopenummer, oppdateringer=0, forste_mottatt_at=now)
        uow.session.add(stored)
    # Field by field, like the mapper that built it: a column is only filled from a named contract field.
    stored.hf = event.hf
    stored.rhf = event.rhf
    stored.sekvens = event.sekvens
    stored.type = event.type
    stored.kategori = event.kategori
    stored.legemiddel_navn = event.legemiddel_navn
    stored.virkestoff = event.virkestoff
    stored.atc = event.atc
    stored.indikasjon_kode = event.indikasjon_kode
    stored.indikasjon_tekst = event.indikasjon_tekst
    stored.status = event.status
    stored.utfall = event.utfall
    stored.vurderingsflyt = event.vurderingsflyt
    stored.med_vilkar = event.med_vilkar
    stored.sendt_maned = event.sendt_maned
    stored.vedtak_maned = event.vedtak_maned
    stored.behandlingstid_dager = event.behandlingstid_dager
    stored.aldersgruppe = event.aldersgruppe
    stored.kjonn = event.kjonn
    stored.gruppe_storrelse = event.gruppe_storrelse
    stored.kostnadsband = event.kostnadsband
    stored.oppdateringer += 1
    stored.mottatt_at = now


def _require_nasjonal(p: Principal) -> None:
    p.require(Role.NASJONAL)


async def search(
    uow: UnitOfWork, p: Principal, f: Sokefilter, *, side: int, per_side: int
) -> tuple[int, list[Sammendrag]]:
    _require_nasjonal(p)
    return await store.search(uow.session, f, offset=(max(side, 1) - 1) * per_side, limit=per_side)


async def get(uow: UnitOfWork, p: Principal, lopenummer: str) -> Sammendrag:
    _require_nasjonal(p)
    sammendrag = await store.get_sammendrag(uow.session, lopenummer)
    if sammendrag is None:
        raise NotFound("Fant ingen sak med dette løpenummeret i den nasjonale oversikten.")
    return sammendrag


async def variasjon(uow: UnitOfWork, p: Principal, f: Sokefilter) -> list[VariasjonRad]:
    _require_nasjonal(p)
    return await store.variasjon(uow.session, f)
