"""Notifications in the page: the bell in the header, the list, opening one, marking all as read."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from shared.platform.runtime import ServiceRuntime
from soknad.deps import CurrentPrincipal, Uow
from soknad.handlers import varsler
from soknad.handlers.oppfolging import forfaller_for
from soknad.store.varsler import ONCE_PER_CASE, Varsel
from soknad.views.common import render

router = APIRouter(include_in_schema=False)

DUE_PAGES = frozenset({"mine", "forankring_inbox"})
"""The søker's and the leader's start pages: loading one is when a due evaluation is noticed."""


async def header_state(request: Request, p: CurrentPrincipal) -> None:
    """Runs before every page of soknad (a dependency of the pages' router): puts the unread count
    for the bell in the header on `request.state`, and on the start pages the evaluations that are
    due, after creating their notifications. Own unit of work, so the page's own stays untouched."""
    runtime: ServiceRuntime = request.app.state.runtime
    route = request.scope.get("route")
    async with runtime.db.unit_of_work() as uow:
        if request.method == "GET" and getattr(route, "name", None) in DUE_PAGES:
            request.state.oppfolging_forfaller = await forfaller_for(uow, p)
            await uow.commit()
        request.state.varsler_uleste = await varsler.count_mine(uow, p)


def target(request: Request, varsel: Varsel) -> str:
    if varsel.kind == ONCE_PER_CASE:
        return str(request.url_for("oppfolging_side", soknad_id=varsel.soknad_id))
    url = str(request.url_for("soknad_side", soknad_id=varsel.soknad_id))
    return url + "#tilleggsinfo" if varsel.kind == "tilleggsinfo" else url


@router.get("/varsler", name="varsler_side")
async def liste(request: Request, p: CurrentPrincipal, uow: Uow) -> Response:
    rows = await varsler.list_mine(uow, p)
    await uow.commit()
    return render(
        request,
        "varsler.html",
        {
            "varsler": rows,
            "kind_labels": varsler.KIND_LABELS,
            "melding": "Alle varsler er merket som lest."
            if request.query_params.get("melding") == "lest"
            else None,
        },
    )


@router.get("/varsler/{varsel_id}", name="varsel_apne")
async def apne(request: Request, varsel_id: str, p: CurrentPrincipal, uow: Uow) -> Response:
    """Opening a notification marks it read and goes to its case (a link works without JavaScript)."""
    varsel = await varsler.mark_read(uow, p, varsel_id)
    await uow.commit()
    return RedirectResponse(target(request, varsel), status_code=303)


@router.post("/varsler/lest", name="varsler_lest")
async def alle_lest(request: Request, p: CurrentPrincipal, uow: Uow) -> Response:
    await varsler.mark_all_mine_read(uow, p)
    await uow.commit()
    return RedirectResponse(str(request.url_for("varsler_side")) + "?melding=lest", status_code=303)
