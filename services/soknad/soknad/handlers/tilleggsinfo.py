"""Requests for more information: the applicant (or a co-author) answers, and the assessment resumes."""

from __future__ import annotations

from shared.events.contracts import TilleggsinformasjonBesvart
from shared.platform.auth.principal import Principal
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import InvalidTransition, NotFound, ValidationFailed
from soknad.domain import Status
from soknad.handlers.common import history, read, require_editor
from soknad.samarbeid import SVAR_MAX
from soknad.store.tilleggsinfo import TilleggsinfoSporsmal, sporsmal_for


@use_case
async def list_sporsmal(
    uow: UnitOfWork, p: Principal, soknad_id: str, *, purpose: str
) -> list[TilleggsinfoSporsmal]:
    """The questions of an application and their answers (an audited read of the application)."""
    await read.within(uow, p, soknad_id, purpose=purpose)
    return await sporsmal_for(uow.session, soknad_id)


@use_case
async def besvare(
    uow: UnitOfWork, p: Principal, soknad_id: str, sporsmal_id: str, *, svar: str
) -> TilleggsinfoSporsmal:
    # Read first: another trust's or a stranger's case is "not found", never "forbidden".
    soknad = await read.within(uow, p, soknad_id, purpose="Svare på spørsmål fra vurderingen")
    require_editor(p, soknad)
    sporsmal = await uow.session.get(TilleggsinfoSporsmal, sporsmal_id)
    if sporsmal is None or sporsmal.soknad_id != soknad.id:
        raise NotFound("Spørsmålet finnes ikke i denne søknaden.")
    svar = svar.strip()
    if not svar:
        raise ValidationFailed("Skriv svaret ditt før du sender.", field="svar")
    if len(svar) > SVAR_MAX:
        raise ValidationFailed(f"Svaret er for langt (høyst {SVAR_MAX} tegn).", field="svar")
    if sporsmal.svar is not None:
        raise InvalidTransition(
            f"Spørsmålet er allerede besvart av {sporsmal.besvart_av_navn}. Svaret ditt er ikke sendt; "
            "kopier det om du vil legge det til på annen måte."
        )
    if soknad.status in (Status.VEDTATT, Status.TRUKKET):
        raise InvalidTransition("Søknaden er avgjort eller trukket, og spørsmålet kan ikke lenger besvares.")
    now = uow.now
    sporsmal.svar = svar
    sporsmal.besvart_at = now
    sporsmal.besvart_av = p.user_id
    sporsmal.besvart_av_navn = p.name
    await uow.session.flush()
    still_open = [s for s in await sporsmal_for(uow.session, soknad.id) if s.svar is None]
    if soknad.status == Status.TILLEGGSINFO_ETTERSPURT and not still_open:
        soknad.status = Status.UNDER_VURDERING
    soknad.endret_at = now
    history(uow, soknad, p, "tilleggsinfo_besvart", "Svarte på spørsmål fra vurderingen")
    uow.audit(
        p,
        action="skriv",
        what="soknad.tilleggsinfo_svar",
        case_ref=soknad.lopenummer,
        purpose="Svare på spørsmål fra vurderingen",
    )
    assert soknad.lopenummer
    uow.publish(
        TilleggsinformasjonBesvart(
            sporsmal_id=sporsmal.id,
            soknad_id=soknad.id,
            lopenummer=soknad.lopenummer,
            svar=svar,
            besvart_at=now,
        ),
        hf=soknad.hf,
        subject=soknad.lopenummer,
    )
    await uow.session.flush()
    return sporsmal
