"""Drafts: create, save (autosave), co-authors, send."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from shared.domain.kalender import oslo_date
from shared.events.contracts import SoknadSendt, SoknadTrukket
from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case
from shared.platform.errors import NotFound, ValidationFailed
from shared.platform.katalog import Katalog, Person
from soknad import store
from soknad.domain import EDITABLE, Status, format_lopenummer, transition
from soknad.handlers.common import (
    history,
    load,
    mark_personal_data,
    read,
    require_editor,
    require_fresh,
    validation_failed,
)
from soknad.skjema.modell import Skjema
from soknad.skjema.register import SkjemaRegister
from soknad.skjema.regler import Vurdering, missing_for_sending, vurder
from soknad.skjema.validering import derive, is_empty, merge_answers, validate_answers
from soknad.store import Medforfatter, Soknad
from soknad.store import utkast as lagring
from soknad.store.core import search_columns
from soknad.store.utkast import Utkast

KATEGORI_FELT = "kategori"
TYPE_FELT = "type"
ENHET_FELT = "enhet"
"""Pseudo question ids in the field history for the choices kept outside `innhold`."""


# Today where the clinicians are: a consent signed this morning is not in the future.
local_date = oslo_date


def _local_date(uow: UnitOfWork) -> date:
    return oslo_date(uow.now)


@dataclass(frozen=True)
class Skjemastatus:
    """What the page needs to follow the form without a reload: visible questions, completeness per
    section, derived age and sex, and every missing or invalid answer."""

    skjema: Skjema
    vurdering: Vurdering
    avledet: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Utfylling:
    """An application with the state of its form, as the API and the pages answer it."""

    soknad: Soknad
    state: Skjemastatus


@dataclass(frozen=True)
class Lagret:
    """A saved draft: the columns written, the form's state after the save, the answers held back
    because they were invalid (`errors`, only with `keep_valid`) and, when asked for, the whole
    application (`soknad`)."""

    utkast: Utkast
    state: Skjemastatus
    errors: list[dict[str, str]]
    soknad: Soknad | None = None


def form_state(
    soknad: Soknad | Utkast,
    *,
    today: date,
    skjemaer: SkjemaRegister,
    allow_synthetic: bool,
    innhold: Mapping[str, Any] | None = None,
) -> Skjemastatus:
    skjema = skjemaer.get(soknad.skjema_versjon)
    answers = soknad.innhold if innhold is None else innhold
    return Skjemastatus(
        skjema=skjema,
        vurdering=vurder(
            skjema,
            type_=soknad.type,
            kategori=soknad.kategori,
            innhold=answers or {},
            allow_synthetic=allow_synthetic,
            today=today,
        ),
        avledet=derive(skjema, answers or {}, today=today),
    )


def _validated(
    uow: UnitOfWork, skjema: Skjema, answers: Mapping[str, Any], *, allow_synthetic: bool
) -> dict[str, Any]:
    clean, errors = validate_answers(skjema, answers, allow_synthetic=allow_synthetic, today=_local_date(uow))
    if errors:
        raise validation_failed(errors, f"{len(errors)} svar har feil format og er ikke lagret.")
    return clean


def changed_answers(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    changed = []
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key), after.get(key)
        if (is_empty(old) and is_empty(new)) or old == new:
            continue
        changed.append(key)
    return changed


@use_case
async def create_draft(
    uow: UnitOfWork,
    p: Principal,
    *,
    type_: str,
    kategori: str,
    enhet: str,
    allow_synthetic: bool,
    skjemaer: SkjemaRegister,
    katalog: Katalog,
    innhold: Mapping[str, Any] | None = None,
) -> Utfylling:
    p.require(Role.SOKER)
    await _require_known_enhet(katalog, p.hf, enhet)
    skjema = skjemaer.latest
    answers = merge_answers({}, _validated(uow, skjema, innhold or {}, allow_synthetic=allow_synthetic))
    mark_personal_data(answers)
    now = uow.now
    soknad = Soknad(
        id=str(uuid.uuid4()),
        hf=p.hf,
        type=type_,
        kategori=kategori,
        status=Status.UTKAST,
        soker_id=p.user_id,
        soker_navn=p.name,
        soker_hpr=p.hpr_number,
        enhet=enhet,
        medforfattere=[],
        innhold=answers,
        skjema_versjon=skjema.versjon,
        opprettet_at=now,
        endret_at=now,
        endret_av=p.user_id,
    )
    soknad.sync_search_columns()
    uow.session.add(soknad)
    await uow.session.flush()
    history(uow, soknad, p, "opprettet", "Utkast opprettet")
    # The audit entry names the fields written: the field history is read from it (store.endringer).
    uow.audit(
        p,
        action="skriv",
        what="soknad.opprett",
        case_ref=soknad.id,
        purpose="Skrive søknad",
        felt=list(answers),
    )
    return Utfylling(
        soknad, form_state(soknad, today=_local_date(uow), skjemaer=skjemaer, allow_synthetic=allow_synthetic)
    )


@use_case
async def read_utfylling(
    uow: UnitOfWork,
    p: Principal,
    soknad_id: str,
    *,
    purpose: str,
    skjemaer: SkjemaRegister,
    allow_synthetic: bool,
) -> Utfylling:
    """An application (an audited read) with the state of its form."""
    soknad = await read.within(uow, p, soknad_id, purpose=purpose)
    return Utfylling(
        soknad, form_state(soknad, today=_local_date(uow), skjemaer=skjemaer, allow_synthetic=allow_synthetic)
    )


@use_case
async def save_draft(
    uow: UnitOfWork,
    p: Principal,
    soknad_id: str,
    *,
    versjon: int | None,
    innhold: Mapping[str, Any],
    allow_synthetic: bool,
    skjemaer: SkjemaRegister,
    katalog: Katalog,
    kategori: str | None = None,
    type_: str | None = None,
    enhet: str | None = None,
    keep_valid: bool = False,
    full: bool = False,
) -> Lagret:
    """Answers left out of `innhold` are kept and an empty answer clears, so a page that holds back
    an invalid field never wipes what was saved before. Only the format of the answers given is
    checked: a half-written draft always saves. With `keep_valid`, invalid answers are held back and
    named in the result while the valid ones are saved (the page without JavaScript); otherwise they
    fail the save. `full`: load the whole application after the save, for an answer that shows it.

    A stale `versjon`, or another save that wins the race after the check, is a `StaleVersion` with
    both versions and who saved each answer (`stale_conflict`)."""
    today = _local_date(uow)
    errors: list[dict[str, str]] = []
    try:
        utkast = await _save(
            uow,
            p,
            soknad_id,
            versjon,
            innhold,
            allow_synthetic,
            skjemaer,
            kategori,
            type_,
            enhet,
            today,
            katalog,
        )
    except ValidationFailed as exc:
        if not keep_valid or "errors" not in exc.extra:
            raise
        errors = exc.extra["errors"]
        held_back = _held_back(innhold, errors)
        utkast = await _save(
            uow,
            p,
            soknad_id,
            versjon,
            held_back,
            allow_synthetic,
            skjemaer,
            kategori,
            type_,
            enhet,
            today,
            katalog,
        )
    state = form_state(utkast, today=today, skjemaer=skjemaer, allow_synthetic=allow_synthetic)
    return Lagret(utkast, state, errors, await load(uow, soknad_id) if full else None)


def _held_back(raw: Mapping[str, Any], errors: list[dict[str, str]]) -> dict[str, Any]:
    """The answers without the invalid ones, so everything else can still be saved."""
    kept = {key: (dict(value) if isinstance(value, dict) else value) for key, value in raw.items()}
    for error in errors:
        parts = error["field"].removeprefix("innhold.").split(".")
        if len(parts) == 2 and isinstance(kept.get(parts[0]), dict):
            kept[parts[0]].pop(parts[1], None)
        else:
            kept.pop(parts[0], None)
    return kept


async def _save(
    uow: UnitOfWork,
    p: Principal,
    soknad_id: str,
    versjon: int | None,
    innhold: Mapping[str, Any],
    allow_synthetic: bool,
    skjemaer: SkjemaRegister,
    kategori: str | None,
    type_: str | None,
    enhet: str | None,
    today: date,
    katalog: Katalog,
) -> Utkast:
    # Positional and plain: this is autosave's path, the most frequent request of the system.
    utkast = await lagring.load(uow.session, soknad_id)
    if utkast is None:
        raise NotFound("Søknaden finnes ikke.")
    require_editor(p, utkast)
    require_fresh(uow, p, utkast, versjon)
    if utkast.status not in EDITABLE:
        raise ValidationFailed("Søknaden er sendt og kan ikke lenger endres.")
    skjema = skjemaer.get(utkast.skjema_versjon)
    clean, problems = validate_answers(skjema, innhold, allow_synthetic=allow_synthetic, today=today)
    if problems:
        raise validation_failed(problems, f"{len(problems)} svar har feil format og er ikke lagret.")
    merged = merge_answers(utkast.innhold or {}, clean)
    mark_personal_data(merged)
    changed = changed_answers(utkast.innhold or {}, merged)
    if enhet:
        await _require_known_enhet(katalog, utkast.hf, enhet)
    choices: dict[str, str] = {}
    for felt, value in ((KATEGORI_FELT, kategori), (TYPE_FELT, type_), (ENHET_FELT, enhet)):
        if value and value != getattr(utkast, felt):
            choices[felt] = value
            changed.append(felt)
    if not changed:
        # Nothing new (autosave of an unchanged page): no new version, so co-authors get no conflict.
        return utkast
    values: dict[str, Any] = {"innhold": merged, "endret_at": uow.now, "endret_av": p.user_id, **choices}
    await lagring.save(uow.session, utkast, values | search_columns(merged))
    uow.audit(
        p, action="skriv", what="soknad.lagre", case_ref=utkast.id, purpose="Skrive søknad", felt=changed
    )
    return replace(utkast, versjon=utkast.versjon + 1, **values)


async def _require_known_enhet(katalog: Katalog, hf: str, enhet: str) -> None:
    # Sent to an unknown unit, an application would wait in nobody's inbox. A trust without a configured
    # unit list (an OIDC deployment before its admin has set one up) accepts the unit the user gives.
    known = (await katalog.org(hf)).koder
    if known and enhet not in known:
        raise ValidationFailed("Velg en enhet i ditt helseforetak.", field="enhet")


async def invitable_medforfattere(katalog: Katalog, soknad: Soknad, sok: str = "") -> list[Person]:
    """Physicians of the same trust whose name contains `sok` (case and accents ignored) who can be
    invited: not the applicant, not already co-authors."""
    return await katalog.medforfatter_kandidater(
        soknad.hf, sok, unntatt={soknad.soker_id, *soknad.medforfattere}
    )


async def user_names(katalog: Katalog, user_ids: list[str]) -> list[str]:
    return [await katalog.navn(user_id) for user_id in user_ids]


@use_case
async def add_medforfatter(
    uow: UnitOfWork, p: Principal, soknad_id: str, *, user_id: str, katalog: Katalog
) -> Soknad:
    soknad = await load(uow, soknad_id)
    require_editor(p, soknad)
    if user_id == soknad.soker_id or user_id in soknad.medforfattere:
        return soknad
    person = await katalog.person(user_id)
    invitee = person.principal() if person is not None and person.aktiv else None
    if invitee is None or invitee.hf != soknad.hf or not invitee.has(Role.SOKER):
        raise ValidationFailed(
            "Du kan bare invitere leger med søkerrolle i samme helseforetak.", field="user_id"
        )
    soknad.medforfattere = [*soknad.medforfattere, user_id]
    soknad.endret_at = uow.now
    uow.session.add(Medforfatter(soknad_id=soknad.id, user_id=user_id))
    history(uow, soknad, p, "medforfatter", f"La til medforfatter {invitee.name}")
    uow.audit(p, action="skriv", what="soknad.medforfatter", case_ref=soknad.id, purpose="Skrive søknad")
    await uow.session.flush()
    return soknad


@use_case
async def send(
    uow: UnitOfWork,
    p: Principal,
    soknad_id: str,
    *,
    versjon: int | None,
    allow_synthetic: bool,
    skjemaer: SkjemaRegister,
    katalog: Katalog,
) -> Soknad:
    soknad = await load(uow, soknad_id)
    require_editor(p, soknad)
    require_fresh(uow, p, soknad, versjon)
    target = transition(soknad.status, "send")
    missing = missing_for_sending(
        skjemaer.get(soknad.skjema_versjon),
        type_=soknad.type,
        kategori=soknad.kategori,
        innhold=soknad.innhold or {},
        allow_synthetic=allow_synthetic,
        today=_local_date(uow),
    )
    if missing:
        raise validation_failed(
            missing, f"Søknaden mangler {len(missing)} opplysning(er) før den kan sendes."
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
    enhet_navn = (await katalog.org(soknad.hf)).enhet_navn(soknad.enhet)
    history(uow, soknad, p, "sendt", f"Sendt til forankring hos {enhet_navn}")
    uow.audit(p, action="skriv", what="soknad.send", case_ref=soknad.lopenummer, purpose="Sende søknad")
    uow.publish(
        SoknadSendt(
            soknad_id=soknad.id,
            lopenummer=soknad.lopenummer,
            enhet=soknad.enhet,
            soker_id=p.user_id,
            soker_navn=p.name,
            sendt_at=now,
        ),
        hf=soknad.hf,
        subject=soknad.lopenummer,
    )
    await uow.session.flush()
    return soknad


@use_case
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


@use_case
async def list_mine(uow: UnitOfWork, p: Principal) -> list[Soknad]:
    p.require(Role.SOKER)
    return await store.list_for_soker(uow.session, hf=p.hf, user_id=p.user_id)
