"""Drafts: create, save (autosave), co-authors, send."""

from __future__ import annotations

import uuid

from shared.auth.demo import enhet_navn
from shared.auth.principal import Principal, Role
from shared.db.uow import UnitOfWork
from shared.errors import ValidationFailed
from shared.events.contracts import (
    SoknadTrukket,
)
from soknad import store
from soknad.domain import EDITABLE, SoknadInnhold, Status, format_lopenummer, missing_for_sending, transition
from soknad.handlers.common import check_fodselsnummer, history, load, require_editor, require_fresh
from soknad.store import Medforfatter, Soknad


async def create_draft(
    uow: UnitOfWork,
    p: Principal,
    *,
    type_: str,
    kategori: str,
    enhet: str,
    allow_synthetic: bool,
    innhold: SoknadInnhold | None = None,
) -> Soknad:
    p.require(Role.SOKER)
    innhold = innhold or SoknadInnhold()
    check_fodselsnummer(innhold, allow_synthetic=allow_synthetic)
    now = uow.now
    soknad = Soknad(
        id=str(uuid.uuid4()),
        hf=p.hf,
        type=type_,
        kategori=kategori,
        status=Status.UTKAST,
        soker_id=p.user_id,
        soker_navn=p.name,
        enhet=enhet,
        medforfattere=[],
        innhold=innhold.model_dump(mode="json"),
        opprettet_at=now,
        endret_at=now,
        endret_av=p.user_id,
    )
    soknad.sync_search_columns()
    uow.session.add(soknad)
    await uow.session.flush()
    history(uow, soknad, p, "opprettet", "Utkast opprettet")
    uow.audit(p, action="skriv", what="soknad.opprett", case_ref=soknad.id, purpose="Skrive søknad")
    return soknad


async def save_draft(
    uow: UnitOfWork,
    p: Principal,
    soknad_id: str,
    *,
    versjon: int | None,
    innhold: SoknadInnhold,
    allow_synthetic: bool,
    kategori: str | None = None,
    type_: str | None = None,
    enhet: str | None = None,
) -> Soknad:
    soknad = await load(uow, soknad_id)
    require_editor(p, soknad)
    require_fresh(soknad, versjon)
    if soknad.status not in EDITABLE:
        raise ValidationFailed("Søknaden er sendt og kan ikke lenger endres.")
    check_fodselsnummer(innhold, allow_synthetic=allow_synthetic)
    soknad.innhold = innhold.model_dump(mode="json")
    soknad.sync_search_columns()
    soknad.kategori = kategori or soknad.kategori
    soknad.type = type_ or soknad.type
    soknad.enhet = enhet or soknad.enhet
    soknad.endret_at = uow.now
    soknad.endret_av = p.user_id
    uow.audit(p, action="skriv", what="soknad.lagre", case_ref=soknad.id, purpose="Skrive søknad")
    await uow.session.flush()
    return soknad


async def add_medforfatter(uow: UnitOfWork, p: Principal, soknad_id: str, *, user_id: str) -> Soknad:
    soknad = await load(uow, soknad_id)
    require_editor(p, soknad)
    if user_id not in soknad.medforfattere and user_id != soknad.soker_id:
        soknad.medforfattere = [*soknad.medforfattere, user_id]
        uow.session.add(Medforfatter(soknad_id=soknad.id, user_id=user_id))
        history(uow, soknad, p, "medforfatter", f"La til medforfatter {user_id}")
    return soknad


async def send(
    uow: UnitOfWork, p: Principal, soknad_id: str, *, versjon: int | None, allow_synthetic: bool
) -> Soknad:
    soknad = await load(uow, soknad_id)
    require_editor(p, soknad)
    require_fresh(soknad, versjon)
    target = transition(soknad.status, "send")
    innhold = SoknadInnhold.model_validate(soknad.innhold)
    check_fodselsnummer(innhold, allow_synthetic=allow_synthetic)
    missing = missing_for_sending(soknad.type, innhold)  # type: ignore[arg-type]
    if missing:
        raise ValidationFailed(
            f"Søknaden mangler {len(missing)} opplysning(er) før den kan sendes.",
            field=missing[0][0],
            extra={"errors": [{"field": f, "message": m} for f, m in missing]},
        )
    now = uow.now
    if soknad.lopenummer is None:
        seq = await store.next_lopenummer_seq(uow.session, hf=soknad.hf, aar=now.year)
        soknad.lopenummer = format_lopenummer(soknad.hf, now.year, seq)
    soknad.status = target
    soknad.sendt_at = now
    soknad.endret_at = now
    soknad.endret_av = p.user_id
    soknad.retur_kommentar = None
    history(uow, soknad, p, "sendt", f"Sendt til forankring hos {enhet_navn(soknad.enhet)}")
    uow.audit(p, action="skriv", what="soknad.send", case_ref=soknad.lopenummer, purpose="Sende søknad")
    await uow.session.flush()
    return soknad


async def trekke(uow: UnitOfWork, p: Principal, soknad_id: str) -> Soknad:
    soknad = await load(uow, soknad_id)
    require_editor(p, soknad)
    was_anchored = soknad.forankret_at is not None
    soknad.status = transition(soknad.status, "trekke")
    soknad.endret_at = uow.now
    history(uow, soknad, p, "trukket", "Søknaden ble trukket av søker")
    uow.audit(
        p,
        action="skriv",
        what="soknad.trekke",
        case_ref=soknad.lopenummer or soknad.id,
        purpose="Trekke søknad",
    )
    if was_anchored and soknad.lopenummer:
        uow.publish(
            SoknadTrukket(soknad_id=soknad.id, lopenummer=soknad.lopenummer, trukket_at=uow.now),
            hf=soknad.hf,
            subject=soknad.lopenummer,
        )
    await uow.session.flush()
    return soknad


async def list_mine(uow: UnitOfWork, p: Principal) -> list[Soknad]:
    p.require(Role.SOKER)
    return await store.list_for_soker(uow.session, hf=p.hf, user_id=p.user_id)
