"""Use cases of the beslutning service: the director's decision, the controller's billing list, and
the events it consumes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

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
from shared.events.contracts import AnbefalingAvgitt, SoknadForankret, SoknadTrukket, VedtakFattet
from shared.events.envelope import Envelope
from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork, is_unique_violation
from shared.platform.errors import InvalidTransition, NotFound, StaleVersion
from shared.platform.observability.logging import mark_sensitive

log = structlog.get_logger(__name__)

OSLO = ZoneInfo("Europe/Oslo")
ALREADY_DECIDED = "Saken har allerede fått vedtak. Et vedtak kan ikke fattes to ganger."


class CaseNotYetReceived(Exception):
    """An event about a case whose `SoknadForankret` has not arrived yet.

    Deliberately not a DomainError: the bus retries it later instead of dead-lettering it, because
    the recommendation (from vurdering) may overtake the anchoring (from soknad)."""


def local_date(moment: datetime) -> date:
    """'Today' for date rules is the Norwegian calendar day, not UTC's."""
    return moment.astimezone(OSLO).date()


def _history(
    uow: UnitOfWork, sak: Sak, actor: Principal | None, hendelse: str, detalj: str | None = None
) -> None:
    uow.session.add(
        Historikk(
            sak_id=sak.id,
            at=uow.now,
            actor_id=actor.user_id if actor else "system",
            actor_navn=actor.name if actor else "Søknadsportalen",
            hendelse=hendelse,
            detalj=detalj,
        )
    )


async def _load(uow: UnitOfWork, p: Principal, sak_id: str) -> Sak:
    sak = await store.get_sak(uow.session, sak_id)
    if sak is None:
        raise NotFound("Saken finnes ikke.")
    p.require_hf(sak.hf)
    return sak


def _require_fresh(sak: Sak, versjon: int | None) -> None:
    if versjon is not None and versjon != sak.versjon:
        raise StaleVersion(
            "Saken er endret siden du åpnet den (for eksempel har komiteen gitt sin anbefaling). "
            "Se over saken på nytt før du fatter vedtak.",
            extra={"din_versjon": versjon, "lagret_versjon": sak.versjon},
        )


async def read(uow: UnitOfWork, p: Principal, sak_id: str, *, purpose: str) -> Sak:
    """One case in full; the snapshot holds personal data, so every read is audited."""
    p.require(Role.FAGDIREKTOR)
    sak = await _load(uow, p, sak_id)
    pasient = sak.snapshot.get("pasient") or {}
    mark_sensitive(pasient.get("navn"), pasient.get("fodselsnummer"))
    uow.audit(p, action="les", what="beslutning.vis", case_ref=sak.lopenummer, purpose=purpose)
    return sak


async def list_saker(uow: UnitOfWork, p: Principal) -> list[Sak]:
    p.require(Role.FAGDIREKTOR)
    return await store.list_for_hf(uow.session, hf=p.hf)


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


async def list_fakturering(uow: UnitOfWork, p: Principal) -> list[Faktureringslinje]:
    """The controller's billing lines: granted decisions of the trust, never a refused case."""
    p.require(Role.CONTROLLER)
    return [
        Faktureringslinje.of(sak, vedtak) for sak, vedtak in await store.granted_for_hf(uow.session, hf=p.hf)
    ]


async def decide(
    uow: UnitOfWork, p: Principal, sak_id: str, *, vedtak: VedtakInput, versjon: int | None = None
) -> tuple[Sak, Vedtak]:
    p.require(Role.FAGDIREKTOR)
    sak = await _load(uow, p, sak_id)
    flyt = vurderingsflyt_for(sak.status)
    # "Already decided" tells the director more than "stale version", so it is checked first.
    target = transition(sak.status, "vedta")
    if await store.vedtak_for(uow.session, sak.id) is not None:
        raise InvalidTransition(ALREADY_DECIDED)
    _require_fresh(sak, versjon)
    now = uow.now
    check_vedtak(vedtak, today=local_date(now))
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
    # Flush now, so losing a race to another decision is a 409 with a Norwegian message, not a 500.
    try:
        await uow.session.flush()
    except StaleDataError as exc:
        raise StaleVersion("Noen andre har endret saken i mellomtiden. Last siden på nytt.") from exc
    except IntegrityError as exc:
        if is_unique_violation(exc):
            raise InvalidTransition(ALREADY_DECIDED) from exc
        raise
    return sak, row


async def vedtak_for(uow: UnitOfWork, sak: Sak) -> Vedtak | None:
    return await store.vedtak_for(uow.session, sak.id)


# --- consumed events ---------------------------------------------------------------------------


async def _by_soknad(uow: UnitOfWork, soknad_id: str) -> Sak:
    sak = await store.get_sak_for_soknad(uow.session, soknad_id)
    if sak is None:
        raise CaseNotYetReceived(f"no decision case for soknad {soknad_id} yet")
    return sak


async def on_soknad_forankret(uow: UnitOfWork, event: SoknadForankret, envelope: Envelope) -> None:
    existing = await store.get_sak_for_soknad(uow.session, event.soknad_id)
    if existing is not None:
        # A second anchoring event with a new id (e.g. an operator's re-publish): one case per application.
        log.info("soknad_forankret_already_known", sak_id=existing.id, event_id=envelope.id)
        return
    now = uow.now
    sak = Sak(
        id=str(uuid.uuid4()),
        hf=event.hf,
        soknad_id=event.soknad_id,
        lopenummer=event.lopenummer,
        type=event.type,
        kategori=event.kategori,
        status=Status.VENTER_PA_ANBEFALING,
        snapshot=event.model_dump(mode="json"),
        forankret_at=event.forankret_at,
        opprettet_at=now,
        endret_at=now,
    )
    uow.session.add(sak)
    await uow.session.flush()
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
    sak.status = transition(sak.status, "anbefaling")
    _history(uow, sak, None, "anbefalt", f"Komiteen anbefaler: {label}")


async def on_soknad_trukket(uow: UnitOfWork, event: SoknadTrukket, envelope: Envelope) -> None:
    sak = await _by_soknad(uow, event.soknad_id)
    if sak.status == Status.TRUKKET:
        return
    sak.status = transition(sak.status, "trekke")
    sak.endret_at = uow.now
    _history(uow, sak, None, "trukket", "Søknaden ble trukket av søker")
