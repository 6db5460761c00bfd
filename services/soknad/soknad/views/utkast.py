"""The applicant's pages: my applications, a draft, saving, the summary before sending, co-authors."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm.exc import StaleDataError

from shared.platform.auth.principal import Principal, Role
from shared.platform.errors import DomainError, StaleVersion, ValidationFailed
from shared.platform.web.deps import katalog_of, org_of
from soknad import handlers
from soknad.deps import CurrentPrincipal, Settings, Uow
from soknad.domain import EDITABLE, KATEGORI_LABELS, TYPE_LABELS
from soknad.handlers.common import load, stale_conflict
from soknad.handlers.utkast import form_state
from soknad.skjema.modell import Skjema
from soknad.skjema.register import Skjemaer
from soknad.skjema.validering import validate_answer
from soknad.store import Soknad
from soknad.views.common import (
    MESSAGES,
    answer_hash,
    answer_hashes,
    field_label,
    form_context,
    innhold_from_form,
    page,
    render,
    show_answer,
    skjemaer_of,
)

router = APIRouter(include_in_schema=False)


@router.get("/", name="mine")
async def mine(
    request: Request, p: CurrentPrincipal, uow: Uow, skjemaer: Skjemaer, settings: Settings
) -> Response:
    if not p.has(Role.SOKER):
        if p.has(Role.LEDER):
            return RedirectResponse(request.url_for("forankring_inbox"), status_code=303)
        if p.has(Role.ADMIN):
            return RedirectResponse(request.url_for("admin_hjelpetekster"), status_code=303)
        return render(request, "ingen_rolle.html", {}, status_code=403)
    rows = await handlers.list_mine(uow, p)
    fremdrift = {
        s.id: form_state(
            uow, s, skjemaer=skjemaer, allow_synthetic=settings.allow_synthetic_personnummer
        ).vurdering.fullforing()
        for s in rows
        if s.status in EDITABLE
    }
    return render(
        request,
        "mine.html",
        {
            "soknader": rows,
            "fremdrift": fremdrift,
            "enheter": org_of(request).enheter,
            "melding": MESSAGES.get(request.query_params.get("melding", "")),
        },
    )


@router.post("/ny")
async def ny(
    request: Request, p: CurrentPrincipal, uow: Uow, settings: Settings, skjemaer: Skjemaer
) -> Response:
    form = await request.form()
    errors: list[dict[str, str]] = []
    type_ = str(form.get("type", ""))
    kategori = str(form.get("kategori", ""))
    enhet = str(form.get("enhet", ""))
    if type_ not in TYPE_LABELS:
        errors.append({"field": "type", "message": "Velg om søknaden gjelder én pasient eller en gruppe."})
    if kategori not in KATEGORI_LABELS:
        errors.append({"field": "kategori", "message": "Velg ordning."})
    if enhet not in org_of(request).koder:
        errors.append({"field": "enhet", "message": "Velg enheten som skal forankre søknaden."})
    if errors:
        rows = await handlers.list_mine(uow, p)
        return render(
            request,
            "mine.html",
            {
                "soknader": rows,
                "fremdrift": {},
                "enheter": org_of(request).enheter,
                "errors": errors,
                "valgt": dict(form),
            },
            status_code=422,
        )
    soknad = await handlers.create_draft(
        uow,
        p,
        type_=type_,
        kategori=kategori,
        enhet=enhet,
        allow_synthetic=settings.allow_synthetic_personnummer,
        skjemaer=skjemaer,
        katalog=katalog_of(request),
    )
    await uow.commit()
    return RedirectResponse(request.url_for("soknad_side", soknad_id=soknad.id), status_code=303)


@router.get("/s/{soknad_id}", name="soknad_side")
async def side(request: Request, soknad_id: str, p: CurrentPrincipal, uow: Uow) -> Response:
    soknad = await handlers.read(uow, p, soknad_id, purpose="Lese søknad")
    await uow.commit()
    return await page(request, p, uow, soknad)


def _choice(form: dict[str, str], name: str, allowed: set[str]) -> str | None:
    value = form.get(name)
    return value if value in allowed else None


def _held_back(raw: dict[str, Any], errors: list[dict[str, str]]) -> dict[str, Any]:
    """The answers without the invalid ones, so everything else can still be saved."""
    kept = {key: (dict(value) if isinstance(value, dict) else value) for key, value in raw.items()}
    for error in errors:
        parts = error["field"].removeprefix("innhold.").split(".")
        if len(parts) == 2 and isinstance(kept.get(parts[0]), dict):
            kept[parts[0]].pop(parts[1], None)
        else:
            kept.pop(parts[0], None)
    return kept


@router.post("/s/{soknad_id}")
async def lagre(
    request: Request, soknad_id: str, p: CurrentPrincipal, uow: Uow, settings: Settings, skjemaer: Skjemaer
) -> Response:
    """The no-JavaScript save: the same use case as the autosave. Valid answers are saved even when
    others are invalid; a conflict shows both versions per field."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    raw = innhold_from_form(form)
    for key, choice in form.items():
        # «Bruk lagret» in the conflict panel: leave that answer as it is stored.
        if key.startswith("konflikt.") and choice == "lagret":
            raw.pop(key.removeprefix("konflikt."), None)
    versjon = int(form["versjon"]) if form.get("versjon", "").isdigit() else None
    arguments: dict[str, Any] = {
        "kategori": _choice(form, "kategori", set(KATEGORI_LABELS)),
        "enhet": _choice(form, "enhet", org_of(request).koder),
        "allow_synthetic": settings.allow_synthetic_personnummer,
        "skjemaer": skjemaer,
        "katalog": katalog_of(request),
    }
    errors: list[dict[str, str]] = []
    try:
        try:
            utkast = await handlers.save_draft(uow, p, soknad_id, versjon=versjon, innhold=raw, **arguments)
        except ValidationFailed as exc:
            if "errors" not in exc.extra:
                raise
            errors = exc.extra["errors"]
            utkast = await handlers.save_draft(
                uow, p, soknad_id, versjon=versjon, innhold=_held_back(raw, errors), **arguments
            )
        await uow.commit()
    except (StaleVersion, StaleDataError) as exc:
        # StaleDataError: another save won the race after our version check (PostgreSQL).
        await uow.rollback()
        soknad = await handlers.read(uow, p, soknad_id, purpose="Skrive søknad")
        stale = exc if isinstance(exc, StaleVersion) else StaleVersion("Noen andre har lagret i mellomtiden.")
        return await _conflict_page(request, p, uow, soknad, raw=raw, form=form, exc=stale)
    except DomainError as exc:
        await uow.rollback()
        soknad = await handlers.read(uow, p, soknad_id, purpose="Skrive søknad")
        errors = exc.extra.get("errors") or [{"field": exc.field or "", "message": exc.message}]
        return await page(request, p, uow, soknad, errors=errors, innhold=raw, status_code=exc.status)
    if errors:
        shown = {**utkast.innhold, **{k: v for k, v in raw.items()}}
        return await page(
            request,
            p,
            uow,
            await load(uow, soknad_id),
            errors=errors,
            innhold=shown,
            melding="Resten er lagret. Feltene med feil er ikke lagret: rett dem og lagre på nytt.",
            status_code=422,
        )
    if form.get("handling") == "send":
        state = form_state(
            uow, utkast, skjemaer=skjemaer, allow_synthetic=settings.allow_synthetic_personnummer
        )
        if state.vurdering.feil:
            return RedirectResponse(request.url_for("oppsummering", soknad_id=utkast.id), status_code=303)
        return await send(request, soknad_id, p, uow, settings, skjemaer)
    return RedirectResponse(
        str(request.url_for("soknad_side", soknad_id=utkast.id)) + "?melding=lagret", status_code=303
    )


def _conflicts(
    skjema: Skjema,
    *,
    stored: dict[str, Any],
    raw: dict[str, Any],
    grunnlag: dict[str, str],
    allow_synthetic: bool,
    lagret_av: dict[str, Any],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Field by field: changed only by the other person → theirs; only by me → mine; by both,
    differently → a conflict showing both (mine stays in the field until the user chooses)."""
    shown = dict(stored)
    conflicts: list[dict[str, Any]] = []
    for key, typed in raw.items():
        sp = skjema.finn(key)
        if sp is None:
            continue
        mine, problems = validate_answer(sp, typed, allow_synthetic=allow_synthetic, today=date.today())
        if isinstance(mine, dict) and isinstance(stored.get(key), dict):
            mine = {**stored[key], **mine}
        mine_hash = answer_hash(typed) if problems else answer_hash(mine)
        base = grunnlag.get(key)
        theirs_hash = answer_hash(stored.get(key))
        they_changed = base is None or base != theirs_hash
        i_changed = base is None or base != mine_hash
        if mine_hash == theirs_hash or not i_changed:
            continue
        shown[key] = typed
        if they_changed:
            by = lagret_av.get(key) or {}
            conflicts.append(
                {
                    "id": key,
                    "etikett": sp.etikett,
                    "min": show_answer(sp, mine) if not problems else str(typed),
                    "lagret": show_answer(sp, stored.get(key)) or "(tomt)",
                    "lagret_av": by.get("navn", ""),
                    "lagret_at": datetime.fromisoformat(by["at"]) if by.get("at") else None,
                }
            )
    return shown, conflicts


async def _conflict_page(
    request: Request,
    p: Principal,
    uow: Uow,
    soknad: Soknad,
    *,
    raw: dict[str, Any],
    form: dict[str, str],
    exc: StaleVersion,
) -> Response:
    skjema = skjemaer_of(request).get(soknad.skjema_versjon)
    try:
        grunnlag = json.loads(form.get("grunnlag") or "{}")
    except ValueError:
        grunnlag = {}
    lagret_av = exc.extra.get("lagret_av")
    if lagret_av is None:
        # The race was lost at commit, not at the version check: ask for who saved what now.
        lagret_av = (await stale_conflict(uow, soknad, None)).extra["lagret_av"]
    shown, conflicts = _conflicts(
        skjema,
        stored=soknad.innhold or {},
        raw=raw,
        grunnlag=grunnlag if isinstance(grunnlag, dict) else {},
        allow_synthetic=bool(request.app.state.runtime.settings.allow_synthetic_personnummer),
        lagret_av=lagret_av,
    )
    await uow.commit()
    if not conflicts:
        melding = (
            "Noen andre lagret mens du skrev. Endringene deres er tatt inn, og dine står i skjemaet: "
            "trykk «Lagre utkast» for å lagre dem."
        )
    else:
        melding = None
    return await page(
        request,
        p,
        uow,
        soknad,
        innhold=shown,
        konflikt=conflicts,
        melding=melding,
        status_code=409,
        ekstra={"grunnlag": answer_hashes(skjema, soknad.innhold or {})},
    )


@router.get("/s/{soknad_id}/oppsummering", name="oppsummering")
async def oppsummering(request: Request, soknad_id: str, p: CurrentPrincipal, uow: Uow) -> Response:
    soknad = await handlers.read(uow, p, soknad_id, purpose="Skrive søknad")
    await uow.commit()
    if soknad.status not in EDITABLE:
        return RedirectResponse(request.url_for("soknad_side", soknad_id=soknad.id), status_code=303)
    return await _summary(request, p, uow, soknad)


async def _summary(
    request: Request, p: Principal, uow: Uow, soknad: Soknad, *, status_code: int = 200
) -> Response:
    context = await form_context(request, uow, soknad)
    return render(
        request,
        "oppsummering.html",
        {"s": soknad, "innhold": soknad.innhold or {}, "field_label": field_label, **context},
        status_code=status_code,
    )


@router.post("/s/{soknad_id}/send", name="send_side")
async def send(
    request: Request, soknad_id: str, p: CurrentPrincipal, uow: Uow, settings: Settings, skjemaer: Skjemaer
) -> Response:
    try:
        await handlers.send(
            uow,
            p,
            soknad_id,
            versjon=None,
            allow_synthetic=settings.allow_synthetic_personnummer,
            skjemaer=skjemaer,
            katalog=katalog_of(request),
        )
        await uow.commit()
    except ValidationFailed:
        await uow.rollback()
        soknad = await handlers.read(uow, p, soknad_id, purpose="Skrive søknad")
        await uow.commit()
        return await _summary(request, p, uow, soknad, status_code=422)
    return RedirectResponse(
        str(request.url_for("soknad_side", soknad_id=soknad_id)) + "?melding=sendt", status_code=303
    )


@router.post("/s/{soknad_id}/medforfattere", name="inviter_medforfatter")
async def inviter_medforfatter(request: Request, soknad_id: str, p: CurrentPrincipal, uow: Uow) -> Response:
    user_id = str((await request.form()).get("user_id", ""))
    try:
        await handlers.add_medforfatter(uow, p, soknad_id, user_id=user_id, katalog=katalog_of(request))
        await uow.commit()
    except ValidationFailed as exc:
        await uow.rollback()
        soknad = await handlers.read(uow, p, soknad_id, purpose="Skrive søknad")
        errors = [{"field": "medforfatter", "message": exc.message}]
        return await page(request, p, uow, soknad, errors=errors, status_code=422)
    return RedirectResponse(
        str(request.url_for("soknad_side", soknad_id=soknad_id)) + "?melding=medforfatter#medforfattere",
        status_code=303,
    )
