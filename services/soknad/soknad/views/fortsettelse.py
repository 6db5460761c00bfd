"""Apply for continuation of a granted treatment with one click (a prefilled draft, linked to the old)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from shared.platform.errors import InvalidTransition
from soknad.deps import CurrentPrincipal, Db, Settings
from soknad.handlers.fortsettelse import soke_fortsettelse
from soknad.skjema.register import Skjemaer
from soknad.views.common import open_page, page

router = APIRouter(include_in_schema=False)


@router.post("/s/{soknad_id}/fortsettelse", name="fortsettelse")
async def fortsettelse(
    request: Request, soknad_id: str, p: CurrentPrincipal, db: Db, settings: Settings, skjemaer: Skjemaer
) -> Response:
    try:
        ny = await soke_fortsettelse(
            db,
            p,
            soknad_id,
            skjemaer=skjemaer,
            allow_synthetic=settings.allow_synthetic_personnummer,
            varsel_dager=settings.fortsettelse_varsel_dager,
        )
    except InvalidTransition as exc:
        side = await open_page(request, p, soknad_id, purpose="Lese søknad")
        return await page(request, p, side, melding=exc.message, status_code=exc.status)
    return RedirectResponse(
        str(request.url_for("soknad_side", soknad_id=ny.id)) + "?melding=fortsettelse", status_code=303
    )
