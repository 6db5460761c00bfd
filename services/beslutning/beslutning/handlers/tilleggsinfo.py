"""The director asks the applicant for more information; the case waits and resumes on the answer
(`hendelser.on_tilleggsinformasjon_besvart`)."""

from __future__ import annotations

import uuid

from beslutning.domain import SporsmalInput, Status, check_svarfrist, transition
from beslutning.handlers.common import SakVisning, fresh, guard_race, history, load, visning
from shared.domain.kalender import oslo_date
from shared.domain.overganger import Handling
from shared.events.contracts import TilleggsinformasjonEtterspurtAvFagdirektor
from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case


@use_case
async def ask(
    uow: UnitOfWork, p: Principal, sak_id: str, *, valg: SporsmalInput, versjon: int | None = None
) -> SakVisning:
    p.require(Role.FAGDIREKTOR)
    guard_race(uow, sak_id, versjon)
    sak = await load(uow, p, sak_id)
    target = transition(sak.status, Handling.ETTERSPORRE)
    fresh(sak, versjon)
    now = uow.now
    check_svarfrist(valg, today=oslo_date(now))
    sporsmal_id = str(uuid.uuid4())
    sak.status_for_sporsmal = str(
        Status.KLAR_FOR_VEDTAK if sak.status == Status.TIL_TRIAGE and sak.vurderingsflyt else sak.status
    )
    sak.status = target
    sak.sporsmal = [
        *(sak.sporsmal or []),
        {
            "id": sporsmal_id,
            "sporsmal": valg.sporsmal,
            "svarfrist": valg.svarfrist.isoformat() if valg.svarfrist else None,
            "spurt_at": now.isoformat(),
            "spurt_av_navn": p.name,
        },
    ]
    sak.endret_at = now
    uow.publish(
        TilleggsinformasjonEtterspurtAvFagdirektor(
            sporsmal_id=sporsmal_id,
            soknad_id=sak.soknad_id,
            lopenummer=sak.lopenummer,
            sporsmal=valg.sporsmal,
            spurt_at=now,
            spurt_av_navn=p.name,
            svarfrist=valg.svarfrist,
        ),
        hf=sak.hf,
        subject=sak.lopenummer,
    )
    history(uow, sak, p, "tilleggsinfo_etterspurt", "Fagdirektøren ba søker om mer informasjon")
    uow.audit(
        p,
        action="skriv",
        what="beslutning.ettersporre",
        case_ref=sak.lopenummer,
        purpose="Be om mer informasjon",
    )
    await uow.session.flush()
    return await visning(uow, sak)
