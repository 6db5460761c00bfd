"""Pages of the soknad service."""

from fastapi import APIRouter

from soknad.views import forankring, register, statistikk, utkast

router = APIRouter(include_in_schema=False)
router.include_router(forankring.router)  # before utkast: `/forankring` must not match `/s/{id}` routes
router.include_router(utkast.router)
router.include_router(register.router)
router.include_router(statistikk.router)
