"""JSON API of the vurdering service (thin: every route calls one use case)."""

from __future__ import annotations

from fastapi import APIRouter, status

from shared.platform.db.uow import UnitOfWork
from vurdering import handlers, store
from vurdering.deps import CurrentPrincipal, Uow
from vurdering.schemas import AnbefalingCreate, SakRead, SakSummary, SporsmalRead, TilleggsinformasjonCreate
from vurdering.store import Sak

router = APIRouter(prefix="/api/saker", tags=["vurdering"])


async def _full(uow: UnitOfWork, sak: Sak) -> SakRead:
    return SakRead.of(
        sak,
        anbefaling=await store.anbefaling_for(uow.session, sak.id),
        sporsmal=await store.sporsmal_for(uow.session, sak.id),
    )


@router.get("", summary="The trust's assessment cases (komite, fagdirektor)")
async def list_(p: CurrentPrincipal, uow: Uow) -> list[SakSummary]:
    return [SakSummary.of(s) for s in await handlers.list_saker(uow, p)]


@router.get("/{sak_id}", summary="One case with the application snapshot (audited)")
async def get(sak_id: str, p: CurrentPrincipal, uow: Uow) -> SakRead:
    sak = await handlers.read(uow, p, sak_id, purpose="Vurdere søknad (API)")
    result = await _full(uow, sak)
    await uow.commit()
    return result


@router.post("/{sak_id}/anbefaling", summary="Record the committee's recommendation; 409 if already given")
async def recommend(sak_id: str, body: AnbefalingCreate, p: CurrentPrincipal, uow: Uow) -> SakRead:
    sak = await handlers.record_anbefaling(uow, p, sak_id, anbefaling=body, versjon=body.versjon)
    result = await _full(uow, sak)
    await uow.commit()
    return result


@router.post(
    "/{sak_id}/tilleggsinformasjon",
    status_code=status.HTTP_201_CREATED,
    summary="Ask the applicant for more information",
)
async def ask(sak_id: str, body: TilleggsinformasjonCreate, p: CurrentPrincipal, uow: Uow) -> SporsmalRead:
    row = await handlers.request_tilleggsinformasjon(uow, p, sak_id, sporsmal=body.sporsmal)
    await uow.commit()
    return SporsmalRead.of(row)
