"""The controller's billing lines over JSON: no patient, no clinical free text."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query

from beslutning.deps import CurrentPrincipal, Db
from beslutning.handlers import fakturering
from beslutning.handlers.fakturering import Faktureringslinje, Kostnadslinje
from beslutning.schemas import FakturertUpdate

router = APIRouter(prefix="/api/fakturering", tags=["fakturering"])


@router.get("", summary="Billing lines of the trust's granted treatments (controller); no patient data")
async def billing(
    p: CurrentPrincipal,
    db: Db,
    enhet: str | None = Query(default=None, max_length=40, description="Only this unit."),
    fra: date | None = Query(default=None, description="Validity overlaps the period from this day."),
    til: date | None = Query(default=None, description="Validity overlaps the period to this day."),
) -> list[Faktureringslinje]:
    return (await fakturering.list_fakturering(db, p, enhet=enhet, fra=fra, til=til)).linjer


@router.get("/kostnader", summary="Cost per unit and calendar month (yearly estimates spread over validity)")
async def costs(
    p: CurrentPrincipal,
    db: Db,
    enhet: str | None = Query(default=None, max_length=40),
    fra: date | None = Query(default=None),
    til: date | None = Query(default=None),
) -> list[Kostnadslinje]:
    return (await fakturering.list_fakturering(db, p, enhet=enhet, fra=fra, til=til)).kostnader


@router.put("/{vedtak_id}", summary="Mark a granted treatment as invoiced (or not)")
async def mark(vedtak_id: str, body: FakturertUpdate, p: CurrentPrincipal, db: Db) -> Faktureringslinje:
    return await fakturering.mark_invoiced(db, p, vedtak_id, fakturert=body.fakturert)
