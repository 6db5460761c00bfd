"""JSON API of the national overview (role `nasjonal`; summary data only, no personal data)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from oversikt import handlers
from oversikt.deps import CurrentPrincipal, Filter, Settings, Uow
from oversikt.schemas import SakRead, SakSide, VariasjonRead

router = APIRouter(prefix="/api", tags=["nasjonal oversikt"])


@router.get("/saker", summary="Search the national summaries; newest løpenummer first")
async def saker(
    p: CurrentPrincipal,
    uow: Uow,
    f: Filter,
    settings: Settings,
    side: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_side: Annotated[int | None, Query(ge=1, le=500)] = None,
) -> SakSide:
    size = per_side or settings.page_size
    total, rows = await handlers.search(uow, p, f, side=side, per_side=size)
    return SakSide(totalt=total, side=side, per_side=size, saker=[SakRead.of(s) for s in rows])


@router.get("/saker/{lopenummer}", summary="One case's latest summary")
async def sak(lopenummer: str, p: CurrentPrincipal, uow: Uow) -> SakRead:
    return SakRead.of(await handlers.get(uow, p, lopenummer))


@router.get("/variasjon", summary="Decisions per substance, indication and trust")
async def variasjon(p: CurrentPrincipal, uow: Uow, f: Filter) -> list[VariasjonRead]:
    return [VariasjonRead.of(r) for r in await handlers.variasjon(uow, p, f)]
