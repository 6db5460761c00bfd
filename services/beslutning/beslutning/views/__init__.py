"""Pages of the beslutning service: the director's inbox and cases, the decision letter, the admin's
phrase library and the controller's billing view."""

from fastapi import APIRouter

from beslutning.views import brev, fakturering, fraser, saker

router = APIRouter(include_in_schema=False)
router.include_router(saker.router)
router.include_router(brev.router)
router.include_router(fraser.router)
router.include_router(fakturering.router)
