"""The applicant's pages: my applications, a draft, saving, the summary before sending, co-authors."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from shared.platform.auth.principal import Principal, Role
from shared.platform.errors import DomainError, StaleVersion, ValidationFailed
from shared.platform.web.deps import katalog_of, org_of
from shared.platform.web.params import parse_optional_int
from soknad import handlers
from soknad.deps import CurrentPrincipal, Db, Settings
from soknad.domain import EDITABLE, KATEGORI_LABELS, TYPE_LABELS
from soknad.handlers.mine import kort
from soknad.handlers.sider import Saksside
from soknad.handlers.utkast import form_state, local_date
from soknad.skjema.modell import Skjema
from soknad.skjema.register import Skjemaer
from soknad.skjema.validering import validate_answer
from soknad.smart.visning import smart_context
from soknad.views.common import (
    MESSAGES,
    answer_hash,
    answer_hashes,
    field_label,
    form_context,
    innhold_from_form,
    open_page,
    page,
    render,
    show_answer,
    skjemaer_of,
)

router = APIRouter(include_in_schema=False)


@router.get("/", name="mine")
async def mine(
    request: Request, p: CurrentPrincipal, db: Db, skjemaer: Skjemaer, settings: Settings
) -> Response:
    if not p.has(Role.SOKER):
        if p.has(Role.LEDER):
            return RedirectResponse(request.url_for("forankring_inbox"), status_code=303)
        if p.has(Role.ADMIN):
            return RedirectResponse(request.url_for("admin_hjelpetekster"), status_code=303)
        return render(request, "ingen_rolle.html", {}, status_code=403)
    rows = await handlers.list_mine(db, p)
    today = local_date(db.clock.now())
    fremdrift = {
        s.id: form_state(
            s, today=today, skjemaer=skjemaer, allow_synthetic=settings.allow_synthetic_personnummer
        ).vurdering.fullforing()
        for s in rows
        if s.status in EDITABLE
    }
    return render(
        request,
        "mine.html",
        {
            "soknader": rows,
            "kort": {
                s.id: kort(s, now=db.clock.now(), allow_synthetic=settings.allow_synthetic_personnummer)
                for s in rows
            },
            "fremdrift": fremdrift,
            "enheter": org_of(request).enheter,
            "melding": MESSAGES.get(request.query_params.get("melding", "")),
        },
    )


@router.post("/ny")
async def ny(
    request: Request, p: CurrentPrincipal, db: Db, settings: Settings, skjemaer: Skjemaer
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
        rows = await handlers.list_mine(db, p)
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
    utfylling = await handlers.create_draft(
        db,
        p,
        type_=type_,
        kategori=kategori,
        enhet=enhet,
        allow_synthetic=settings.allow_synthetic_personnummer,
        skjemaer=skjemaer,
        katalog=katalog_of(request),
    )
    return RedirectResponse(request.url_for("soknad_side", soknad_id=utfylling.soknad.id), status_code=303)


@router.get("/s/{soknad_id}", name="soknad_side")
async def side(request: Request, soknad_id: str, p: CurrentPrincipal) -> Response:
    side = await open_page(request, p, soknad_id, purpose="Lese søknad")
    return await page(request, p, side, ekstra=smart_context(request, side.soknad))


def _choice(form: dict[str, str], name: str, allowed: set[str]) -> str | None:
    value = form.get(name)
    return value if value in allowed else None


@router.post("/s/{soknad_id}")
async def lagre(
    request: Request, soknad_id: str, p: CurrentPrincipal, db: Db, settings: Settings, skjemaer: Skjemaer
) -> Response:
    """The no-JavaScript save: the same use case as the autosave. Valid answers are saved even when
    others are invalid; a conflict shows both versions per field."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    raw = innhold_from_form(form)
    for key, choice in form.items():
        # «Bruk lagret» in the conflict panel: leave that answer as it is stored.
        if key.startswith("konflikt.") and choice == "lagret":
            raw.pop(key.removeprefix("konflikt."), None)
    try:
        versjon = parse_optional_int(form.get("versjon"), field="versjon", minimum=1)
    except ValidationFailed as exc:
        # A page of ours always sends the version it showed; without a valid one nothing is saved, and
        # what the user typed is shown again.
        side = await open_page(request, p, soknad_id, purpose="Skrive søknad")
        melding = (
            f"Skjemaet kom tilbake uten gyldig versjonsnummer ({exc.message}) og er ikke lagret. "
            "Det du skrev står i feltene: trykk «Lagre utkast» for å lagre det."
        )
        return await page(request, p, side, innhold=raw, melding=melding, status_code=422)
    try:
        lagret = await handlers.save_draft(
            db,
            p,
            soknad_id,
            versjon=versjon,
            innhold=raw,
            kategori=_choice(form, "kategori", set(KATEGORI_LABELS)),
            enhet=_choice(form, "enhet", org_of(request).koder),
            allow_synthetic=settings.allow_synthetic_personnummer,
            skjemaer=skjemaer,
            keep_valid=True,
            katalog=katalog_of(request),
        )
    except StaleVersion as exc:
        side = await open_page(request, p, soknad_id, purpose="Skrive søknad")
        return await _conflict_page(request, p, side, raw=raw, form=form, exc=exc)
    except DomainError as exc:
        side = await open_page(request, p, soknad_id, purpose="Skrive søknad")
        errors = exc.extra.get("errors") or [{"field": exc.field or "", "message": exc.message}]
        return await page(request, p, side, errors=errors, innhold=raw, status_code=exc.status)
    if lagret.errors:
        shown = {**lagret.utkast.innhold, **raw}
        return await page(
            request,
            p,
            await open_page(request, p, soknad_id, purpose="Skrive søknad"),
            errors=lagret.errors,
            innhold=shown,
            melding="Resten er lagret. Feltene med feil er ikke lagret: rett dem og lagre på nytt.",
            status_code=422,
        )
    if form.get("handling") == "send":
        if lagret.state.vurdering.feil:
            return RedirectResponse(request.url_for("oppsummering", soknad_id=soknad_id), status_code=303)
        return await send(request, soknad_id, p, db, settings, skjemaer)
    return RedirectResponse(
        str(request.url_for("soknad_side", soknad_id=soknad_id)) + "?melding=lagret", status_code=303
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
    side: Saksside,
    *,
    raw: dict[str, Any],
    form: dict[str, str],
    exc: StaleVersion,
) -> Response:
    soknad = side.soknad
    skjema = skjemaer_of(request).get(soknad.skjema_versjon)
    try:
        grunnlag = json.loads(form.get("grunnlag") or "{}")
    except ValueError:
        grunnlag = {}
    shown, conflicts = _conflicts(
        skjema,
        stored=soknad.innhold or {},
        raw=raw,
        grunnlag=grunnlag if isinstance(grunnlag, dict) else {},
        allow_synthetic=bool(request.app.state.runtime.settings.allow_synthetic_personnummer),
        lagret_av=exc.extra.get("lagret_av") or {},
    )
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
        side,
        innhold=shown,
        konflikt=conflicts,
        melding=melding,
        status_code=409,
        ekstra={"grunnlag": answer_hashes(skjema, soknad.innhold or {})},
    )


@router.get("/s/{soknad_id}/oppsummering", name="oppsummering")
async def oppsummering(request: Request, soknad_id: str, p: CurrentPrincipal) -> Response:
    side = await open_page(request, p, soknad_id, purpose="Skrive søknad")
    if side.soknad.status not in EDITABLE:
        return RedirectResponse(request.url_for("soknad_side", soknad_id=soknad_id), status_code=303)
    return _summary(request, side)


def _summary(request: Request, side: Saksside, *, status_code: int = 200) -> Response:
    return render(
        request,
        "oppsummering.html",
        {
            "s": side.soknad,
            "innhold": side.soknad.innhold or {},
            "field_label": field_label,
            **form_context(side),
        },
        status_code=status_code,
    )


@router.post("/s/{soknad_id}/send", name="send_side")
async def send(
    request: Request, soknad_id: str, p: CurrentPrincipal, db: Db, settings: Settings, skjemaer: Skjemaer
) -> Response:
    try:
        sendt = await handlers.send(
            db,
            p,
            soknad_id,
            versjon=None,
            allow_synthetic=settings.allow_synthetic_personnummer,
            skjemaer=skjemaer,
            katalog=katalog_of(request),
        )
    except ValidationFailed:
        side = await open_page(request, p, soknad_id, purpose="Skrive søknad")
        return _summary(request, side, status_code=422)
    # After the commit, in its own task: the record's copy never holds up or undoes the send.
    request.app.state.smart_tilbakeskriver.start(sendt, skjemaer)
    return RedirectResponse(
        str(request.url_for("soknad_side", soknad_id=soknad_id)) + "?melding=sendt", status_code=303
    )


@router.post("/s/{soknad_id}/medforfattere", name="inviter_medforfatter")
async def inviter_medforfatter(request: Request, soknad_id: str, p: CurrentPrincipal, db: Db) -> Response:
    user_id = str((await request.form()).get("user_id", ""))
    try:
        await handlers.add_medforfatter(db, p, soknad_id, user_id=user_id, katalog=katalog_of(request))
    except ValidationFailed as exc:
        side = await open_page(request, p, soknad_id, purpose="Skrive søknad")
        errors = [{"field": "medforfatter", "message": exc.message}]
        return await page(request, p, side, errors=errors, status_code=422)
    return RedirectResponse(
        str(request.url_for("soknad_side", soknad_id=soknad_id)) + "?melding=medforfatter#medforfattere",
        status_code=303,
    )
