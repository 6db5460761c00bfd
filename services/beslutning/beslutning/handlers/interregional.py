"""Tilgangsordningen: the director screens the case for clinical exceptionality and forwards it to the
interregional vurderingskomité, then registers that committee's decision, which travels as any other
decision (`VedtakFattet` with `vurderingsflyt="interregional"`)."""

from __future__ import annotations

from beslutning.domain import (
    UTFALL_LABELS,
    Behandlingstider,
    InterregionaltVedtakInput,
    Status,
    VedtakInput,
    VideresendInput,
    check_interregional,
)
from beslutning.handlers.common import SakVisning, fresh, guard_race, history, load, visning
from beslutning.handlers.vedtak import ALREADY_DECIDED, write_vedtak
from shared.domain.kalender import oslo_date
from shared.events.contracts import SakVideresendtInterregionalt
from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import InvalidTransition
from shared.platform.katalog.katalog import Organisasjon

NOT_TILGANG = "Bare saker i tilgangsordningen videresendes til den interregionale vurderingskomiteen."


@use_case
async def forward(
    uow: UnitOfWork,
    p: Principal,
    sak_id: str,
    *,
    valg: VideresendInput,
    tider: Behandlingstider,
    versjon: int | None = None,
) -> SakVisning:
    p.require(Role.FAGDIREKTOR)
    guard_race(uow, sak_id, versjon)
    sak = await load(uow, p, sak_id)
    if sak.kategori != "tilgangsordningen":
        raise InvalidTransition(NOT_TILGANG)
    if sak.status not in (Status.TIL_TRIAGE, Status.KLAR_FOR_VEDTAK):
        raise InvalidTransition("Saken er allerede videresendt, avgjort eller venter på svar.")
    fresh(sak, versjon)
    now = uow.now
    sak.status = Status.HOS_INTERREGIONAL
    sak.vurderingsflyt = "interregional"
    sak.triagert_at = sak.triagert_at or now
    sak.triagert_av_navn = sak.triagert_av_navn or p.name
    sak.videresendt_at = now
    sak.frist = tider.frist(oslo_date(sak.forankret_at), "interregional")
    sak.forfalt_varslet = False
    sak.interregional = {
        "videresendt_at": now.isoformat(),
        "videresendt_av": p.user_id,
        "videresendt_av_navn": p.name,
        "merknad": valg.merknad,
    }
    sak.endret_at = now
    uow.publish(
        SakVideresendtInterregionalt(
            soknad_id=sak.soknad_id,
            lopenummer=sak.lopenummer,
            frist=sak.frist,
            videresendt_av=p.user_id,
            videresendt_av_navn=p.name,
            videresendt_at=now,
        ),
        hf=sak.hf,
        subject=sak.lopenummer,
    )
    history(
        uow,
        sak,
        p,
        "videresendt_interregional",
        "Klinisk eksepsjonell: videresendt til den interregionale vurderingskomiteen",
    )
    uow.audit(
        p,
        action="skriv",
        what="beslutning.videresende",
        case_ref=sak.lopenummer,
        purpose="Videresende (tilgangsordningen)",
    )
    await uow.session.flush()
    return await visning(uow, sak)


@use_case
async def register(
    uow: UnitOfWork,
    p: Principal,
    sak_id: str,
    *,
    vedtak: InterregionaltVedtakInput,
    versjon: int | None = None,
    org: Organisasjon | None = None,
) -> SakVisning:
    """The interregional committee's decision, registered by the trust's director."""
    p.require(Role.FAGDIREKTOR)
    uow.on_duplicate(ALREADY_DECIDED)
    guard_race(uow, sak_id, versjon)
    sak = await load(uow, p, sak_id)
    if sak.status != Status.HOS_INTERREGIONAL:
        raise InvalidTransition(
            "Bare en sak som er videresendt til den interregionale vurderingskomiteen kan få "
            "registrert dens vedtak."
        )
    fresh(sak, versjon)
    now = uow.now
    check_interregional(vedtak, today=oslo_date(now))
    # The decision without the registration's own fields.
    base = vedtak.model_dump(exclude={"referanse", "vedtaksdato"})
    write_vedtak(
        uow,
        p,
        sak,
        VedtakInput.model_validate(base),
        flyt="interregional",
        now=now,
        interregional_referanse=vedtak.referanse,
        interregional_vedtaksdato=vedtak.vedtaksdato,
        enhet_navn=org.enhet_navn(sak.enhet) if org else None,
    )
    sak.interregional = {
        **(sak.interregional or {}),
        "referanse": vedtak.referanse,
        "vedtaksdato": vedtak.vedtaksdato.isoformat(),
        "utfall": vedtak.utfall,
        "begrunnelse": vedtak.begrunnelse,
        "registrert_av_navn": p.name,
        "registrert_at": now.isoformat(),
    }
    sak.status = Status.VEDTATT
    sak.vedtatt_at = now
    sak.endret_at = now
    history(
        uow,
        sak,
        p,
        "interregionalt_vedtak",
        f"Den interregionale vurderingskomiteens vedtak ({vedtak.referanse}, {vedtak.vedtaksdato:%d.%m.%Y}): "
        f"{UTFALL_LABELS[vedtak.utfall]}",
    )
    uow.audit(
        p,
        action="skriv",
        what="beslutning.interregionalt_vedtak",
        case_ref=sak.lopenummer,
        purpose="Registrere interregionalt vedtak",
    )
    await uow.session.flush()
    return await visning(uow, sak)
