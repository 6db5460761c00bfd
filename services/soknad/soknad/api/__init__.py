"""JSON API of the soknad service."""

from fastapi import APIRouter

from soknad.api import katalog, oppslag, presedens, register, samarbeid, soknader, statistikk, varsler

router = APIRouter()
router.include_router(soknader.router)
router.include_router(samarbeid.router)
router.include_router(varsler.router)
router.include_router(oppslag.router)
router.include_router(presedens.router)
router.include_router(register.router)
router.include_router(statistikk.router)
router.include_router(katalog.router)
