"""Use cases of the integrasjon service: keep the projection of each case and send its national summary."""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from integrasjon import domain, store
from integrasjon.mapper import til_sammendrag
from integrasjon.store import SakProjeksjon
from shared.domain.kalender import oslo_date, oslo_month
from shared.events.common import Indikasjon, Legemiddel, NasjonalStatus, Pasient
from shared.events.contracts import (
    OppfolgingRegistrert,
    SakEtterregistrert,
    SoknadForankret,
    SoknadTrukket,
    VedtakFattet,
    VedtakOpphevet,
)
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


def _typed_texts(legemiddel: Legemiddel, indikasjon: Indikasjon, pasient: Pasient | None) -> dict[str, str]:
    """The drug's and diagnosis' texts, without the patient's identity where they were typed by hand."""

    def clean(text: str, verifisert: bool) -> str:
        if verifisert or pasient is None:
            return text
        return domain.uten_pasient(
            text, navn=pasient.navn, fodselsnummer=pasient.fodselsnummer, fodselsdato=pasient.fodselsdato
        )

    return {
        # In their normal form and lengths already: soknad's snapshot made them so (shared.domain.saksdata).
        "legemiddel_navn": clean(legemiddel.navn, legemiddel.verifisert),
        "virkestoff": clean(legemiddel.virkestoff, legemiddel.verifisert),
        "icd10_tekst": clean(indikasjon.tekst, indikasjon.verifisert),
    }


def build_projeksjon(event: SoknadForankret) -> SakProjeksjon:
    """The privacy-minimised projection of an anchored application: personal data is coarsened here
    (birth date to an age band, cost to a band, dates to months) and the rest is dropped. Of the free
    text only a group's description is kept (published with a granted group decision); the answers
    (`svar`, `visning`) and every justification are never read."""
    sendt_dato = oslo_date(event.sendt_at)
    pasient = event.pasient if event.type == "enkeltpasient" else None
    return SakProjeksjon(
        lopenummer=event.lopenummer,
        soknad_id=event.soknad_id,
        hf=event.hf,
        type=event.type,
        kategori=event.kategori,
        atc=event.legemiddel.atc,
        icd10_kode=event.indikasjon.kode,
        **_typed_texts(event.legemiddel, event.indikasjon, pasient),
        sendt_maned=oslo_month(event.sendt_at),
        sendt_dato=sendt_dato,
        aldersgruppe=domain.aldersgruppe(
            pasient.fodselsdato if pasient else None, on=oslo_date(event.forankret_at)
        ),
        kjonn=pasient.kjonn if pasient else None,
        gruppe_storrelse=event.gruppe_storrelse if event.type == "gruppe" else None,
        gruppe_beskrivelse=event.gruppe_beskrivelse if event.type == "gruppe" else None,
        kostnadsband=domain.kostnadsband(event.estimert_kostnad_nok),
        status=NasjonalStatus.TIL_VURDERING,
        utfall=None,
        vurderingsflyt=None,
        med_vilkar=False,
        vedtak_maned=None,
        behandlingstid_dager=None,
        endret=False,
        etterregistrert=False,
        oppfolging_effekt=None,
        sekvens=0,
    )


def build_etterregistrert(event: SakEtterregistrert, *, hf: str) -> SakProjeksjon:
    """A case decided before the system existed: decided from the start, coarsened like an anchored
    one (the age band on the day it was applied for, the day that stands in for the anchoring)."""
    pasient = event.pasient if event.type == "enkeltpasient" else None
    return SakProjeksjon(
        lopenummer=event.lopenummer,
        soknad_id=event.soknad_id,
        hf=hf,
        type=event.type,
        kategori=event.kategori,
        atc=event.legemiddel.atc,
        icd10_kode=event.indikasjon.kode,
        **_typed_texts(event.legemiddel, event.indikasjon, pasient),
        sendt_maned=domain.maned(event.sendt_dato),
        sendt_dato=event.sendt_dato,
        aldersgruppe=domain.aldersgruppe(pasient.fodselsdato if pasient else None, on=event.sendt_dato),
        kjonn=pasient.kjonn if pasient else None,
        gruppe_storrelse=event.gruppe_storrelse if event.type == "gruppe" else None,
        kostnadsband=domain.kostnadsband(event.estimert_kostnad_nok),
        status=NasjonalStatus.VEDTATT,
        utfall=event.utfall,
        vurderingsflyt=None,  # not recorded before the system existed
        med_vilkar=event.utfall == "innvilget_med_vilkar",
        vedtak_maned=domain.maned(event.vedtak_dato),
        behandlingstid_dager=max(0, (event.vedtak_dato - event.sendt_dato).days),
        endret=False,
        etterregistrert=True,
        oppfolging_effekt=None,
        sekvens=0,
    )


def _apply_gruppevedtak(p: SakProjeksjon, event: VedtakFattet) -> None:
    """Keep the text of a granted group decision, to be published; anything else keeps none."""
    granted = event.utfall in ("innvilget", "innvilget_med_vilkar")
    if p.type != "gruppe" or not granted:
        p.gruppevedtak_dosering = None
        p.gruppevedtak_vilkar = None
        p.gruppevedtak_begrunnelse = None
        p.gruppevedtak_gyldig_fra = None
        p.gruppevedtak_gyldig_til = None
        p.gruppevedtak_enhet_navn = None
        return
    omfang = event.omfang
    vilkar = [v.model_dump(mode="json") for v in event.vilkar_liste]
    if not vilkar and event.vilkar:
        # A decision from before the structured conditions: its one text is the condition.
        vilkar = [{"type": "annet", "tekst": event.vilkar, "dato": None}]
    p.gruppevedtak_dosering = omfang.dosering if omfang else None
    p.gruppevedtak_vilkar = vilkar
    p.gruppevedtak_begrunnelse = event.begrunnelse
    p.gruppevedtak_gyldig_fra = event.gyldig_fra or (omfang.gyldig_fra if omfang else None)
    p.gruppevedtak_gyldig_til = event.gyldig_til or (omfang.gyldig_til if omfang else None)
    p.gruppevedtak_enhet_navn = omfang.enhet_navn if omfang else None


def apply_vedtak(p: SakProjeksjon, event: VedtakFattet) -> None:
    first = p.vedtak_maned is None
    p.status = NasjonalStatus.VEDTATT
    p.utfall = event.utfall
    p.vurderingsflyt = event.vurderingsflyt
    p.med_vilkar = event.utfall == "innvilget_med_vilkar" or bool(event.vilkar) or bool(event.vilkar_liste)
    if event.art == "endring":
        p.endret = True
    if first or event.art == "vedtak":
        # The processing time is the first decision's: an amendment months later does not lengthen it.
        p.vedtak_maned = oslo_month(event.fattet_at)
        p.behandlingstid_dager = domain.behandlingstid_dager(p.sendt_dato, event.fattet_at)
    p.vedtak_fattet_at = event.fattet_at
    _apply_gruppevedtak(p, event)


def apply_oppfolging(p: SakProjeksjon, event: OppfolgingRegistrert) -> None:
    """The categories of the follow-up; a reason to stop only when it stopped, a grade only when there
    were adverse events."""
    p.oppfolging_effekt = event.effekt
    p.oppfolging_fortsetter = event.fortsetter
    p.oppfolging_avslutningsarsak = None if event.fortsetter else event.avslutningsarsak
    p.oppfolging_bivirkningsgrad = event.bivirkningsgrad if event.bivirkninger else None


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
        if p.status == NasjonalStatus.OPPHEVET or (p.etterregistrert and event.art == "vedtak"):
            # A revoked decision is not decided again; a post-registered case can only be amended.
            log.info("decision_after_final_status_ignored", status=p.status, art=event.art, hf=p.hf)
            return
        if p.vedtak_fattet_at is not None and (
            event.fattet_at < p.vedtak_fattet_at or (event.art == "vedtak" and p.endret)
        ):
            # Decisions of one case may overtake each other (a retry): the one made last is in force.
            log.info("older_decision_ignored", art=event.art, hf=p.hf)
            return
        apply_vedtak(p, event)
        self._publish(uow, p)

    async def on_vedtak_opphevet(self, uow: UnitOfWork, event: VedtakOpphevet, envelope: Envelope) -> None:
        p = await self._load(uow, event.lopenummer)
        self._check_hf(p.hf)
        if p.status == NasjonalStatus.TIL_VURDERING:
            # The revocation overtook the decision it revokes (separate queues): retried until it is here.
            raise NotYetReceived(f"no decision yet for {event.lopenummer}")
        if p.status != NasjonalStatus.VEDTATT:
            log.info("revocation_ignored", status=p.status, hf=p.hf)
            return
        p.status = NasjonalStatus.OPPHEVET
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
        p = await self._load(uow, event.lopenummer)
        self._check_hf(p.hf)
        if p.status == NasjonalStatus.TIL_VURDERING:
            # Follow-up is of a granted treatment: its decision is on its way (another queue).
            raise NotYetReceived(f"no decision yet for {event.lopenummer}")
        if p.status == NasjonalStatus.TRUKKET:
            log.info("follow_up_of_withdrawn_case_ignored", hf=p.hf)
            return
        apply_oppfolging(p, event)
        self._publish(uow, p)

    async def on_sak_etterregistrert(
        self, uow: UnitOfWork, event: SakEtterregistrert, envelope: Envelope
    ) -> None:
        # The event has no trust of its own: it is the trust whose soknad imported it.
        self._check_hf(envelope.hf)
        fresh = build_etterregistrert(event, hf=envelope.hf)
        p = await store.get_projeksjon(uow.session, event.lopenummer)
        if p is None:
            p = fresh
            uow.session.add(p)
        elif p.etterregistrert:
            # Imported again (a corrected row): the new one wins, the sequence goes on.
            for column in SakProjeksjon.__table__.columns:
                if column.key not in ("lopenummer", "sekvens", "endret_at") and not column.key.startswith(
                    "oppfolging_"
                ):
                    setattr(p, column.key, getattr(fresh, column.key))
        else:
            log.warning("post_registration_of_a_live_case_ignored", status=p.status, hf=p.hf)
            return
        self._publish(uow, p)


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
