"""Pages of the soknad service: the applicant's drafts and the leader's anchoring inbox."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from shared.auth.demo import enheter_for
from shared.auth.principal import Principal, Role, can_edit_soknad
from shared.errors import DomainError, ValidationFailed
from shared.web.problems import field_name, norwegian_message
from soknad import handlers
from soknad.deps import CurrentPrincipal, Settings, Uow
from soknad.domain import EDITABLE, KATEGORI_LABELS, STATUS_LABELS, TYPE_LABELS, UTFALL_LABELS, SoknadInnhold
from soknad.store import Soknad, historikk_for

router = APIRouter(include_in_schema=False)

MESSAGES = {
    "sendt": "Søknaden er sendt til forankring.",
    "lagret": "Utkastet er lagret.",
    "forankret": "Søknaden er forankret og sendt til vurdering.",
    "returnert": "Søknaden er returnert til søkeren.",
    "trukket": "Søknaden er trukket.",
}


def _render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    base = {
        "status_labels": STATUS_LABELS,
        "type_labels": TYPE_LABELS,
        "kategori_labels": KATEGORI_LABELS,
        "utfall_labels": UTFALL_LABELS,
    }
    return request.app.state.templates.render(request, name, {**base, **context}, status_code=status_code)


def _innhold_from_form(form: dict[str, str]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for key, value in form.items():
        if not key.startswith("innhold."):
            continue
        parts = key.split(".")[1:]
        target = nested
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    for numeric in ("gruppe_storrelse", "estimert_kostnad_nok"):
        if nested.get(numeric) == "":
            nested[numeric] = None
    for group in ("legemiddel", "indikasjon"):
        section = nested.get(group)
        if isinstance(section, dict):
            section["verifisert"] = section.get("verifisert") in ("true", "on", "1")
    return nested


@router.get("/")
async def mine(request: Request, p: CurrentPrincipal, uow: Uow) -> Response:
    if not p.has(Role.SOKER):
        if p.has(Role.LEDER):
            return RedirectResponse(request.url_for("forankring_inbox"), status_code=303)
        return _render(request, "ingen_rolle.html", {}, status_code=403)
    rows = await handlers.list_mine(uow, p)
    return _render(
        request,
        "mine.html",
        {
            "soknader": rows,
            "enheter": enheter_for(p.hf),
            "melding": MESSAGES.get(request.query_params.get("melding", "")),
        },
    )


@router.post("/ny")
async def ny(request: Request, p: CurrentPrincipal, uow: Uow, settings: Settings) -> Response:
    form = await request.form()
    errors: list[dict[str, str]] = []
    type_ = str(form.get("type", ""))
    kategori = str(form.get("kategori", ""))
    enhet = str(form.get("enhet", ""))
    if type_ not in TYPE_LABELS:
        errors.append({"field": "type", "message": "Velg om søknaden gjelder én pasient eller en gruppe."})
    if kategori not in KATEGORI_LABELS:
        errors.append({"field": "kategori", "message": "Velg ordning."})
    if enhet not in {e.kode for e in enheter_for(p.hf)}:
        errors.append({"field": "enhet", "message": "Velg enheten som skal forankre søknaden."})
    if errors:
        rows = await handlers.list_mine(uow, p)
        return _render(
            request,
            "mine.html",
            {"soknader": rows, "enheter": enheter_for(p.hf), "errors": errors, "valgt": dict(form)},
            status_code=422,
        )
    soknad = await handlers.create_draft(
        uow,
        p,
        type_=type_,
        kategori=kategori,
        enhet=enhet,
        allow_synthetic=settings.allow_synthetic_personnummer,
    )
    await uow.commit()
    return RedirectResponse(request.url_for("soknad_side", soknad_id=soknad.id), status_code=303)


async def _page(
    request: Request,
    p: Principal,
    uow: Uow,
    soknad: Soknad,
    *,
    errors: list[dict[str, str]] | None = None,
    innhold: dict[str, Any] | None = None,
    melding: str | None = None,
    status_code: int = 200,
    konflikt: dict[str, Any] | None = None,
) -> Response:
    editable = soknad.status in EDITABLE and can_edit_soknad(
        p, hf=soknad.hf, soker_id=soknad.soker_id, medforfattere=soknad.medforfattere
    )
    field_errors = {e["field"].removeprefix("innhold."): e["message"] for e in (errors or [])}
    context = {
        "s": soknad,
        "innhold": innhold if innhold is not None else soknad.innhold,
        "errors": errors or [],
        "field_errors": field_errors,
        "melding": melding or MESSAGES.get(request.query_params.get("melding", "")),
        "historikk": await historikk_for(uow.session, soknad.id),
        "enheter": enheter_for(soknad.hf),
        "kan_forankre": p.has(Role.LEDER) and p.enhet == soknad.enhet and soknad.status == "til_forankring",
        "kan_trekke": can_edit_soknad(
            p, hf=soknad.hf, soker_id=soknad.soker_id, medforfattere=soknad.medforfattere
        )
        and soknad.status not in ("vedtatt", "trukket"),
        "konflikt": konflikt,
    }
    return _render(request, "skjema.html" if editable else "vis.html", context, status_code=status_code)


@router.get("/s/{soknad_id}", name="soknad_side")
async def side(request: Request, soknad_id: str, p: CurrentPrincipal, uow: Uow) -> Response:
    soknad = await handlers.read(uow, p, soknad_id, purpose="Lese søknad")
    await uow.commit()
    return await _page(request, p, uow, soknad)


@router.post("/s/{soknad_id}")
async def lagre(
    request: Request, soknad_id: str, p: CurrentPrincipal, uow: Uow, settings: Settings
) -> Response:
    """The no-JavaScript save: same use case as the autosave."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    raw = _innhold_from_form(form)
    versjon = int(form["versjon"]) if form.get("versjon", "").isdigit() else None
    try:
        innhold = SoknadInnhold.model_validate(raw)
    except ValidationError as exc:
        errors = [
            {"field": "innhold." + field_name(e["loc"]), "message": norwegian_message(dict(e))}
            for e in exc.errors()
        ]
        soknad = await handlers.read(uow, p, soknad_id, purpose="Skrive søknad")
        return await _page(request, p, uow, soknad, errors=errors, innhold=raw, status_code=422)
    try:
        soknad = await handlers.save_draft(
            uow,
            p,
            soknad_id,
            versjon=versjon,
            innhold=innhold,
            kategori=form.get("kategori") if form.get("kategori") in KATEGORI_LABELS else None,
            allow_synthetic=settings.allow_synthetic_personnummer,
        )
        await uow.commit()
    except DomainError as exc:
        await uow.rollback()
        soknad = await handlers.read(uow, p, soknad_id, purpose="Skrive søknad")
        errors = exc.extra.get("errors") or [{"field": exc.field or "", "message": exc.message}]
        konflikt = exc.extra if exc.code == "versjonskonflikt" else None
        return await _page(
            request, p, uow, soknad, errors=errors, innhold=raw, status_code=exc.status, konflikt=konflikt
        )
    if form.get("handling") == "send":
        return await send(request, soknad_id, p, uow, settings)
    return RedirectResponse(
        str(request.url_for("soknad_side", soknad_id=soknad.id)) + "?melding=lagret", status_code=303
    )


@router.post("/s/{soknad_id}/send")
async def send(
    request: Request, soknad_id: str, p: CurrentPrincipal, uow: Uow, settings: Settings
) -> Response:
    try:
        await handlers.send(
            uow, p, soknad_id, versjon=None, allow_synthetic=settings.allow_synthetic_personnummer
        )
        await uow.commit()
    except ValidationFailed as exc:
        await uow.rollback()
        soknad = await handlers.read(uow, p, soknad_id, purpose="Skrive søknad")
        errors = exc.extra.get("errors") or [{"field": exc.field or "", "message": exc.message}]
        return await _page(request, p, uow, soknad, errors=errors, status_code=422)
    return RedirectResponse(
        str(request.url_for("soknad_side", soknad_id=soknad_id)) + "?melding=sendt", status_code=303
    )


@router.get("/forankring", name="forankring_inbox")
async def forankring(request: Request, p: CurrentPrincipal, uow: Uow) -> Response:
    rows = await handlers.list_til_forankring(uow, p)
    return _render(
        request,
        "forankring.html",
        {"soknader": rows, "melding": MESSAGES.get(request.query_params.get("melding", ""))},
    )


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


@router.post("/s/{soknad_id}/forankre")
async def forankre(request: Request, soknad_id: str, p: CurrentPrincipal, uow: Uow) -> Response:
    form = await request.form()
    begrunnelse, kostnadssted = _text(form, "begrunnelse"), _text(form, "kostnadssted")
    errors = []
    if not begrunnelse:
        errors.append({"field": "begrunnelse", "message": "Skriv en begrunnelse for forankringen."})
    if not kostnadssted:
        errors.append({"field": "kostnadssted", "message": "Oppgi kostnadssted."})
    if errors:
        soknad = await handlers.read(uow, p, soknad_id, purpose="Forankre søknad")
        return await _page(request, p, uow, soknad, errors=errors, status_code=422)
    await handlers.forankre(uow, p, soknad_id, begrunnelse=begrunnelse, kostnadssted=kostnadssted)
    await uow.commit()
    return RedirectResponse(str(request.url_for("forankring_inbox")) + "?melding=forankret", status_code=303)


@router.post("/s/{soknad_id}/returner")
async def returner(request: Request, soknad_id: str, p: CurrentPrincipal, uow: Uow) -> Response:
    kommentar = _text(await request.form(), "kommentar")
    if not kommentar:
        soknad = await handlers.read(uow, p, soknad_id, purpose="Forankre søknad")
        return await _page(
            request,
            p,
            uow,
            soknad,
            status_code=422,
            errors=[{"field": "kommentar", "message": "Skriv hva søkeren må rette."}],
        )
    await handlers.returnere(uow, p, soknad_id, kommentar=kommentar)
    await uow.commit()
    return RedirectResponse(str(request.url_for("forankring_inbox")) + "?melding=returnert", status_code=303)


@router.post("/s/{soknad_id}/trekk")
async def trekk(request: Request, soknad_id: str, p: CurrentPrincipal, uow: Uow) -> Response:
    await handlers.trekke(uow, p, soknad_id)
    await uow.commit()
    return RedirectResponse(
        str(request.url_for("soknad_side", soknad_id=soknad_id)) + "?melding=trukket", status_code=303
    )
