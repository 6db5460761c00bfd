"""The leader's pages: the anchoring inbox and the anchoring decision."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from soknad import handlers
from soknad.deps import CurrentPrincipal, Uow
from soknad.views.common import MESSAGES, page, render, text_field

router = APIRouter(include_in_schema=False)


@router.get("/forankring", name="forankring_inbox")
async def forankring(request: Request, p: CurrentPrincipal, uow: Uow) -> Response:
    rows = await handlers.list_til_forankring(uow, p)
    return render(
        request,
        "forankring.html",
        {"soknader": rows, "melding": MESSAGES.get(request.query_params.get("melding", ""))},
    )


@router.post("/s/{soknad_id}/forankre")
async def forankre(request: Request, soknad_id: str, p: CurrentPrincipal, uow: Uow) -> Response:
    form = await request.form()
    begrunnelse, kostnadssted = text_field(form, "begrunnelse"), text_field(form, "kostnadssted")
    errors = []
    if not begrunnelse:
        errors.append({"field": "begrunnelse", "message": "Skriv en begrunnelse for forankringen."})
    if not kostnadssted:
        errors.append({"field": "kostnadssted", "message": "Oppgi kostnadssted."})
    if errors:
        soknad = await handlers.read(uow, p, soknad_id, purpose="Forankre søknad")
        return await page(request, p, uow, soknad, errors=errors, status_code=422)
    await handlers.forankre(uow, p, soknad_id, begrunnelse=begrunnelse, kostnadssted=kostnadssted)
    await uow.commit()
    return RedirectResponse(str(request.url_for("forankring_inbox")) + "?melding=forankret", status_code=303)


@router.post("/s/{soknad_id}/returner")
async def returner(request: Request, soknad_id: str, p: CurrentPrincipal, uow: Uow) -> Response:
    kommentar = text_field(await request.form(), "kommentar")
    if not kommentar:
        soknad = await handlers.read(uow, p, soknad_id, purpose="Forankre søknad")
        return await page(
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
