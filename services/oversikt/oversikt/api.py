"""JSON API of the national overview (role `nasjonal`; summary data only, no personal data)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import ValidationError

from oversikt import handlers
from oversikt.deps import CurrentPrincipal, Db, Filter, Settings
from oversikt.domain import MAX_SIDE, Presedenssok
from oversikt.schemas import SakRead, SakSide, VariasjonRead
from shared.domain.presedenssvar import PresedensSvar
from shared.platform.errors import ValidationFailed
from shared.platform.web.params import parse_int
from shared.platform.web.problems import field_name, norwegian_message

router = APIRouter(prefix="/api", tags=["nasjonal oversikt"])


@router.get("/saker", summary="Search the national summaries; newest løpenummer first")
async def saker(
    p: CurrentPrincipal,
    db: Db,
    f: Filter,
    settings: Settings,
    side: Annotated[str, Query(description="Page number, from 1.")] = "1",
    per_side: Annotated[int | None, Query(ge=1, le=500)] = None,
) -> SakSide:
    nummer = parse_int(side, field="side", minimum=1, maximum=MAX_SIDE)
    size = per_side or settings.page_size
    treff = await handlers.search(db, p, f, side=nummer, per_side=size)
    return SakSide(
        totalt=treff.totalt, side=nummer, per_side=size, saker=[SakRead.of(s) for s in treff.saker]
    )


@router.get("/saker/{lopenummer}", summary="One case's latest summary")
async def sak(lopenummer: str, p: CurrentPrincipal, db: Db) -> SakRead:
    return SakRead.of(await handlers.get(db, p, lopenummer))


@router.get("/variasjon", summary="Decisions per substance, indication and trust")
async def variasjon(p: CurrentPrincipal, db: Db, f: Filter) -> list[VariasjonRead]:
    return [VariasjonRead.of(r) for r in await handlers.variasjon(db, p, f)]


def presedenssok(
    virkestoff: Annotated[str, Query(description="Active substance (case-insensitive).")] = "",
    atc: Annotated[str, Query(description="ATC code; matches as well as the substance.")] = "",
    icd10: Annotated[str, Query(description="ICD-10 code; its 3-character category is matched.")] = "",
) -> Presedenssok:
    try:
        return Presedenssok(virkestoff=virkestoff, atc=atc, icd10=icd10)
    except ValidationError as exc:
        errors = [
            {"field": field_name(e["loc"]), "message": norwegian_message(dict(e))} for e in exc.errors()
        ]
        raise ValidationFailed(
            errors[0]["message"], field=errors[0]["field"], extra={"errors": errors}
        ) from exc


@router.get(
    "/presedens",
    summary="Earlier decisions for a substance and indication per trust (aggregated, small cells hidden)",
)
async def presedens(
    p: CurrentPrincipal, db: Db, sok: Annotated[Presedenssok, Depends(presedenssok)]
) -> PresedensSvar:
    # Any authenticated user of any trust, not only `nasjonal`: see handlers.presedens for why that is safe.
    return await handlers.presedens(db, p, sok)
