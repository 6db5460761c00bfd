"""JSON API of the beslutning service (thin: every route calls one use case)."""

from __future__ import annotations

from fastapi import APIRouter, status

from beslutning import handlers
from beslutning.deps import CurrentPrincipal, Db
from beslutning.schemas import SakRead, SakSummary, VedtakCreate

router = APIRouter(prefix="/api/saker", tags=["beslutning"])
billing_router = APIRouter(prefix="/api/fakturering", tags=["fakturering"])


@billing_router.get(
    "", summary="Billing lines of the trust's granted treatments (controller); no patient data"
)
async def billing(p: CurrentPrincipal, db: Db) -> list[handlers.Faktureringslinje]:
    return await handlers.list_fakturering(db, p)


@router.get("", summary="The trust's decision cases (fagdirektor)")
async def list_(p: CurrentPrincipal, db: Db) -> list[SakSummary]:
    liste = await handlers.list_saker(db, p)
    return [SakSummary.of(s) for s in liste.saker]


@router.get("/{sak_id}", summary="One case with the snapshot, recommendation and decision (audited)")
async def get(sak_id: str, p: CurrentPrincipal, db: Db) -> SakRead:
    return SakRead.of(await handlers.read(db, p, sak_id, purpose="Fatte vedtak (API)"))


@router.post(
    "/{sak_id}/vedtak",
    status_code=status.HTTP_201_CREATED,
    summary="Decide the case; 409 if already decided or the version is stale",
)
async def decide(sak_id: str, body: VedtakCreate, p: CurrentPrincipal, db: Db) -> SakRead:
    return SakRead.of(await handlers.decide(db, p, sak_id, vedtak=body, versjon=body.versjon))
