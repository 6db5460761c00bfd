"""The phrase library over JSON (admin writes, the director reads); every change audited."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from beslutning.deps import CurrentPrincipal, Db
from beslutning.fraser import FraseInput
from beslutning.handlers import fraser
from beslutning.schemas import FraseRead, FraseUpdate

router = APIRouter(prefix="/api/fraser", tags=["fraser"])


@router.get("", summary="The trust's phrases (admin: all; director: the active ones)")
async def list_(p: CurrentPrincipal, db: Db) -> list[FraseRead]:
    return [FraseRead.of(f) for f in await fraser.list_fraser(db, p)]


@router.post("", status_code=status.HTTP_201_CREATED, summary="Add a phrase (admin)")
async def create(body: FraseInput, p: CurrentPrincipal, db: Db) -> FraseRead:
    return FraseRead.of(await fraser.create(db, p, frase=body))


@router.put("/{frase_id}", summary="Change a phrase (admin); 409 on a stale version")
async def update(frase_id: str, body: FraseUpdate, p: CurrentPrincipal, db: Db) -> FraseRead:
    frase = FraseInput.model_validate(body.model_dump(exclude={"versjon"}))
    return FraseRead.of(await fraser.update(db, p, frase_id, frase=frase, versjon=body.versjon))


@router.delete("/{frase_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a phrase (admin)")
async def delete(frase_id: str, p: CurrentPrincipal, db: Db) -> Response:
    await fraser.delete(db, p, frase_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
