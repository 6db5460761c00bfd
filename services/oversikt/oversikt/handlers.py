"""Use cases of the national overview: store incoming summaries, and search them for the national team."""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from oversikt import store
from oversikt.domain import SMALL_CELL_LIMIT, Presedenssok, Sokefilter, is_newer, suppress_small
from oversikt.store import Sammendrag, VariasjonRad
from shared.domain.presedenssvar import PresedensGruppevedtak, PresedensHf, PresedensSvar
from shared.domain.trusts import hf_navn, rhf_for
from shared.events.contracts import SakSammendrag
from shared.events.envelope import Envelope
from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import NotFound

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
    stored.icd10_kode = event.icd10_kode
    stored.icd10_tekst = event.icd10_tekst
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


@dataclass(frozen=True)
class Treff:
    totalt: int
    saker: list[Sammendrag]


@dataclass(frozen=True)
class Sokeside:
    """The national search page: one page of cases and the variation across trusts, read together."""

    treff: Treff
    variasjon: list[VariasjonRad]


async def _search(uow: UnitOfWork, f: Sokefilter, *, side: int, per_side: int) -> Treff:
    total, rows = await store.search(uow.session, f, offset=(max(side, 1) - 1) * per_side, limit=per_side)
    return Treff(totalt=total, saker=rows)


@use_case
async def search(uow: UnitOfWork, p: Principal, f: Sokefilter, *, side: int, per_side: int) -> Treff:
    _require_nasjonal(p)
    return await _search(uow, f, side=side, per_side=per_side)


@use_case
async def sokeside(uow: UnitOfWork, p: Principal, f: Sokefilter, *, side: int, per_side: int) -> Sokeside:
    _require_nasjonal(p)
    return Sokeside(
        treff=await _search(uow, f, side=side, per_side=per_side),
        variasjon=await store.variasjon(uow.session, f),
    )


@use_case
async def get(uow: UnitOfWork, p: Principal, lopenummer: str) -> Sammendrag:
    _require_nasjonal(p)
    sammendrag = await store.get_sammendrag(uow.session, lopenummer)
    if sammendrag is None:
        raise NotFound("Fant ingen sak med dette løpenummeret i den nasjonale oversikten.")
    return sammendrag


@use_case
async def variasjon(uow: UnitOfWork, p: Principal, f: Sokefilter) -> list[VariasjonRad]:
    _require_nasjonal(p)
    return await store.variasjon(uow.session, f)


@use_case
async def presedens(uow: UnitOfWork, p: Principal, sok: Presedenssok) -> PresedensSvar:
    """Earlier decisions for the same substance and indication, for an applicant in any trust.

    Open to every authenticated user, not only role `nasjonal`: applicants should see how other trusts
    decided before they write. That wider audience is why this answer is aggregated (counts per trust,
    never single cases), why single-patient counts of 1–4 are suppressed, and why no totals are given
    (a total would give a suppressed cell away by subtraction). Group decisions are published by design
    (DESIGN.md) and carry no patient."""
    del p  # authenticated by the route; any role of any served trust may read
    telling = await store.presedens_per_hf(uow.session, sok)
    gruppe = await store.presedens_gruppevedtak(uow.session, sok, limit=50)
    return PresedensSvar(
        virkestoff=sok.virkestoff,
        atc=sok.atc,
        icd10=sok.icd10,
        icd10_kategori=sok.kategori,
        prikkegrense=SMALL_CELL_LIMIT,
        per_hf=[
            PresedensHf(
                hf=t.hf,
                hf_navn=hf_navn(t.hf),
                rhf=rhf_for(t.hf),
                innvilget=suppress_small(t.innvilget),
                innvilget_med_vilkar=suppress_small(t.innvilget_med_vilkar),
                avslatt=suppress_small(t.avslatt),
            )
            for t in telling
        ],
        gruppevedtak=[
            PresedensGruppevedtak(
                lopenummer=s.lopenummer,
                hf=s.hf,
                hf_navn=hf_navn(s.hf),
                legemiddel_navn=s.legemiddel_navn,
                virkestoff=s.virkestoff,
                atc=s.atc,
                icd10_kode=s.icd10_kode,
                icd10_tekst=s.icd10_tekst,
                utfall=s.utfall or "",
                vedtak_maned=s.vedtak_maned,
                dekker_koden=sok.dekker(s.icd10_kode),
            )
            for s in gruppe
        ],
    )
