"""Follow-up after an approval: the applicant registers how the treatment went; due evaluations remind."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from shared.domain.kalender import oslo_date
from shared.events.contracts import OppfolgingRegistrert
from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import ValidationFailed
from soknad.handlers.common import history, read, require_editor
from soknad.handlers.varsler import notify_due_once
from soknad.samarbeid import (
    AVSLUTNINGSARSAK_LABELS,
    BIVIRKNINGSGRAD_LABELS,
    EFFEKT_LABELS,
    Forfall,
    check_oppfolging,
    check_oppfolging_allowed,
    evaluation_due,
    is_avslutningsarsak,
    is_bivirkningsgrad,
    is_effekt,
    parse_evalueringsdato,
)
from soknad.store import Soknad
from soknad.store.oppfolging import Oppfolging, approved_cases, latest_by_soknad, oppfolging_for


@use_case
async def registrere(
    uow: UnitOfWork,
    p: Principal,
    soknad_id: str,
    *,
    effekt: str,
    bivirkninger: bool | None,
    bivirkninger_beskrivelse: str,
    fortsetter: bool | None,
    begrunnelse: str,
    avslutningsarsak: str = "",
    bivirkningsgrad: str = "",
) -> Oppfolging:
    # Read first: another trust's or a stranger's case is "not found", never "forbidden".
    soknad = await read.within(uow, p, soknad_id, purpose="Registrere oppfølging")
    require_editor(p, soknad)
    check_oppfolging_allowed(status=soknad.status, utfall=soknad.utfall)
    bivirkninger_beskrivelse, begrunnelse = bivirkninger_beskrivelse.strip(), begrunnelse.strip()
    errors = check_oppfolging(
        effekt=effekt,
        bivirkninger=bivirkninger,
        bivirkninger_beskrivelse=bivirkninger_beskrivelse,
        fortsetter=fortsetter,
        begrunnelse=begrunnelse,
        avslutningsarsak=avslutningsarsak,
        bivirkningsgrad=bivirkningsgrad,
    )
    if errors:
        raise ValidationFailed(
            errors[0][1],
            field=errors[0][0],
            extra={"errors": [{"field": f, "message": m} for f, m in errors]},
        )
    assert bivirkninger is not None and fortsetter is not None and soknad.lopenummer and is_effekt(effekt)
    arsak = avslutningsarsak if not fortsetter and is_avslutningsarsak(avslutningsarsak) else None
    grad = bivirkningsgrad if bivirkninger and is_bivirkningsgrad(bivirkningsgrad) else None
    now = uow.now
    row = Oppfolging(
        id=str(uuid.uuid4()),
        soknad_id=soknad.id,
        hf=soknad.hf,
        effekt=effekt,
        bivirkninger=bivirkninger,
        bivirkninger_beskrivelse=bivirkninger_beskrivelse if bivirkninger else None,
        fortsetter=fortsetter,
        begrunnelse=begrunnelse or None,
        avslutningsarsak=arsak,
        bivirkningsgrad=grad,
        registrert_at=now,
        registrert_av=p.user_id,
        registrert_av_navn=p.name,
    )
    uow.session.add(row)
    history(
        uow,
        soknad,
        p,
        "oppfolging",
        f"Registrerte oppfølging: {EFFEKT_LABELS[effekt].lower()}, "
        + (f"bivirkninger ({BIVIRKNINGSGRAD_LABELS[grad].lower()})" if grad else "uten bivirkninger")
        + ", behandlingen "
        + (f"er avsluttet ({AVSLUTNINGSARSAK_LABELS[arsak].lower()})" if arsak else "fortsetter"),
    )
    uow.audit(
        p,
        action="skriv",
        what="soknad.oppfolging",
        case_ref=soknad.lopenummer,
        purpose="Registrere oppfølging",
    )
    # Only coded answers travel: the free texts may describe the patient and stay in the trust.
    uow.publish(
        OppfolgingRegistrert(
            soknad_id=soknad.id,
            lopenummer=soknad.lopenummer,
            effekt=row.effekt,
            bivirkninger=bivirkninger,
            fortsetter=fortsetter,
            registrert_at=now,
            avslutningsarsak=row.avslutningsarsak,
            bivirkningsgrad=row.bivirkningsgrad,
        ),
        hf=soknad.hf,
        subject=soknad.lopenummer,
    )
    await uow.session.flush()
    return row


@dataclass(frozen=True)
class Oppfolgingsside:
    """The follow-up page: the application, its follow-ups (newest first) and today in Norway."""

    soknad: Soknad
    oppfolginger: list[Oppfolging]
    idag: date


@use_case
async def list_oppfolging(uow: UnitOfWork, p: Principal, soknad_id: str, *, purpose: str) -> Oppfolgingsside:
    """The follow-ups of an application (an audited read of the application)."""
    soknad = await read.within(uow, p, soknad_id, purpose=purpose)
    return Oppfolgingsside(soknad, await oppfolging_for(uow.session, soknad_id), oslo_date(uow.now))


async def forfaller_for(uow: UnitOfWork, p: Principal) -> list[Forfall]:
    """Approved cases of this applicant or this leader's unit whose evaluation is due; the first time
    a case shows up here, the person also gets a notification (computed on read: no scheduler)."""
    cases = []
    if p.has(Role.SOKER):
        cases += await approved_cases(uow.session, hf=p.hf, user_id=p.user_id)
    if p.has(Role.LEDER) and p.enhet:
        cases += await approved_cases(uow.session, hf=p.hf, enhet=p.enhet)
    if not cases:
        return []
    unique = {s.id: s for s in cases}
    latest = await latest_by_soknad(uow.session, list(unique))
    idag = oslo_date(uow.now)
    due = [
        f
        for s in unique.values()
        if (
            f := evaluation_due(
                soknad_id=s.id,
                lopenummer=s.lopenummer,
                status=s.status,
                utfall=s.utfall,
                evalueringsdato=parse_evalueringsdato(s.vedtak),
                siste_oppfolging=oslo_date(latest[s.id]) if s.id in latest else None,
                idag=idag,
            )
        )
        is not None
    ]
    due.sort(key=lambda f: f.evalueringsdato)
    await notify_due_once(uow, p, due)
    return due
