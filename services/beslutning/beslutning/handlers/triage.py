"""The director's triage: forenklet (she decides directly) or komplett (the committee assesses first,
named members by a deadline). Without `SakSendtTilKomite` a case never enters the committee's queue."""

from __future__ import annotations

from beslutning.domain import Behandlingstider, Status, TriageInput, check_triage
from beslutning.handlers.common import SakVisning, fresh, guard_race, history, load, visning
from beslutning.store import Sak
from shared.domain.kalender import oslo_date
from shared.events.common import Komitemedlem
from shared.events.contracts import SakSendtTilKomite, SakTilForenkletBehandling
from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.katalog.katalog import Organisasjon


def publish_forenklet(uow: UnitOfWork, p: Principal, sak: Sak) -> None:
    """The register shows who chose the simplified flow and when the decision is due."""
    uow.publish(
        SakTilForenkletBehandling(
            soknad_id=sak.soknad_id,
            lopenummer=sak.lopenummer,
            frist=sak.frist,
            valgt_av=p.user_id,
            valgt_av_navn=p.name,
            valgt_at=uow.now,
        ),
        hf=sak.hf,
        subject=sak.lopenummer,
    )


@use_case
async def triage(
    uow: UnitOfWork,
    p: Principal,
    sak_id: str,
    *,
    valg: TriageInput,
    org: Organisasjon,
    navn: dict[str, str],
    tider: Behandlingstider,
    versjon: int | None = None,
) -> SakVisning:
    """`org`: the trust's directory (its committee); `navn`: the committee members' names."""
    p.require(Role.FAGDIREKTOR)
    guard_race(uow, sak_id, versjon)
    sak = await load(uow, p, sak_id)
    now = uow.now
    check_triage(valg, status=sak.status, kategori=sak.kategori, komite=set(org.komite), today=oslo_date(now))
    fresh(sak, versjon)
    sak.vurderingsflyt = valg.flyt
    sak.triagert_at = now
    sak.triagert_av_navn = p.name
    sak.frist = tider.frist(oslo_date(sak.forankret_at), valg.flyt)
    sak.forfalt_varslet = False
    sak.endret_at = now
    if valg.flyt == "forenklet":
        sak.status = Status.KLAR_FOR_VEDTAK
        publish_forenklet(uow, p, sak)
        history(uow, sak, p, "triagert", "Forenklet flyt: fagdirektøren avgjør saken direkte")
    else:
        assert valg.frist is not None  # check_triage
        medlemmer = [Komitemedlem(id=m, navn=navn.get(m, m)) for m in valg.medlemmer]
        sak.status = Status.VENTER_PA_ANBEFALING
        sak.komite_sendt_at = now
        sak.komite = {
            "medlemmer": [m.model_dump() for m in medlemmer],
            "frist": valg.frist.isoformat(),
            "merknad": valg.merknad,
            "sendt_av_navn": p.name,
            "sendt_at": now.isoformat(),
        }
        uow.publish(
            SakSendtTilKomite(
                soknad_id=sak.soknad_id,
                lopenummer=sak.lopenummer,
                medlemmer=medlemmer,
                frist=valg.frist,
                merknad=valg.merknad,
                sendt_av=p.user_id,
                sendt_av_navn=p.name,
                sendt_at=now,
            ),
            hf=sak.hf,
            subject=sak.lopenummer,
        )
        names = ", ".join(m.navn for m in medlemmer)
        history(
            uow,
            sak,
            p,
            "sendt_til_komite",
            f"Komplett flyt: sendt til komiteen ({names}), frist {valg.frist:%d.%m.%Y}",
        )
    uow.audit(p, action="skriv", what="beslutning.triage", case_ref=sak.lopenummer, purpose="Velge flyt")
    await uow.session.flush()
    return await visning(uow, sak)
