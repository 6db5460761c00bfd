"""JSON API of the soknad service."""

from fastapi import APIRouter

from soknad.api import soknader

router = APIRouter()
router.include_router(soknader.router)
