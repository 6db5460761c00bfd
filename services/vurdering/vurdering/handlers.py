"""Use cases of the vurdering service: the committee's commands and the events it consumes."""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from shared.events.common import Kriterievurdering as KriterievurderingEvent
from shared.events.contracts import (
    AnbefalingAvgitt,
    SoknadForankret,
    SoknadTrukket,
    TilleggsinformasjonBesvart,
    TilleggsinformasjonEtterspurt,
    VedtakFattet,
)
from shared.events.envelope import Envelope
from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork, is_unique_violation
from shared.platform.errors import InvalidTransition, NotFound, StaleVersion
from shared.platform.observability.logging import mark_sensitive
from vurdering import store
from vurdering.domain import ANBEFALING_LABELS, UTFALL_LABELS, AnbefalingInput, Status, transition
from vurdering.store import Anbefaling, Historikk, Sak, Sporsmal

log = structlog.get_logger(__name__)


class CaseNotYetReceived(Exception):
    """An event about a case whose `SoknadForankret` has not arrived yet.

    Deliberately not a DomainError: the bus retries it later instead of dead-lettering it, because
    events from different producers may arrive out of order."""


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
            "Saken er endret av noen andre siden du åpnet den. Last siden på nytt og se over endringene.",
            extra={"din_versjon": versjon, "lagret_versjon": sak.versjon},
        )


async def _flush(uow: UnitOfWork, *, already_done: str) -> None:
    """Flush now, so a lost race becomes a 409 with a Norwegian message instead of a 500 at commit."""
    try:
        await uow.session.flush()
    except StaleDataError as exc:
        raise StaleVersion("Noen andre har endret saken i mellomtiden. Last siden på nytt.") from exc
    except IntegrityError as exc:
        if is_unique_violation(exc):
            raise InvalidTransition(already_done) from exc
        raise


def _patient_name(sak: Sak) -> str | None:
    pasient = sak.snapshot.get("pasient") or {}
    return pasient.get("navn") if isinstance(pasient, dict) else None


async def read(uow: UnitOfWork, p: Principal, sak_id: str, *, purpose: str) -> Sak:
    """One case in full; the snapshot holds personal data, so every read is audited."""
    p.require(Role.KOMITE, Role.FAGDIREKTOR)
    sak = await _load(uow, p, sak_id)
    mark_sensitive(_patient_name(sak), (sak.snapshot.get("pasient") or {}).get("fodselsnummer"))
    uow.audit(p, action="les", what="vurdering.vis", case_ref=sak.lopenummer, purpose=purpose)
    return sak


async def list_saker(uow: UnitOfWork, p: Principal) -> list[Sak]:
    p.require(Role.KOMITE, Role.FAGDIREKTOR)
    return await store.list_for_hf(uow.session, hf=p.hf)


async def record_anbefaling(
    uow: UnitOfWork, p: Principal, sak_id: str, *, anbefaling: AnbefalingInput, versjon: int | None = None
) -> Sak:
    p.require(Role.KOMITE)
    sak = await _load(uow, p, sak_id)
    # "Already recommended" tells the member more than "stale version", so it is checked first.
    target = transition(sak.status, "anbefale")
    _require_fresh(sak, versjon)
    now = uow.now
    k = anbefaling.kriterier
    row = Anbefaling(
        id=str(uuid.uuid4()),
        sak_id=sak.id,
        anbefaling=anbefaling.anbefaling,
        begrunnelse=anbefaling.begrunnelse,
        alvorlighet=k.alvorlighet,
        nytte=k.nytte,
        ressursbruk=k.ressursbruk,
        evidenskvalitet=k.evidenskvalitet,
        avgitt_av=p.user_id,
        avgitt_av_navn=p.name,
        avgitt_at=now,
    )
    uow.session.add(row)
    sak.status = target
    sak.anbefalt_at = now
    sak.endret_at = now
    _history(uow, sak, p, "anbefalt", f"Anbefaling: {ANBEFALING_LABELS[anbefaling.anbefaling]}")
    uow.audit(
        p, action="skriv", what="vurdering.anbefale", case_ref=sak.lopenummer, purpose="Anbefale vedtak"
    )
    uow.publish(
        AnbefalingAvgitt(
            sak_id=sak.id,
            soknad_id=sak.soknad_id,
            lopenummer=sak.lopenummer,
            anbefaling=anbefaling.anbefaling,
            begrunnelse=anbefaling.begrunnelse,
            kriterier=KriterievurderingEvent(**k.model_dump()),
            avgitt_av=p.user_id,
            avgitt_at=now,
        ),
        hf=sak.hf,
        subject=sak.lopenummer,
    )
    await _flush(uow, already_done="Komiteen har allerede gitt en anbefaling i denne saken.")
    return sak


async def request_tilleggsinformasjon(
    uow: UnitOfWork, p: Principal, sak_id: str, *, sporsmal: str
) -> Sporsmal:
    p.require(Role.KOMITE)
    sak = await _load(uow, p, sak_id)
    transition(sak.status, "etterspor")
    now = uow.now
    row = Sporsmal(
        id=str(uuid.uuid4()),
        sak_id=sak.id,
        sporsmal=sporsmal,
        spurt_av=p.user_id,
        spurt_av_navn=p.name,
        spurt_at=now,
    )
    uow.session.add(row)
    # Touching the case bumps its version, so a recommendation form opened before the question
    # was asked is refused as stale rather than silently ignoring the open question.
    sak.endret_at = now
    _history(uow, sak, p, "tilleggsinfo_etterspurt", "Ba søker om mer informasjon")
    uow.audit(
        p,
        action="skriv",
        what="vurdering.etterspor",
        case_ref=sak.lopenummer,
        purpose="Be om tilleggsinformasjon",
    )
    uow.publish(
        TilleggsinformasjonEtterspurt(
            sporsmal_id=row.id,
            soknad_id=sak.soknad_id,
            lopenummer=sak.lopenummer,
            sporsmal=sporsmal,
            spurt_at=now,
        ),
        hf=sak.hf,
        subject=sak.lopenummer,
    )
    await _flush(uow, already_done="Spørsmålet er allerede sendt.")
    return row


async def anbefaling_for(uow: UnitOfWork, sak: Sak) -> Anbefaling | None:
    return await store.anbefaling_for(uow.session, sak.id)


# --- consumed events ---------------------------------------------------------------------------


async def _by_soknad(uow: UnitOfWork, soknad_id: str) -> Sak:
    sak = await store.get_sak_for_soknad(uow.session, soknad_id)
    if sak is None:
        raise CaseNotYetReceived(f"no assessment case for soknad {soknad_id} yet")
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
        status=Status.TIL_VURDERING,
        snapshot=event.model_dump(mode="json"),
        forankret_at=event.forankret_at,
        opprettet_at=now,
        endret_at=now,
    )
    uow.session.add(sak)
    await uow.session.flush()
    _history(
        uow, sak, None, "mottatt", f"Forankret av {event.forankring.leder_navn} og mottatt til vurdering"
    )


async def on_vedtak_fattet(uow: UnitOfWork, event: VedtakFattet, envelope: Envelope) -> None:
    sak = await _by_soknad(uow, event.soknad_id)
    if sak.status == Status.TRUKKET:
        # Withdrawn while the director decided: the withdrawal stands; keep the decision on record.
        sak.utfall = event.utfall
        _history(uow, sak, None, "vedtak_etter_trekking", UTFALL_LABELS[event.utfall])
        return
    sak.status = transition(sak.status, "avslutte")
    sak.utfall = event.utfall
    sak.avsluttet_at = event.fattet_at
    sak.endret_at = uow.now
    _history(uow, sak, None, "avsluttet", f"Vedtak fattet: {UTFALL_LABELS[event.utfall]}")


async def on_soknad_trukket(uow: UnitOfWork, event: SoknadTrukket, envelope: Envelope) -> None:
    sak = await _by_soknad(uow, event.soknad_id)
    if sak.status == Status.TRUKKET:
        return
    sak.status = transition(sak.status, "trekke")
    sak.endret_at = uow.now
    _history(uow, sak, None, "trukket", "Søknaden ble trukket av søker")


async def on_tilleggsinformasjon_besvart(
    uow: UnitOfWork, event: TilleggsinformasjonBesvart, envelope: Envelope
) -> None:
    sak = await _by_soknad(uow, event.soknad_id)
    sporsmal = await uow.session.get(Sporsmal, event.sporsmal_id)
    if sporsmal is None or sporsmal.sak_id != sak.id:
        raise NotFound(f"Ukjent spørsmål {event.sporsmal_id} i sak {sak.lopenummer}.")
    sporsmal.svar = event.svar
    sporsmal.besvart_at = event.besvart_at
    sak.endret_at = uow.now
    _history(uow, sak, None, "tilleggsinfo_besvart", "Søker har svart på spørsmålet")
