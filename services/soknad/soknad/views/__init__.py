"""Pages of the soknad service."""

from fastapi import APIRouter, Depends

from soknad.views import (
    admin,
    forankring,
    fortsettelse,
    katalog,
    oppfolging,
    personvern,
    presedens,
    register,
    statistikk,
    tilleggsinfo,
    trekking,
    utkast,
    varsler,
)

# Every page gets the unread count for the bell in the header (and, on start pages, due evaluations).
router = APIRouter(include_in_schema=False, dependencies=[Depends(varsler.header_state)])
router.include_router(forankring.router)  # before utkast: `/forankring` must not match `/s/{id}` routes
router.include_router(utkast.router)
router.include_router(tilleggsinfo.router)
router.include_router(trekking.router)
router.include_router(oppfolging.router)
router.include_router(fortsettelse.router)
router.include_router(varsler.router)
router.include_router(presedens.router)
router.include_router(register.router)
router.include_router(statistikk.router)
router.include_router(admin.router)
router.include_router(personvern.router)
router.include_router(katalog.router)
