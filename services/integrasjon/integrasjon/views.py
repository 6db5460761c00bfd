"""Page of the integrasjon service: what leaves the trust, and how much of it has left."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from integrasjon import store
from integrasjon.deps import Catalogue, CurrentPrincipal, Settings, Uow

router = APIRouter(include_in_schema=False)

STATUS_LABELS = {"til_vurdering": "Til vurdering", "vedtatt": "Vedtatt", "trukket": "Trukket"}


@router.get("/")
async def oversikt(
    request: Request, p: CurrentPrincipal, uow: Uow, settings: Settings, katalog: Catalogue
) -> Response:
    # Counts only: nothing on this page identifies a case, so any signed-in user of the trust may see it.
    saker = await store.count_projeksjoner(uow.session, hf=p.hf)
    sendt, venter = await store.count_national_summaries(uow.session, hf=p.hf)
    context = {
        "saker": saker,
        "saker_totalt": sum(saker.values()),
        "status_labels": STATUS_LABELS,
        "sendt": sendt,
        "venter": venter,
        "nasjonal_bruker": settings.national_user(p.hf),
        "exchange": settings.national_exchange,
        "antall_legemidler": len(katalog.legemidler),
        "antall_diagnoser": len(katalog.diagnoser),
    }
    return request.app.state.templates.render(request, "integrasjoner.html", context)
