"""The applicant answers a request for more information from the case page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from shared.platform.errors import InvalidTransition, ValidationFailed
from soknad.deps import CurrentPrincipal, Db
from soknad.handlers.tilleggsinfo import besvare
from soknad.views.common import open_page, page, text_field

router = APIRouter(include_in_schema=False)


@router.post("/s/{soknad_id}/tilleggsinfo/{sporsmal_id}", name="svar_tilleggsinfo")
async def svar(request: Request, soknad_id: str, sporsmal_id: str, p: CurrentPrincipal, db: Db) -> Response:
    svar = text_field(await request.form(), "svar")
    field = f"svar-{sporsmal_id}"
    try:
        await besvare(db, p, soknad_id, sporsmal_id, svar=svar)
    except (ValidationFailed, InvalidTransition) as exc:
        # The typed answer is shown again, so nothing is lost even when the question was answered
        # by a co-author in the meantime.
        side = await open_page(request, p, soknad_id, purpose="Svare på spørsmål fra vurderingen")
        return await page(
            request,
            p,
            side,
            errors=[{"field": field, "message": exc.message}],
            status_code=exc.status,
            ekstra={"verdier": {field: svar}},
        )
    return RedirectResponse(
        str(request.url_for("soknad_side", soknad_id=soknad_id)) + "?melding=besvart", status_code=303
    )
