"""The leader's anchoring: anchor, return to the applicant, or delegate to another unit's leader."""

from __future__ import annotations

from shared.domain.kalender import oslo_date
from shared.events.contracts import ForankringDelegert, SoknadReturnert
from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import ValidationFailed
from shared.platform.katalog import Katalog
from soknad import store
from soknad.domain import Status, transition
from soknad.handlers.common import history, load, require_leder
from soknad.handlers.snapshot import forankret_event
from soknad.samarbeid import check_delegation
from soknad.skjema.register import SkjemaRegister
from soknad.store import Soknad


@use_case
async def forankre(
    uow: UnitOfWork,
    p: Principal,
    soknad_id: str,
    *,
    begrunnelse: str,
    kostnadssted: str,
    skjemaer: SkjemaRegister,
    allow_synthetic: bool,
) -> Soknad:
    soknad = await load(uow, soknad_id)
    require_leder(p, soknad)
    soknad.status = transition(soknad.status, "forankre")
    now = uow.now
    soknad.forankret_at = now
    soknad.forankring = {
        "leder_id": p.user_id,
        "leder_navn": p.name,
        "begrunnelse": begrunnelse,
        "kostnadssted": kostnadssted,
        "at": now.isoformat(),
    }
    soknad.endret_at = now
    history(uow, soknad, p, "forankret", f"Forankret og sendt til vurdering: {begrunnelse}")
    uow.audit(
        p, action="skriv", what="soknad.forankre", case_ref=soknad.lopenummer, purpose="Forankre søknad"
    )
    event = forankret_event(soknad, skjemaer=skjemaer, allow_synthetic=allow_synthetic, today=oslo_date(now))
    uow.publish(event, hf=soknad.hf, subject=soknad.lopenummer)
    await uow.session.flush()
    return soknad


@use_case
async def returnere(uow: UnitOfWork, p: Principal, soknad_id: str, *, kommentar: str) -> Soknad:
    soknad = await load(uow, soknad_id)
    require_leder(p, soknad)
    soknad.status = transition(soknad.status, "returnere")
    soknad.retur_kommentar = kommentar
    soknad.endret_at = uow.now
    history(uow, soknad, p, "returnert", f"Returnert til søker: {kommentar}")
    uow.audit(
        p, action="skriv", what="soknad.returnere", case_ref=soknad.lopenummer, purpose="Forankre søknad"
    )
    assert soknad.lopenummer
    uow.publish(
        SoknadReturnert(
            soknad_id=soknad.id,
            lopenummer=soknad.lopenummer,
            enhet=soknad.enhet,
            kommentar=kommentar,
            returnert_av=p.user_id,
            returnert_av_navn=p.name,
            returnert_at=uow.now,
        ),
        hf=soknad.hf,
        subject=soknad.lopenummer,
    )
    await uow.session.flush()
    return soknad


@use_case
async def delegere(
    uow: UnitOfWork, p: Principal, soknad_id: str, *, enhet: str, kommentar: str, katalog: Katalog
) -> Soknad:
    """Move the application to another unit's inbox; its leader anchors, returns or delegates it."""
    soknad = await load(uow, soknad_id)
    require_leder(p, soknad)
    if not kommentar.strip():
        raise ValidationFailed("Skriv en kommentar til lederen som overtar.", field="kommentar")
    fra_enhet = soknad.enhet
    org = await katalog.org(soknad.hf)
    check_delegation(status=soknad.status, fra_enhet=fra_enhet, til_enhet=enhet, enheter=org.koder)
    now = uow.now
    soknad.enhet = enhet
    soknad.endret_at = now
    history(uow, soknad, p, "delegert", f"Forankringen er delegert til {org.enhet_navn(enhet)}.")
    # The comment is meant for the leader who takes over: a line of its own that only leaders see.
    history(uow, soknad, p, "delegert_kommentar", f"Kommentar til lederen som overtar: {kommentar}")
    uow.audit(
        p, action="skriv", what="soknad.delegere", case_ref=soknad.lopenummer, purpose="Forankre søknad"
    )
    assert soknad.lopenummer
    uow.publish(
        ForankringDelegert(
            soknad_id=soknad.id,
            lopenummer=soknad.lopenummer,
            fra_enhet=fra_enhet,
            til_enhet=enhet,
            kommentar=kommentar,
            delegert_av=p.user_id,
            delegert_av_navn=p.name,
            delegert_at=now,
        ),
        hf=soknad.hf,
        subject=soknad.lopenummer,
    )
    await uow.session.flush()
    return soknad


@use_case
async def list_til_forankring(uow: UnitOfWork, p: Principal) -> list[Soknad]:
    p.require(Role.LEDER)
    if not p.enhet:
        return []
    return await store.list_for_enhet(uow.session, hf=p.hf, enhet=p.enhet, status=Status.TIL_FORANKRING)
