"""Use cases of the vurdering service: the committee's commands and the events it consumes.

A command is a `@use_case`: routes and views call it with the service's `Database`, and it runs and
commits in its own unit of work, returning what the caller renders."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import structlog

from shared.domain.historikk import record_history
from shared.domain.lokal_sak import (
    load_case,
    on_lost_race,
    receive_case,
    require_case_for_soknad,
    require_fresh,
)
from shared.domain.overganger import Handling
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
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import NotFound
from shared.platform.observability.logging import mark_sensitive
from vurdering import store
from vurdering.domain import ANBEFALING_LABELS, UTFALL_LABELS, AnbefalingInput, Status, transition
from vurdering.store import Anbefaling, Historikk, Sak, Sporsmal

log = structlog.get_logger(__name__)

STALE_MESSAGE = "Saken er endret av noen andre siden du åpnet den. Last siden på nytt og se over endringene."


@dataclass(frozen=True)
class SakVisning:
    """One case with everything its page and its API answer show."""

    sak: Sak
    anbefaling: Anbefaling | None
    sporsmal: list[Sporsmal]
    historikk: list[Historikk]


@dataclass(frozen=True)
class Saksliste:
    saker: list[Sak]
    anbefalinger: dict[str, Anbefaling]


async def _load(uow: UnitOfWork, p: Principal, sak_id: str) -> Sak:
    return await load_case(uow, Sak, p, sak_id)


def _require_fresh(sak: Sak, versjon: int | None) -> None:
    require_fresh(sak, versjon, message=STALE_MESSAGE)


def _on_lost_race(uow: UnitOfWork, sak_id: str, versjon: int | None) -> None:
    on_lost_race(uow, Sak, sak_id, versjon=versjon, message=STALE_MESSAGE)


def _history(
    uow: UnitOfWork, sak: Sak, actor: Principal | None, hendelse: str, detalj: str | None = None
) -> None:
    record_history(uow, Historikk, sak.id, actor=actor, hendelse=hendelse, detalj=detalj)


def _patient_name(sak: Sak) -> str | None:
    pasient = sak.snapshot.get("pasient") or {}
    return pasient.get("navn") if isinstance(pasient, dict) else None


async def _visning(uow: UnitOfWork, sak: Sak) -> SakVisning:
    return SakVisning(
        sak=sak,
        anbefaling=await store.anbefaling_for(uow.session, sak.id),
        sporsmal=await store.sporsmal_for(uow.session, sak.id),
        historikk=await store.historikk_for(uow.session, sak.id),
    )


async def _read(uow: UnitOfWork, p: Principal, sak_id: str, *, purpose: str) -> Sak:
    p.require(Role.KOMITE, Role.FAGDIREKTOR)
    sak = await _load(uow, p, sak_id)
    mark_sensitive(_patient_name(sak), (sak.snapshot.get("pasient") or {}).get("fodselsnummer"))
    uow.audit(p, action="les", what="vurdering.vis", case_ref=sak.lopenummer, purpose=purpose)
    return sak


@use_case
async def read(uow: UnitOfWork, p: Principal, sak_id: str, *, purpose: str) -> SakVisning:
    """One case in full; the snapshot holds personal data, so every read is audited."""
    return await _visning(uow, await _read(uow, p, sak_id, purpose=purpose))


@use_case
async def list_saker(uow: UnitOfWork, p: Principal) -> Saksliste:
    p.require(Role.KOMITE, Role.FAGDIREKTOR)
    saker = await store.list_for_hf(uow.session, hf=p.hf)
    return Saksliste(
        saker=saker, anbefalinger=await store.anbefalinger_for(uow.session, [s.id for s in saker])
    )


@use_case
async def record_anbefaling(
    uow: UnitOfWork, p: Principal, sak_id: str, *, anbefaling: AnbefalingInput, versjon: int | None = None
) -> SakVisning:
    p.require(Role.KOMITE)
    uow.on_duplicate("Komiteen har allerede gitt en anbefaling i denne saken.")
    _on_lost_race(uow, sak_id, versjon)
    sak = await _load(uow, p, sak_id)
    # "Already recommended" tells the member more than "stale version", so it is checked first.
    target = transition(sak.status, Handling.ANBEFALE)
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
    # Written now, so the answer shows the recommendation; a lost race surfaces here as the 409 above.
    await uow.session.flush()
    return await _visning(uow, sak)


@use_case
async def request_tilleggsinformasjon(
    uow: UnitOfWork, p: Principal, sak_id: str, *, sporsmal: str
) -> Sporsmal:
    p.require(Role.KOMITE)
    uow.on_duplicate("Spørsmålet er allerede sendt.")
    _on_lost_race(uow, sak_id, None)
    sak = await _load(uow, p, sak_id)
    transition(sak.status, Handling.ETTERSPORRE)
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
    return row


# --- consumed events ---------------------------------------------------------------------------


async def _by_soknad(uow: UnitOfWork, soknad_id: str) -> Sak:
    return await require_case_for_soknad(uow, Sak, soknad_id)


async def on_soknad_forankret(uow: UnitOfWork, event: SoknadForankret, envelope: Envelope) -> None:
    sak = await receive_case(uow, Sak, event, envelope, status=Status.TIL_VURDERING)
    if sak is not None:
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
    sak.status = transition(sak.status, Handling.VEDTA)
    sak.utfall = event.utfall
    sak.avsluttet_at = event.fattet_at
    sak.endret_at = uow.now
    _history(uow, sak, None, "avsluttet", f"Vedtak fattet: {UTFALL_LABELS[event.utfall]}")


async def on_soknad_trukket(uow: UnitOfWork, event: SoknadTrukket, envelope: Envelope) -> None:
    sak = await _by_soknad(uow, event.soknad_id)
    if sak.status == Status.TRUKKET:
        return
    sak.status = transition(sak.status, Handling.TREKKE)
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
