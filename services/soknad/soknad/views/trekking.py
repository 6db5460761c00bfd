"""Withdrawing an application asks for confirmation first, on its own page (no JavaScript needed)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from shared.platform.auth.principal import can_edit_soknad
from shared.platform.errors import Forbidden
from soknad import handlers
from soknad.deps import CurrentPrincipal, Uow
from soknad.store import Soknad
from soknad.views.common import render

router = APIRouter(include_in_schema=False)


async def _for_editor(uow: Uow, p: CurrentPrincipal, soknad_id: str) -> Soknad:
    soknad = await handlers.read(uow, p, soknad_id, purpose="Trekke søknad")
    if not can_edit_soknad(p, hf=soknad.hf, soker_id=soknad.soker_id, medforfattere=soknad.medforfattere):
        raise Forbidden("Bare søkeren og medforfattere kan trekke søknaden.")
    return soknad


@router.get("/s/{soknad_id}/trekk", name="trekk_side")
async def bekreft_side(request: Request, soknad_id: str, p: CurrentPrincipal, uow: Uow) -> Response:
    soknad = await _for_editor(uow, p, soknad_id)
    await uow.commit()
    return render(request, "trekk.html", {"s": soknad, "errors": [], "field_errors": {}})


@router.post("/s/{soknad_id}/trekk/bekreft", name="trekk_bekreftet")
async def bekreftet(request: Request, soknad_id: str, p: CurrentPrincipal, uow: Uow) -> Response:
    form = await request.form()
    if form.get("bekreft") != "ja":
        soknad = await _for_editor(uow, p, soknad_id)
        await uow.commit()
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
    await handlers.trekke(uow, p, soknad_id)
    await uow.commit()
    return RedirectResponse(
        str(request.url_for("soknad_side", soknad_id=soknad_id)) + "?melding=trukket", status_code=303
    )
