"""Use cases of the integrasjon service: keep the projection of each case and send its national summary."""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from integrasjon import domain, store
from integrasjon.mapper import til_sammendrag
from integrasjon.store import SakProjeksjon
from shared.domain.kalender import oslo_date, oslo_month
from shared.events.common import NasjonalStatus
from shared.events.contracts import OppfolgingRegistrert, SoknadForankret, SoknadTrukket, VedtakFattet
from shared.events.envelope import Envelope
from shared.platform.auth.principal import Principal
from shared.platform.db.uow import NATIONAL, UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import DomainError, NotYetReceived

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class NationalTarget:
    """Where and as whom national summaries are published."""

    exchange: str
    user_template: str
    hf: frozenset[str]

    def user_for(self, hf: str) -> str:
        return self.user_template.format(hf=hf.lower())


def build_projeksjon(event: SoknadForankret) -> SakProjeksjon:
    """The privacy-minimised projection of an anchored application: personal data is coarsened here
    (birth date to an age band, cost to a band, dates to months) and the rest is dropped."""
    sendt_dato = oslo_date(event.sendt_at)
    pasient = event.pasient if event.type == "enkeltpasient" else None
    return SakProjeksjon(
        lopenummer=event.lopenummer,
        soknad_id=event.soknad_id,
        hf=event.hf,
        type=event.type,
        kategori=event.kategori,
        # In their normal form and lengths already: soknad's snapshot made them so (shared.domain.saksdata).
        legemiddel_navn=event.legemiddel.navn,
        virkestoff=event.legemiddel.virkestoff,
        atc=event.legemiddel.atc,
        icd10_kode=event.indikasjon.kode,
        icd10_tekst=event.indikasjon.tekst,
        sendt_maned=oslo_month(event.sendt_at),
        sendt_dato=sendt_dato,
        aldersgruppe=domain.aldersgruppe(
            pasient.fodselsdato if pasient else None, on=oslo_date(event.forankret_at)
        ),
        kjonn=pasient.kjonn if pasient else None,
        gruppe_storrelse=event.gruppe_storrelse if event.type == "gruppe" else None,
        kostnadsband=domain.kostnadsband(event.estimert_kostnad_nok),
        status=NasjonalStatus.TIL_VURDERING,
        utfall=None,
        vurderingsflyt=None,
        med_vilkar=False,
        vedtak_maned=None,
        behandlingstid_dager=None,
        oppfolging_effekt=None,
        sekvens=0,
    )


def apply_vedtak(p: SakProjeksjon, event: VedtakFattet) -> None:
    p.status = NasjonalStatus.VEDTATT
    p.utfall = event.utfall
    p.vurderingsflyt = event.vurderingsflyt
    p.med_vilkar = event.utfall == "innvilget_med_vilkar" or bool(event.vilkar)
    p.vedtak_maned = oslo_month(event.fattet_at)
    p.behandlingstid_dager = domain.behandlingstid_dager(p.sendt_dato, event.fattet_at)


class SummaryHandlers:
    """The consumed events; each one that changes what the nation sees publishes a new summary."""

    def __init__(self, target: NationalTarget):
        self.target = target

    def _publish(self, uow: UnitOfWork, p: SakProjeksjon) -> None:
        p.sekvens += 1
        p.endret_at = uow.now
        uow.publish(
            til_sammendrag(p),
            hf=p.hf,
            subject=p.lopenummer,
            destination=NATIONAL,
            exchange=self.target.exchange,
            user_id=self.target.user_for(p.hf),
        )

    def _check_hf(self, hf: str) -> None:
        # The national broker refuses a user-id that is not ours; such a row would block the outbox.
        if hf not in self.target.hf:
            raise DomainError(f"Saken tilhører {hf}, som denne installasjonen ikke betjener.")

    async def _load(self, uow: UnitOfWork, lopenummer: str) -> SakProjeksjon:
        p = await store.get_projeksjon(uow.session, lopenummer)
        if p is None:
            raise NotYetReceived(f"no projection yet for {lopenummer}")
        return p

    async def on_soknad_forankret(self, uow: UnitOfWork, event: SoknadForankret, envelope: Envelope) -> None:
        self._check_hf(event.hf)
        fresh = build_projeksjon(event)
        p = await store.get_projeksjon(uow.session, event.lopenummer)
        if p is None:
            p = fresh
            p.endret_at = uow.now
            uow.session.add(p)
        elif p.status == NasjonalStatus.TIL_VURDERING:
            # Anchored again (e.g. corrected and re-sent): the new snapshot wins, the sequence goes on.
            for column in SakProjeksjon.__table__.columns:
                if column.key not in ("lopenummer", "sekvens", "status", "oppfolging_effekt", "endret_at"):
                    setattr(p, column.key, getattr(fresh, column.key))
        else:
            log.info("anchoring_after_final_status_ignored", status=p.status, hf=p.hf)
            return
        self._publish(uow, p)

    async def on_vedtak_fattet(self, uow: UnitOfWork, event: VedtakFattet, envelope: Envelope) -> None:
        p = await self._load(uow, event.lopenummer)
        self._check_hf(p.hf)
        if p.status == NasjonalStatus.TRUKKET:
            # As in `soknad`: a withdrawal before the decision stands.
            log.info("decision_after_withdrawal_ignored", hf=p.hf)
            return
        apply_vedtak(p, event)
        self._publish(uow, p)

    async def on_soknad_trukket(self, uow: UnitOfWork, event: SoknadTrukket, envelope: Envelope) -> None:
        p = await self._load(uow, event.lopenummer)
        self._check_hf(p.hf)
        if p.status != NasjonalStatus.TIL_VURDERING:
            log.info("withdrawal_after_final_status_ignored", status=p.status, hf=p.hf)
            return
        p.status = NasjonalStatus.TRUKKET
        self._publish(uow, p)

    async def on_oppfolging_registrert(
        self, uow: UnitOfWork, event: OppfolgingRegistrert, envelope: Envelope
    ) -> None:
        # Kept for the summary's coming evaluation field; `SakSammendrag` v1 cannot carry it yet, so no
        # summary is sent (it would be identical to the last one).
        p = await self._load(uow, event.lopenummer)
        p.oppfolging_effekt = event.effekt
        p.endret_at = uow.now


@dataclass(frozen=True)
class Utsendelse:
    """What has left the trust for the national overview: counts only, nothing that identifies a case."""

    saker: dict[str, int]
    """Projected cases per national status."""
    sendt: int
    venter: int


@use_case
async def utsendelse(uow: UnitOfWork, p: Principal) -> Utsendelse:
    # Counts only: nothing here identifies a case, so any signed-in user of the trust may see them.
    sendt, venter = await store.count_national_summaries(uow.session, hf=p.hf)
    return Utsendelse(saker=await store.count_projeksjoner(uow.session, hf=p.hf), sendt=sendt, venter=venter)
