"""Notifications in the page: the bell in the header, the list, opening one, marking all as read."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from soknad.deps import CurrentPrincipal, Db
from soknad.handlers import varsler
from soknad.handlers.sider import header
from soknad.store.varsler import GYLDIGHET_UTLOPER, ONCE_PER_CASE, Varsel
from soknad.views.common import render

router = APIRouter(include_in_schema=False)

DUE_PAGES = frozenset({"mine", "forankring_inbox"})
"""The søker's and the leader's start pages: loading one is when a due evaluation is noticed."""


async def header_state(request: Request, p: CurrentPrincipal, db: Db) -> None:
    """Runs before every page of soknad (a dependency of the pages' router): puts the unread count
    for the bell in the header on `request.state`, and on the start pages the evaluations that are
    due, after creating their notifications. A use case of its own, apart from the page's."""
    route = request.scope.get("route")
    start_page = request.method == "GET" and getattr(route, "name", None) in DUE_PAGES
    settings = request.app.state.runtime.settings
    topplinje = await header(db, p, start_page=start_page, varsel_dager=settings.fortsettelse_varsel_dager)
    if topplinje.forfaller is not None:
        request.state.oppfolging_forfaller = topplinje.forfaller
    if topplinje.utloper is not None:
        request.state.gyldighet_utloper = topplinje.utloper
    request.state.varsler_uleste = topplinje.uleste


def target(request: Request, varsel: Varsel) -> str:
    if varsel.kind == ONCE_PER_CASE:
        return str(request.url_for("oppfolging_side", soknad_id=varsel.soknad_id))
    url = str(request.url_for("soknad_side", soknad_id=varsel.soknad_id))
    anchors = {"tilleggsinfo": "#tilleggsinfo", GYLDIGHET_UTLOPER: "#fortsettelse"}
    return url + anchors.get(varsel.kind, "")


@router.get("/varsler", name="varsler_side")
async def liste(request: Request, p: CurrentPrincipal, db: Db) -> Response:
    liste = await varsler.list_mine(db, p)
    return render(
        request,
        "varsler.html",
        {
            "varsler": liste.varsler,
            "kind_labels": varsler.KIND_LABELS,
            "melding": "Alle varsler er merket som lest."
            if request.query_params.get("melding") == "lest"
            else None,
        },
    )


# Before `/varsler/{varsel_id}`, which would otherwise take «lest» for an id.
@router.post("/varsler/lest", name="varsler_lest")
async def alle_lest(request: Request, p: CurrentPrincipal, db: Db) -> Response:
    await varsler.mark_all_mine_read(db, p)
    return RedirectResponse(str(request.url_for("varsler_side")) + "?melding=lest", status_code=303)


@router.get("/varsler/{varsel_id}", name="varsel_lenke")
async def lenke(request: Request, varsel_id: str, p: CurrentPrincipal, db: Db) -> Response:
    """An old link to a notification still leads to its case, but a GET changes nothing: opening it
    from the list (a POST) is what marks it read."""
    varsel = await varsler.get_mine(db, p, varsel_id)
    return RedirectResponse(target(request, varsel), status_code=303)


@router.post("/varsler/{varsel_id}", name="varsel_apne")
async def apne(request: Request, varsel_id: str, p: CurrentPrincipal, db: Db) -> Response:
    """Opening a notification marks it read and goes to its case (a form: works without JavaScript)."""
    varsel = await varsler.mark_read(db, p, varsel_id)
    return RedirectResponse(target(request, varsel), status_code=303)
