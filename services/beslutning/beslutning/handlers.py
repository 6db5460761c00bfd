"""Use cases of the beslutning service: the director's decision, the controller's billing list, and
the events it consumes.

A command is a `@use_case`: routes and views call it with the service's `Database`, and it runs and
commits in its own unit of work, returning what the caller renders."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

import structlog

from beslutning import store
from beslutning.domain import (
    ANBEFALING_LABELS,
    UTFALL_LABELS,
    Status,
    VedtakInput,
    check_vedtak,
    transition,
    vurderingsflyt_for,
)
from beslutning.store import Historikk, Sak, Vedtak
from shared.domain.historikk import record_history
from shared.domain.kalender import oslo_date
from shared.domain.lokal_sak import (
    load_case,
    on_lost_race,
    receive_case,
    require_case_for_soknad,
    require_fresh,
)
from shared.domain.overganger import Handling
from shared.events.contracts import AnbefalingAvgitt, SoknadForankret, SoknadTrukket, VedtakFattet
from shared.events.envelope import Envelope
from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import InvalidTransition
from shared.platform.observability.logging import mark_sensitive

log = structlog.get_logger(__name__)

ALREADY_DECIDED = "Saken har allerede fått vedtak. Et vedtak kan ikke fattes to ganger."
STALE_MESSAGE = (
    "Saken er endret siden du åpnet den (for eksempel har komiteen gitt sin anbefaling). "
    "Se over saken på nytt før du fatter vedtak."
)


@dataclass(frozen=True)
class SakVisning:
    """One case with everything its page and its API answer show."""

    sak: Sak
    vedtak: Vedtak | None
    historikk: list[Historikk]
    idag: date
    """Today in Norway: the date rules of the decision form count from it."""


@dataclass(frozen=True)
class Saksliste:
    saker: list[Sak]
    vedtak: dict[str, Vedtak]


def _history(
    uow: UnitOfWork, sak: Sak, actor: Principal | None, hendelse: str, detalj: str | None = None
) -> None:
    record_history(uow, Historikk, sak.id, actor=actor, hendelse=hendelse, detalj=detalj)


async def _load(uow: UnitOfWork, p: Principal, sak_id: str) -> Sak:
    return await load_case(uow, Sak, p, sak_id)


def _require_fresh(sak: Sak, versjon: int | None) -> None:
    require_fresh(sak, versjon, message=STALE_MESSAGE)


def _on_lost_race(uow: UnitOfWork, sak_id: str, versjon: int | None) -> None:
    on_lost_race(uow, Sak, sak_id, versjon=versjon, message=STALE_MESSAGE)


async def _visning(uow: UnitOfWork, sak: Sak) -> SakVisning:
    return SakVisning(
        sak=sak,
        vedtak=await store.vedtak_for(uow.session, sak.id),
        historikk=await store.historikk_for(uow.session, sak.id),
        idag=oslo_date(uow.now),
    )


@use_case
async def read(uow: UnitOfWork, p: Principal, sak_id: str, *, purpose: str) -> SakVisning:
    """One case in full; the snapshot holds personal data, so every read is audited."""
    p.require(Role.FAGDIREKTOR)
    sak = await _load(uow, p, sak_id)
    pasient = sak.snapshot.get("pasient") or {}
    mark_sensitive(pasient.get("navn"), pasient.get("fodselsnummer"))
    uow.audit(p, action="les", what="beslutning.vis", case_ref=sak.lopenummer, purpose=purpose)
    return await _visning(uow, sak)


@use_case
async def list_saker(uow: UnitOfWork, p: Principal) -> Saksliste:
    p.require(Role.FAGDIREKTOR)
    saker = await store.list_for_hf(uow.session, hf=p.hf)
    return Saksliste(saker=saker, vedtak=await store.vedtak_for_saker(uow.session, [s.id for s in saker]))


@dataclass(frozen=True)
class Faktureringslinje:
    """What billing needs of one granted treatment, and nothing else: no patient, no clinical text.

    The controller sees these lines, never the application (least privilege)."""

    lopenummer: str
    enhet: str
    legemiddel: str
    virkestoff: str
    atc: str | None
    estimert_kostnad_nok: int | None
    kostnadssted: str
    utfall: str
    gyldig_til: date | None
    vedtatt_at: datetime

    @classmethod
    def of(cls, sak: Sak, vedtak: Vedtak) -> Faktureringslinje:
        snap = sak.snapshot
        legemiddel = snap.get("legemiddel") or {}
        kostnad = snap.get("estimert_kostnad_nok")
        return cls(
            lopenummer=sak.lopenummer,
            enhet=str(snap.get("enhet") or ""),
            legemiddel=str(legemiddel.get("navn") or ""),
            virkestoff=str(legemiddel.get("virkestoff") or ""),
            atc=legemiddel.get("atc"),
            estimert_kostnad_nok=kostnad if isinstance(kostnad, int) else None,
            kostnadssted=str((snap.get("forankring") or {}).get("kostnadssted") or ""),
            utfall=vedtak.utfall,
            gyldig_til=vedtak.gyldig_til,
            vedtatt_at=vedtak.fattet_at,
        )


@use_case
async def list_fakturering(uow: UnitOfWork, p: Principal) -> list[Faktureringslinje]:
    """The controller's billing lines: granted decisions of the trust, never a refused case."""
    p.require(Role.CONTROLLER)
    return [
        Faktureringslinje.of(sak, vedtak) for sak, vedtak in await store.granted_for_hf(uow.session, hf=p.hf)
    ]


@use_case
async def decide(
    uow: UnitOfWork, p: Principal, sak_id: str, *, vedtak: VedtakInput, versjon: int | None = None
) -> SakVisning:
    p.require(Role.FAGDIREKTOR)
    # The unique decision per case is the last line of defence against a second click.
    uow.on_duplicate(ALREADY_DECIDED)
    _on_lost_race(uow, sak_id, versjon)
    sak = await _load(uow, p, sak_id)
    flyt = vurderingsflyt_for(sak.status)
    # "Already decided" tells the director more than "stale version", so it is checked first.
    target = transition(sak.status, Handling.VEDTA)
    if await store.vedtak_for(uow.session, sak.id) is not None:
        raise InvalidTransition(ALREADY_DECIDED)
    _require_fresh(sak, versjon)
    now = uow.now
    check_vedtak(vedtak, today=oslo_date(now))
    row = Vedtak(
        id=str(uuid.uuid4()),
        sak_id=sak.id,
        utfall=vedtak.utfall,
        begrunnelse=vedtak.begrunnelse,
        vilkar=vedtak.vilkar,
        gyldig_til=vedtak.gyldig_til,
        evalueringsdato=vedtak.evalueringsdato,
        vurderingsflyt=flyt,
        fattet_av=p.user_id,
        fattet_av_navn=p.name,
        fattet_at=now,
    )
    uow.session.add(row)
    sak.status = target
    sak.endret_at = now
    _history(uow, sak, p, "vedtatt", f"Vedtak: {UTFALL_LABELS[vedtak.utfall]}")
    uow.audit(p, action="skriv", what="beslutning.vedta", case_ref=sak.lopenummer, purpose="Fatte vedtak")
    uow.publish(
        VedtakFattet(
            vedtak_id=row.id,
            soknad_id=sak.soknad_id,
            lopenummer=sak.lopenummer,
            utfall=vedtak.utfall,
            begrunnelse=vedtak.begrunnelse,
            vilkar=vedtak.vilkar,
            gyldig_til=vedtak.gyldig_til,
            evalueringsdato=vedtak.evalueringsdato,
            vurderingsflyt=flyt,
            fattet_av=p.user_id,
            fattet_at=now,
        ),
        hf=sak.hf,
        subject=sak.lopenummer,
    )
    # Written now, so the answer shows the decision; a lost race surfaces here as the 409 above.
    await uow.session.flush()
    return await _visning(uow, sak)


# --- consumed events ---------------------------------------------------------------------------


async def _by_soknad(uow: UnitOfWork, soknad_id: str) -> Sak:
    return await require_case_for_soknad(uow, Sak, soknad_id)


async def on_soknad_forankret(uow: UnitOfWork, event: SoknadForankret, envelope: Envelope) -> None:
    sak = await receive_case(uow, Sak, event, envelope, status=Status.VENTER_PA_ANBEFALING)
    if sak is not None:
        _history(uow, sak, None, "mottatt", f"Forankret av {event.forankring.leder_navn}")


async def on_anbefaling_avgitt(uow: UnitOfWork, event: AnbefalingAvgitt, envelope: Envelope) -> None:
    sak = await _by_soknad(uow, event.soknad_id)
    label = ANBEFALING_LABELS[event.anbefaling]
    sak.anbefaling = event.model_dump(mode="json")
    sak.anbefalt_at = event.avgitt_at
    sak.endret_at = uow.now
    if sak.status in (Status.VEDTATT, Status.TRUKKET):
        # The director decided (or the applicant withdrew) first; keep the committee's work on record.
        _history(uow, sak, None, "anbefaling_etter_avslutning", f"Komiteen anbefalte: {label}")
        return
    sak.status = transition(sak.status, Handling.ANBEFALE)
    _history(uow, sak, None, "anbefalt", f"Komiteen anbefaler: {label}")


async def on_soknad_trukket(uow: UnitOfWork, event: SoknadTrukket, envelope: Envelope) -> None:
    sak = await _by_soknad(uow, event.soknad_id)
    if sak.status == Status.TRUKKET:
        return
    sak.status = transition(sak.status, Handling.TREKKE)
    sak.endret_at = uow.now
    _history(uow, sak, None, "trukket", "Søknaden ble trukket av søker")
