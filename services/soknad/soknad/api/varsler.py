"""JSON API of a person's own notifications."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from soknad.deps import CurrentPrincipal, Uow
from soknad.handlers import varsler
from soknad.store.varsler import Varsel

router = APIRouter(prefix="/api/varsler", tags=["varsler"])


class VarselRead(BaseModel):
    id: str
    soknad_id: str
    lopenummer: str | None
    kind: str
    tekst: str
    opprettet_at: datetime
    lest_at: datetime | None

    @classmethod
    def of(cls, row: Varsel) -> VarselRead:
        return cls.model_validate(row, from_attributes=True)


class VarselListe(BaseModel):
    uleste: int
    varsler: list[VarselRead]


@router.get("", summary="My notifications, newest first, with the unread count")
async def list_(p: CurrentPrincipal, uow: Uow) -> VarselListe:
    rows = await varsler.list_mine(uow, p)
    uleste = await varsler.count_mine(uow, p)
    await uow.commit()
    return VarselListe(uleste=uleste, varsler=[VarselRead.of(r) for r in rows])


@router.post("/lest", summary="Mark all my notifications as read")
async def mark_all(p: CurrentPrincipal, uow: Uow) -> VarselListe:
    await varsler.mark_all_mine_read(uow, p)
    rows = await varsler.list_mine(uow, p)
    await uow.commit()
    return VarselListe(uleste=0, varsler=[VarselRead.of(r) for r in rows])


@router.post("/{varsel_id}/lest", summary="Mark one notification as read")
async def mark_one(varsel_id: str, p: CurrentPrincipal, uow: Uow) -> VarselRead:
    row = await varsler.mark_read(uow, p, varsel_id)
    await uow.commit()
    return VarselRead.of(row)
