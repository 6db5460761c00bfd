"""Withdrawing an application asks for confirmation first, on its own page (no JavaScript needed)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from soknad import handlers
from soknad.deps import CurrentPrincipal, Db
from soknad.handlers.sider import read_for_editor
from soknad.store import Soknad
from soknad.views.common import render

router = APIRouter(include_in_schema=False)


async def _for_editor(db: Db, p: CurrentPrincipal, soknad_id: str) -> Soknad:
    return await read_for_editor(
        db,
        p,
        soknad_id,
        purpose="Trekke søknad",
        refusal="Bare søkeren og medforfattere kan trekke søknaden.",
    )


@router.get("/s/{soknad_id}/trekk", name="trekk_side")
async def bekreft_side(request: Request, soknad_id: str, p: CurrentPrincipal, db: Db) -> Response:
    soknad = await _for_editor(db, p, soknad_id)
    return render(request, "trekk.html", {"s": soknad, "errors": [], "field_errors": {}})


@router.post("/s/{soknad_id}/trekk/bekreft", name="trekk_bekreftet")
async def bekreftet(request: Request, soknad_id: str, p: CurrentPrincipal, db: Db) -> Response:
    form = await request.form()
    if form.get("bekreft") != "ja":
        soknad = await _for_editor(db, p, soknad_id)
        message = "Kryss av for å bekrefte at du vil trekke søknaden."
        return render(
            request,
            "trekk.html",
            {
                "s": soknad,
                "errors": [{"field": "bekreft", "message": message}],
                "field_errors": {"bekreft": message},
            },
            status_code=422,
        )
    await handlers.trekke(db, p, soknad_id)
    return RedirectResponse(
        str(request.url_for("soknad_side", soknad_id=soknad_id)) + "?melding=trukket", status_code=303
    )
