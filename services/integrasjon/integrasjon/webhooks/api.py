"""JSON API of the webhooks (admin only): register an endpoint, list them, read a log, replay."""

from __future__ import annotations

from fastapi import APIRouter, Response

from integrasjon.deps import CurrentPrincipal, Db
from integrasjon.webhooks import handlers
from integrasjon.webhooks.domain import EndepunktInput
from integrasjon.webhooks.schemas import (
    EndepunktOpprettet,
    EndepunktRead,
    LeveringRead,
    endepunkt_read,
    leveringer_read,
)

router = APIRouter(prefix="/api/webhooks", tags=["webhooks"])


@router.post("", status_code=201, summary="Register an endpoint; the answer holds its secret, once")
async def registrer(
    data: EndepunktInput, p: CurrentPrincipal, db: Db, response: Response
) -> EndepunktOpprettet:
    nytt = await handlers.registrer(db, p, data)
    # The only answer that holds the secret: no cache may keep it.
    response.headers["cache-control"] = "no-store"
    return EndepunktOpprettet(**endepunkt_read(nytt.endepunkt).model_dump(), hemmelighet=nytt.hemmelighet)


@router.get("", summary="The trust's endpoints (never their secrets)")
async def endepunkter(p: CurrentPrincipal, db: Db) -> list[EndepunktRead]:
    return [endepunkt_read(e) for e in await handlers.list_endepunkter(db, p)]


@router.get("/{endepunkt_id}/leveringer", summary="The endpoint's delivery log, newest first")
async def leveringer(endepunkt_id: str, p: CurrentPrincipal, db: Db) -> list[LeveringRead]:
    return leveringer_read(await handlers.logg(db, p, endepunkt_id))


@router.post(
    "/{endepunkt_id}/leveringer/{levering_id}/send-igjen",
    status_code=202,
    summary="Replay a delivery now (same webhook-id), with a fresh day of retries",
)
async def send_igjen(endepunkt_id: str, levering_id: int, p: CurrentPrincipal, db: Db) -> Response:
    await handlers.spill_av_pa_nytt(db, p, endepunkt_id, levering_id)
    return Response(status_code=202)


@router.post("/{endepunkt_id}/aktiver", status_code=204, summary="Enable a disabled endpoint again")
async def aktiver(endepunkt_id: str, p: CurrentPrincipal, db: Db) -> Response:
    await handlers.aktiver(db, p, endepunkt_id)
    return Response(status_code=204)
