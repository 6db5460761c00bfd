"""JSON API of the soknad service."""

from fastapi import APIRouter

from soknad.api import oppslag, soknader

router = APIRouter()
router.include_router(soknader.router)
router.include_router(oppslag.router)
