"""Requests for more information from the committee or the director: the applicant (or a co-author)
answers, may update answers of the application with it, and the assessment resumes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.domain.kalender import oslo_date
from shared.events.common import Seksjonsvisning
from shared.events.contracts import TilleggsinformasjonBesvart
from shared.platform.auth.principal import Principal
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import InvalidTransition, NotFound, ValidationFailed
from soknad.domain import Status
from soknad.handlers.common import history, mark_personal_data, read, require_editor, validation_failed
from soknad.handlers.snapshot import visning
from soknad.handlers.utkast import changed_answers
from soknad.samarbeid import SVAR_MAX
from soknad.skjema.register import SkjemaRegister
from soknad.skjema.regler import missing_for_sending
from soknad.skjema.validering import is_empty, merge_answers, validate_answers
from soknad.store import Soknad
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
    uow: UnitOfWork,
    p: Principal,
    soknad_id: str,
    sporsmal_id: str,
    *,
    svar: str,
    innhold: Mapping[str, Any] | None = None,
    skjemaer: SkjemaRegister | None = None,
    allow_synthetic: bool = False,
) -> TilleggsinfoSporsmal:
    """`innhold`: answers of the application to update with the answer (by question id, as a draft
    saves them; answers left out are kept). They are checked with the form's own rules, and the
    application must still be complete; otherwise nothing is saved, neither the answer nor the changes."""
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
    endrede: list[str] = []
    sider: list[Seksjonsvisning] = []
    if innhold:
        assert skjemaer is not None, "updating answers needs the form definitions"
        endrede = _update_answers(uow, p, soknad, innhold, skjemaer=skjemaer, allow_synthetic=allow_synthetic)
        if endrede:
            sider = visning(soknad, skjemaer=skjemaer, allow_synthetic=allow_synthetic, today=oslo_date(now))
    sporsmal.svar = svar
    sporsmal.besvart_at = now
    sporsmal.besvart_av = p.user_id
    sporsmal.besvart_av_navn = p.name
    sporsmal.endrede_felt = endrede or None
    await uow.session.flush()
    still_open = [s for s in await sporsmal_for(uow.session, soknad.id) if s.svar is None]
    if soknad.status == Status.TILLEGGSINFO_ETTERSPURT and not still_open:
        soknad.status = Status.UNDER_VURDERING
    soknad.endret_at = now
    spurt_av = sporsmal.spurt_av_navn or (
        "fagdirektøren" if sporsmal.kilde == "beslutning" else "vurderingen"
    )
    endret = f" og endret {len(endrede)} svar i søknaden" if endrede else ""
    history(uow, soknad, p, "tilleggsinfo_besvart", f"Svarte på spørsmål fra {spurt_av}{endret}")
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
            besvart_av_navn=p.name,
            endrede_felt=endrede,
            visning=sider,
            endrede_svar={felt: (soknad.innhold or {}).get(felt) for felt in endrede},
        ),
        hf=soknad.hf,
        subject=soknad.lopenummer,
    )
    await uow.session.flush()
    return sporsmal


def _update_answers(
    uow: UnitOfWork,
    p: Principal,
    soknad: Soknad,
    innhold: Mapping[str, Any],
    *,
    skjemaer: SkjemaRegister,
    allow_synthetic: bool,
) -> list[str]:
    """Write the changed answers into the sent application; the ids of those that changed."""
    skjema = skjemaer.get(soknad.skjema_versjon)
    today = oslo_date(uow.now)
    clean, errors = validate_answers(skjema, innhold, allow_synthetic=allow_synthetic, today=today)
    if errors:
        raise validation_failed(errors, f"{len(errors)} svar har feil format. Ingenting er sendt ennå.")
    stored = soknad.innhold or {}
    # The page sends every answer back; only those that really differ are changes (a composite's empty
    # part, e.g. a drug without a FEST id, is the same answer as one without that part).
    clean = {key: value for key, value in clean.items() if not _same(stored.get(key), value)}
    merged = merge_answers(stored, clean)
    endrede = changed_answers(stored, merged)
    if not endrede:
        return []
    missing = missing_for_sending(
        skjema,
        type_=soknad.type,
        kategori=soknad.kategori,
        innhold=merged,
        allow_synthetic=allow_synthetic,
        today=today,
    )
    if missing:
        raise validation_failed(
            missing, f"Søknaden ville mangle {len(missing)} opplysning(er). Ingenting er sendt ennå."
        )
    mark_personal_data(merged)
    soknad.innhold = merged
    soknad.sync_search_columns()
    soknad.endret_av = p.user_id
    # The field history is read from the audit log's writes to the answers (`store.endringer`).
    uow.audit(
        p, action="skriv", what="soknad.lagre", case_ref=soknad.id, purpose="Svare på spørsmål", felt=endrede
    )
    return endrede


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, dict) and isinstance(new, dict):
        new = {**old, **new}

        def given(answer: dict[str, Any]) -> dict[str, Any]:
            return {k: v for k, v in answer.items() if k == "verifisert" or not is_empty(v)}

        return given(old) == given(new)
    return (is_empty(old) and is_empty(new)) or old == new
