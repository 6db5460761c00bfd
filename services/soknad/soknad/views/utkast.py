"""The applicant's pages: my applications, a draft, saving and sending."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from shared.auth.demo import enheter_for
from shared.auth.principal import Role
from shared.errors import DomainError, ValidationFailed
from shared.web.problems import field_name, norwegian_message
from soknad import handlers
from soknad.deps import CurrentPrincipal, Settings, Uow
from soknad.domain import KATEGORI_LABELS, TYPE_LABELS, SoknadInnhold
from soknad.views.common import MESSAGES, innhold_from_form, page, render

router = APIRouter(include_in_schema=False)


@router.get("/")
async def mine(request: Request, p: CurrentPrincipal, uow: Uow) -> Response:
    if not p.has(Role.SOKER):
        if p.has(Role.LEDER):
            return RedirectResponse(request.url_for("forankring_inbox"), status_code=303)
        return render(request, "ingen_rolle.html", {}, status_code=403)
    rows = await handlers.list_mine(uow, p)
    return render(
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
        return render(
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


@router.get("/s/{soknad_id}", name="soknad_side")
async def side(request: Request, soknad_id: str, p: CurrentPrincipal, uow: Uow) -> Response:
    soknad = await handlers.read(uow, p, soknad_id, purpose="Lese søknad")
    await uow.commit()
    return await page(request, p, uow, soknad)


@router.post("/s/{soknad_id}")
async def lagre(
    request: Request, soknad_id: str, p: CurrentPrincipal, uow: Uow, settings: Settings
) -> Response:
    """The no-JavaScript save: same use case as the autosave."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    raw = innhold_from_form(form)
    versjon = int(form["versjon"]) if form.get("versjon", "").isdigit() else None
    try:
        innhold = SoknadInnhold.model_validate(raw)
    except ValidationError as exc:
        errors = [
            {"field": "innhold." + field_name(e["loc"]), "message": norwegian_message(dict(e))}
            for e in exc.errors()
        ]
        soknad = await handlers.read(uow, p, soknad_id, purpose="Skrive søknad")
        return await page(request, p, uow, soknad, errors=errors, innhold=raw, status_code=422)
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
        return await page(
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
        return await page(request, p, uow, soknad, errors=errors, status_code=422)
    return RedirectResponse(
        str(request.url_for("soknad_side", soknad_id=soknad_id)) + "?melding=sendt", status_code=303
    )


@router.post("/s/{soknad_id}/trekk")
async def trekk(request: Request, soknad_id: str, p: CurrentPrincipal, uow: Uow) -> Response:
    await handlers.trekke(uow, p, soknad_id)
    await uow.commit()
    return RedirectResponse(
        str(request.url_for("soknad_side", soknad_id=soknad_id)) + "?melding=trukket", status_code=303
    )
