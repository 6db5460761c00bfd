"""Processing time per step for the trust's statistics (counts and durations, never a case)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from beslutning.deps import CurrentPrincipal, Db
from beslutning.handlers import statistikk

router = APIRouter(prefix="/api/statistikk", tags=["statistikk"])


@router.get("/behandlingstid", summary="Days per step (triage, committee, interregional, decision, total)")
async def behandlingstid(p: CurrentPrincipal, db: Db) -> dict[str, Any]:
    return await statistikk.behandlingstid(db, p)
