"""The event catalogue, served: public, since it describes message shapes and holds no data."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import APIRouter

from integrasjon.asyncapi.generator import build

router = APIRouter(tags=["hendelseskatalog"])


@cache
def _document() -> dict[str, Any]:
    return build()


@router.get("/asyncapi.json", summary="The AsyncAPI 3.0 catalogue of every event, as it travels")
async def asyncapi() -> dict[str, Any]:
    return _document()
