"""JSON API of a person's own notifications."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from soknad.deps import CurrentPrincipal, Db
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
async def list_(p: CurrentPrincipal, db: Db) -> VarselListe:
    liste = await varsler.list_mine(db, p)
    return VarselListe(uleste=liste.uleste, varsler=[VarselRead.of(r) for r in liste.varsler])


@router.post("/lest", summary="Mark all my notifications as read")
async def mark_all(p: CurrentPrincipal, db: Db) -> VarselListe:
    await varsler.mark_all_mine_read(db, p)
    return await list_(p, db)


@router.post("/{varsel_id}/lest", summary="Mark one notification as read")
async def mark_one(varsel_id: str, p: CurrentPrincipal, db: Db) -> VarselRead:
    return VarselRead.of(await varsler.mark_read(db, p, varsel_id))
