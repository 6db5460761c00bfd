"""JSON API of the beslutning service (thin: every route calls one use case)."""

from __future__ import annotations

from fastapi import APIRouter, status

from beslutning import handlers
from beslutning.deps import CurrentPrincipal, Uow
from beslutning.schemas import SakRead, SakSummary, VedtakCreate

router = APIRouter(prefix="/api/saker", tags=["beslutning"])
billing_router = APIRouter(prefix="/api/fakturering", tags=["fakturering"])


@billing_router.get(
    "", summary="Billing lines of the trust's granted treatments (controller); no patient data"
)
async def billing(p: CurrentPrincipal, uow: Uow) -> list[handlers.Faktureringslinje]:
    return await handlers.list_fakturering(uow, p)


@router.get("", summary="The trust's decision cases (fagdirektor)")
async def list_(p: CurrentPrincipal, uow: Uow) -> list[SakSummary]:
    return [SakSummary.of(s) for s in await handlers.list_saker(uow, p)]


@router.get("/{sak_id}", summary="One case with the snapshot, recommendation and decision (audited)")
async def get(sak_id: str, p: CurrentPrincipal, uow: Uow) -> SakRead:
    sak = await handlers.read(uow, p, sak_id, purpose="Fatte vedtak (API)")
    result = SakRead.of(sak, vedtak=await handlers.vedtak_for(uow, sak))
    await uow.commit()
    return result


@router.post(
    "/{sak_id}/vedtak",
    status_code=status.HTTP_201_CREATED,
    summary="Decide the case; 409 if already decided or the version is stale",
)
async def decide(sak_id: str, body: VedtakCreate, p: CurrentPrincipal, uow: Uow) -> SakRead:
    sak, vedtak = await handlers.decide(uow, p, sak_id, vedtak=body, versjon=body.versjon)
    result = SakRead.of(sak, vedtak=vedtak)
    await uow.commit()
    return result
