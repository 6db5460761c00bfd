"""JSON API of the vurdering service (thin: every route calls one use case)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from vurdering import handlers, kommentarer, vurderingsskjema
from vurdering.deps import CurrentPrincipal, Db
from vurdering.schemas import (
    AnbefalingCreate,
    InhabilitetCreate,
    KommentarCreate,
    KommentarRead,
    LeveringCreate,
    SakRead,
    SakSummary,
    SporsmalRead,
    TilleggsinformasjonCreate,
    VurderingLagret,
    VurderingRead,
    VurderingUpdate,
)

router = APIRouter(prefix="/api/saker", tags=["vurdering"])


@router.get(
    "", summary="The committee's queue: cases sent to it, earliest deadline first (komite, fagdirektor)"
)
async def list_(p: CurrentPrincipal, db: Db) -> list[SakSummary]:
    liste = await handlers.list_saker(db, p)
    return [SakSummary.of(s, liste) for s in liste.saker]


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
    row = await handlers.request_tilleggsinformasjon(
        db, p, sak_id, sporsmal=body.sporsmal, svarfrist=body.svarfrist
    )
    return SporsmalRead.of(row)


@router.post(
    "/{sak_id}/kommentarer",
    status_code=status.HTTP_201_CREATED,
    summary="An internal comment on a section of the application, or a reply to one",
)
async def comment(sak_id: str, body: KommentarCreate, p: CurrentPrincipal, db: Db) -> KommentarRead:
    row = await kommentarer.skriv_kommentar(
        db, p, sak_id, seksjon_id=body.seksjon_id, tekst=body.tekst, svar_pa=body.svar_pa
    )
    return KommentarRead.of(row)


@router.get("/{sak_id}/vurdering", summary="The caller's own assessment draft (komite)")
async def get_assessment(sak_id: str, p: CurrentPrincipal, db: Db) -> VurderingRead:
    return VurderingRead.of(await vurderingsskjema.min_vurdering(db, p, sak_id))


@router.put(
    "/{sak_id}/vurdering",
    summary="Autosave the caller's assessment; 409 on a stale version with what is saved",
    response_model=VurderingLagret,
)
async def save_assessment(sak_id: str, body: VurderingUpdate, p: CurrentPrincipal, db: Db) -> Response:
    row = await vurderingsskjema.lagre_vurdering(db, p, sak_id, versjon=body.versjon, innhold=body.innhold)
    return Response(VurderingLagret.of(row).model_dump_json(), media_type="application/json")


@router.post("/{sak_id}/vurdering/levering", summary="Submit the caller's assessment to the committee")
async def submit_assessment(sak_id: str, body: LeveringCreate, p: CurrentPrincipal, db: Db) -> VurderingRead:
    return VurderingRead.of(await vurderingsskjema.lever_vurdering(db, p, sak_id, versjon=body.versjon))


@router.post(
    "/{sak_id}/inhabilitet",
    status_code=status.HTTP_201_CREATED,
    summary="Declare a conflict of interest; the member then neither assesses nor recommends",
)
async def declare_conflict(
    sak_id: str, body: InhabilitetCreate, p: CurrentPrincipal, db: Db
) -> dict[str, str]:
    row = await vurderingsskjema.erklaer_inhabilitet(db, p, sak_id, grunn=body.grunn)
    return {"medlem_id": row.medlem_id, "grunn": row.grunn}
