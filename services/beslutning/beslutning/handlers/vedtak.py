"""The decision: a first decision, an amendment (a new decision replacing the old), a revocation.

Each is a new row and a new event that refers to the one it replaces, so the history is traceable and
every consumer of the first decision hears of the change."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from beslutning.domain import (
    DECIDED,
    GRANTED,
    UTFALL_LABELS,
    OpphevInput,
    Status,
    VedtakInput,
    check_may_grant,
    check_vedtak,
    transition,
    vurderingsflyt_for,
)
from beslutning.handlers.common import SakVisning, fresh, guard_race, history, load, visning
from beslutning.store import Sak, Vedtak
from shared.domain.kalender import oslo_date
from shared.domain.overganger import Handling
from shared.events.common import Indikasjon, Legemiddel, VedtakOmfang, Vilkar
from shared.events.contracts import VedtakFattet, VedtakOpphevet
from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import InvalidTransition, NotFound
from shared.platform.katalog.katalog import Organisasjon

ALREADY_DECIDED = (
    "Saken er allerede avgjort og kan ikke få et nytt vedtak. "
    "Vil du endre vedtaket, gjør du det fra vedtaket på saken."
)
NOT_STANDING = "Bare et gjeldende vedtak kan endres eller oppheves."


def omfang_of(sak: Sak, vedtak: VedtakInput, *, enhet_navn: str | None = None) -> VedtakOmfang | None:
    """The approved scope: the drug and indication of the application, the dose, courses and period
    the director approved. A refusal approves nothing."""
    if vedtak.utfall not in GRANTED:
        return None
    snap = sak.snapshot
    return VedtakOmfang(
        legemiddel=Legemiddel.model_validate(snap["legemiddel"]),
        indikasjon=Indikasjon.model_validate(snap["indikasjon"]),
        dosering=vedtak.dosering,
        antall_kurer=vedtak.antall_kurer,
        gyldig_fra=vedtak.gyldig_fra,
        gyldig_til=vedtak.gyldig_til,
        enhet=sak.enhet or str(snap.get("enhet") or ""),
        enhet_navn=enhet_navn,
    )


def kostnadssted_of(sak: Sak) -> str | None:
    return (sak.snapshot.get("forankring") or {}).get("kostnadssted") or None


def vedtak_row(
    sak: Sak,
    vedtak: VedtakInput,
    *,
    vedtak_id: str,
    fattet_av: str,
    fattet_av_navn: str,
    flyt: str,
    now: datetime,
    art: str = "vedtak",
    erstatter_vedtak_id: str | None = None,
    interregional_referanse: str | None = None,
    enhet_navn: str | None = None,
) -> Vedtak:
    """The decision row as the director's input makes it (pure: nothing is added to a session). What
    only a grant has (scope, period, payer, prescription remark, billing routine) stays empty on a
    refusal."""
    omfang = omfang_of(sak, vedtak, enhet_navn=enhet_navn)
    granted = vedtak.utfall in GRANTED
    return Vedtak(
        id=vedtak_id,
        sak_id=sak.id,
        forste_for_sak=sak.id if art == "vedtak" else None,
        art=art,
        erstatter_vedtak_id=erstatter_vedtak_id,
        gjeldende=True,
        utfall=vedtak.utfall,
        begrunnelse=vedtak.begrunnelse,
        vilkar=vedtak.vilkar_tekst(),
        vilkar_liste=[v.model_dump(mode="json") for v in vedtak.vilkar_liste()],
        omfang=omfang.model_dump(mode="json") if omfang else None,
        gyldig_fra=vedtak.gyldig_fra if granted else None,
        gyldig_til=vedtak.gyldig_til if granted else None,
        evalueringsdato=vedtak.evalueringsdato if granted else None,
        kostnadssted=kostnadssted_of(sak) if granted else None,
        resept_merknad=vedtak.resept_merknad if granted else None,
        faktureringsrutine=vedtak.faktureringsrutine if granted else None,
        interregional_referanse=interregional_referanse,
        vurderingsflyt=flyt,
        fattet_av=fattet_av,
        fattet_av_navn=fattet_av_navn,
        fattet_at=now,
    )


def vedtak_fattet_event(
    sak: Sak, row: Vedtak, *, interregional_vedtaksdato: date | None = None
) -> VedtakFattet:
    """`VedtakFattet` of a decision row (pure): everything a pharmacy or an integrator acts on without
    reading the application, and for an amendment the decision it replaces."""
    return VedtakFattet(
        vedtak_id=row.id,
        soknad_id=sak.soknad_id,
        lopenummer=sak.lopenummer,
        utfall=row.utfall,
        begrunnelse=row.begrunnelse,
        vilkar=row.vilkar,
        gyldig_til=row.gyldig_til,
        evalueringsdato=row.evalueringsdato,
        vurderingsflyt=row.vurderingsflyt,  # type: ignore[arg-type]
        fattet_av=row.fattet_av,
        fattet_at=row.fattet_at,
        art=row.art,  # type: ignore[arg-type]
        erstatter_vedtak_id=row.erstatter_vedtak_id,
        fattet_av_navn=row.fattet_av_navn,
        kategori=sak.kategori,
        soknad_type=sak.type,
        enhet=sak.enhet or None,
        omfang=VedtakOmfang.model_validate(row.omfang) if row.omfang else None,
        vilkar_liste=[Vilkar.model_validate(v) for v in row.vilkar_liste or []],
        gyldig_fra=row.gyldig_fra,
        kostnadssted=row.kostnadssted,
        interregional_referanse=row.interregional_referanse,
        interregional_vedtaksdato=interregional_vedtaksdato if row.interregional_referanse else None,
        resept_merknad=row.resept_merknad,
        faktureringsrutine=row.faktureringsrutine,
    )


def interregional_vedtaksdato_of(sak: Sak) -> date | None:
    """The interregional committee's decision date as registered on the case (tilgangsordningen)."""
    raw = (sak.interregional or {}).get("vedtaksdato")
    return date.fromisoformat(raw) if raw else None


def write_vedtak(
    uow: UnitOfWork,
    p: Principal,
    sak: Sak,
    vedtak: VedtakInput,
    *,
    flyt: str,
    now: datetime,
    art: str = "vedtak",
    erstatter: Vedtak | None = None,
    interregional_referanse: str | None = None,
    interregional_vedtaksdato: date | None = None,
    enhet_navn: str | None = None,
) -> Vedtak:
    """The decision row and its event, in the caller's unit of work."""
    row = vedtak_row(
        sak,
        vedtak,
        vedtak_id=str(uuid.uuid4()),
        fattet_av=p.user_id,
        fattet_av_navn=p.name,
        flyt=flyt,
        now=now,
        art=art,
        erstatter_vedtak_id=erstatter.id if erstatter else None,
        interregional_referanse=interregional_referanse,
        enhet_navn=enhet_navn,
    )
    uow.session.add(row)
    if erstatter is not None:
        erstatter.gjeldende = False
    uow.publish(
        vedtak_fattet_event(sak, row, interregional_vedtaksdato=interregional_vedtaksdato),
        hf=sak.hf,
        subject=sak.lopenummer,
    )
    return row


@use_case
async def decide(
    uow: UnitOfWork,
    p: Principal,
    sak_id: str,
    *,
    vedtak: VedtakInput,
    versjon: int | None = None,
    org: Organisasjon | None = None,
) -> SakVisning:
    """The director's decision: straight from the inbox (the simplified flow) or after the committee."""
    p.require(Role.FAGDIREKTOR)
    # The unique first decision per case is the last line of defence against a second click.
    uow.on_duplicate(ALREADY_DECIDED)
    guard_race(uow, sak_id, versjon)
    sak = await load(uow, p, sak_id)
    if sak.status in DECIDED:
        raise InvalidTransition(ALREADY_DECIDED)
    # "Already decided" tells the director more than "stale version", so it is checked first.
    target = transition(sak.status, Handling.VEDTA)
    fresh(sak, versjon)
    now = uow.now
    check_vedtak(vedtak, today=oslo_date(now))
    check_may_grant(sak.kategori, vedtak.utfall, interregional=False)
    flyt = sak.vurderingsflyt or vurderingsflyt_for(sak.status)
    if sak.status == Status.TIL_TRIAGE:
        # Deciding from the inbox is the triage's simplified choice made in the same act.
        # No SakTilForenkletBehandling: the decision itself (`vurderingsflyt="forenklet"`) tells.
        sak.triagert_at, sak.triagert_av_navn, flyt = now, p.name, "forenklet"
    sak.vurderingsflyt = flyt
    write_vedtak(
        uow, p, sak, vedtak, flyt=flyt, now=now, enhet_navn=org.enhet_navn(sak.enhet) if org else None
    )
    sak.status = target
    sak.vedtatt_at = now
    sak.endret_at = now
    history(uow, sak, p, "vedtatt", f"Vedtak: {UTFALL_LABELS[vedtak.utfall]}")
    uow.audit(p, action="skriv", what="beslutning.vedta", case_ref=sak.lopenummer, purpose="Fatte vedtak")
    # Written now, so the answer shows the decision; a lost race surfaces here as the 409 above.
    await uow.session.flush()
    return await visning(uow, sak)


async def _standing(uow: UnitOfWork, sak: Sak, vedtak_id: str) -> Vedtak:
    old = await uow.session.get(Vedtak, vedtak_id)
    if old is None or old.sak_id != sak.id:
        raise NotFound("Vedtaket finnes ikke.")
    if not old.gjeldende or old.art == "opphevelse" or sak.status != Status.VEDTATT:
        raise InvalidTransition(NOT_STANDING)
    return old


@use_case
async def amend(
    uow: UnitOfWork,
    p: Principal,
    sak_id: str,
    vedtak_id: str,
    *,
    vedtak: VedtakInput,
    versjon: int | None = None,
    org: Organisasjon | None = None,
) -> SakVisning:
    """A new decision replacing a standing one (e.g. a longer period, another dose)."""
    p.require(Role.FAGDIREKTOR)
    guard_race(uow, sak_id, versjon)
    sak = await load(uow, p, sak_id)
    old = await _standing(uow, sak, vedtak_id)
    fresh(sak, versjon)
    now = uow.now
    check_vedtak(vedtak, today=oslo_date(now))
    check_may_grant(sak.kategori, vedtak.utfall, interregional=old.vurderingsflyt == "interregional")
    write_vedtak(
        uow,
        p,
        sak,
        vedtak,
        flyt=old.vurderingsflyt,
        now=now,
        art="endring",
        erstatter=old,
        interregional_referanse=old.interregional_referanse,
        # An amendment of the interregional committee's decision still rests on that decision.
        interregional_vedtaksdato=interregional_vedtaksdato_of(sak),
        enhet_navn=org.enhet_navn(sak.enhet) if org else None,
    )
    sak.endret_at = now
    history(uow, sak, p, "vedtak_endret", f"Vedtaket er endret: {UTFALL_LABELS[vedtak.utfall]}")
    uow.audit(p, action="skriv", what="beslutning.endre", case_ref=sak.lopenummer, purpose="Endre vedtak")
    await uow.session.flush()
    return await visning(uow, sak)


@use_case
async def revoke(
    uow: UnitOfWork,
    p: Principal,
    sak_id: str,
    vedtak_id: str,
    *,
    opphev: OpphevInput,
    versjon: int | None = None,
) -> SakVisning:
    p.require(Role.FAGDIREKTOR)
    guard_race(uow, sak_id, versjon)
    sak = await load(uow, p, sak_id)
    old = await _standing(uow, sak, vedtak_id)
    fresh(sak, versjon)
    now = uow.now
    gjelder_fra = opphev.gjelder_fra or oslo_date(now)
    row = Vedtak(
        id=str(uuid.uuid4()),
        sak_id=sak.id,
        forste_for_sak=None,
        art="opphevelse",
        erstatter_vedtak_id=old.id,
        gjeldende=True,
        utfall=old.utfall,
        begrunnelse=opphev.begrunnelse,
        vilkar=None,
        vilkar_liste=[],
        omfang=None,
        gyldig_fra=gjelder_fra,
        gyldig_til=None,
        evalueringsdato=None,
        kostnadssted=None,
        vurderingsflyt=old.vurderingsflyt,
        fattet_av=p.user_id,
        fattet_av_navn=p.name,
        fattet_at=now,
    )
    uow.session.add(row)
    old.gjeldende = False
    sak.status = Status.OPPHEVET
    sak.endret_at = now
    uow.publish(
        VedtakOpphevet(
            vedtak_id=row.id,
            opphever_vedtak_id=old.id,
            soknad_id=sak.soknad_id,
            lopenummer=sak.lopenummer,
            begrunnelse=opphev.begrunnelse,
            gjelder_fra=gjelder_fra,
            opphevet_av=p.user_id,
            opphevet_av_navn=p.name,
            opphevet_at=now,
            kategori=sak.kategori,
            enhet=sak.enhet or None,
        ),
        hf=sak.hf,
        subject=sak.lopenummer,
    )
    history(uow, sak, p, "vedtak_opphevet", f"Vedtaket er opphevet fra {gjelder_fra:%d.%m.%Y}")
    uow.audit(p, action="skriv", what="beslutning.oppheve", case_ref=sak.lopenummer, purpose="Oppheve vedtak")
    await uow.session.flush()
    return await visning(uow, sak)
