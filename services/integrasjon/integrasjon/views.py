"""Page of the integrasjon service: what leaves the trust, and how much of it has left."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from integrasjon import handlers
from integrasjon.deps import Catalogue, CurrentPrincipal, Db, Registries, Settings
from integrasjon.webhooks import handlers as webhooks
from shared.platform.auth.principal import Role

router = APIRouter(include_in_schema=False)

IMPORT_STATUS = {
    "ok": "Tatt i bruk",
    "pagar": "Pågår",
    "feilet": "Feilet, ikke tatt i bruk",
    "uendret": "Uendret",
}
STATUS_LABELS = {"til_vurdering": "Til vurdering", "vedtatt": "Vedtatt", "trukket": "Trukket"}


@router.get("/")
async def oversikt(
    request: Request, p: CurrentPrincipal, db: Db, settings: Settings, katalog: Catalogue
) -> Response:
    utsendelse = await handlers.utsendelse(db, p)
    # The admin must learn that an endpoint was disabled where they look, not only on its own page.
    endepunkter = await webhooks.list_endepunkter(db, p) if p.has(Role.ADMIN) else []
    context = {
        "deaktiverte_webhooks": [e for e in endepunkter if not e.aktiv],
        "saker": utsendelse.saker,
        "saker_totalt": sum(utsendelse.saker.values()),
        "status_labels": STATUS_LABELS,
        "sendt": utsendelse.sendt,
        "venter": utsendelse.venter,
        "nasjonal_bruker": settings.national_user(p.hf),
        "exchange": settings.national_exchange,
        "antall_legemidler": len(katalog.legemidler),
        "antall_diagnoser": len(katalog.diagnoser),
    }
    return request.app.state.templates.render(request, "integrasjoner.html", context)


@router.get("/registre", name="registre_side")
async def registre_side(request: Request, p: CurrentPrincipal, registre: Registries) -> Response:
    p.require(Role.ADMIN)
    context = {
        "status": await registre.status(),
        "statuser": IMPORT_STATUS,
        "indeks": {
            "legemidler": len(registre.indeks.legemidler),
            "diagnoser": len(registre.indeks.diagnoser),
        },
    }
    return request.app.state.templates.render(request, "registre.html", context)
