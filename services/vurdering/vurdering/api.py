"""JSON API of the vurdering service (thin: every route calls one use case)."""

from __future__ import annotations

from fastapi import APIRouter, status

from vurdering import handlers
from vurdering.deps import CurrentPrincipal, Db
from vurdering.schemas import AnbefalingCreate, SakRead, SakSummary, SporsmalRead, TilleggsinformasjonCreate

router = APIRouter(prefix="/api/saker", tags=["vurdering"])


@router.get("", summary="The trust's assessment cases (komite, fagdirektor)")
async def list_(p: CurrentPrincipal, db: Db) -> list[SakSummary]:
    liste = await handlers.list_saker(db, p)
    return [SakSummary.of(s) for s in liste.saker]


@router.get("/{sak_id}", summary="One case with the application snapshot (audited)")
async def get(sak_id: str, p: CurrentPrincipal, db: Db) -> SakRead:
    return SakRead.of(await handlers.read(db, p, sak_id, purpose="Vurdere søknad (API)"))


@router.post("/{sak_id}/anbefaling", summary="Record the committee's recommendation; 409 if already given")
async def recommend(sak_id: str, body: AnbefalingCreate, p: CurrentPrincipal, db: Db) -> SakRead:
    visning = await handlers.record_anbefaling(db, p, sak_id, anbefaling=body, versjon=body.versjon)
    return SakRead.of(visning)


@router.post(
    "/{sak_id}/tilleggsinformasjon",
    status_code=status.HTTP_201_CREATED,
    summary="Ask the applicant for more information",
)
async def ask(sak_id: str, body: TilleggsinformasjonCreate, p: CurrentPrincipal, db: Db) -> SporsmalRead:
    return SporsmalRead.of(await handlers.request_tilleggsinformasjon(db, p, sak_id, sporsmal=body.sporsmal))
