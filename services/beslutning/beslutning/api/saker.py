"""The director's cases over JSON: inbox, one case, triage, questions, tilgangsordningen, decisions."""

from __future__ import annotations

from fastapi import APIRouter, Query, status

from beslutning import handlers
from beslutning.deps import CurrentPrincipal, Db, Settings
from beslutning.domain import TriageInput
from beslutning.handlers import interregional, saker, tilleggsinfo, triage
from beslutning.schemas import (
    EndringCreate,
    InnboksRead,
    InterregionaltCreate,
    OpphevCreate,
    SakRead,
    SakSummary,
    SporsmalCreate,
    TriageCreate,
    VedtakCreate,
    VideresendCreate,
)
from shared.platform.web.deps import Org, Personkatalog

router = APIRouter(prefix="/api", tags=["beslutning"])


@router.get("/saker", summary="The trust's decision cases (fagdirektor)")
async def list_(p: CurrentPrincipal, db: Db) -> list[SakSummary]:
    liste = await handlers.list_saker(db, p)
    return [SakSummary.of(s) for s in liste.saker]


@router.get("/innboks", summary="Open cases, earliest deadline first, 50 per page; overdue flagged")
async def innboks(
    p: CurrentPrincipal,
    db: Db,
    side: int = Query(default=1, ge=1, le=100_000, description="Page, from 1."),
    status_: str | None = Query(default=None, alias="status", description="Only cases in this status."),
) -> InnboksRead:
    return InnboksRead.of(await saker.innboks(db, p, side=side, status=status_))


@router.get("/saker/{sak_id}", summary="One case with the snapshot, recommendation and decisions (audited)")
async def get(sak_id: str, p: CurrentPrincipal, db: Db) -> SakRead:
    return SakRead.of(await handlers.read(db, p, sak_id, purpose="Fatte vedtak (API)"))


@router.post(
    "/saker/{sak_id}/triage",
    summary="Choose the flow: forenklet, or komplett with members and a deadline (SakSendtTilKomite)",
)
async def triage_(
    sak_id: str,
    body: TriageCreate,
    p: CurrentPrincipal,
    db: Db,
    org: Org,
    katalog: Personkatalog,
    settings: Settings,
) -> SakRead:
    navn = {m: await katalog.navn(m) for m in body.medlemmer}
    valg = body.model_dump(exclude={"versjon"})
    return SakRead.of(
        await triage.triage(
            db,
            p,
            sak_id,
            valg=TriageInput.model_validate(valg),
            org=org,
            navn=navn,
            tider=settings.behandlingstider,
            versjon=body.versjon,
        )
    )


@router.post("/saker/{sak_id}/sporsmal", summary="Ask the applicant for more information; the case waits")
async def sporsmal(sak_id: str, body: SporsmalCreate, p: CurrentPrincipal, db: Db) -> SakRead:
    return SakRead.of(await tilleggsinfo.ask(db, p, sak_id, valg=body.input(), versjon=body.versjon))


@router.post(
    "/saker/{sak_id}/vedtak",
    status_code=status.HTTP_201_CREATED,
    summary="Decide the case; 409 if already decided or the version is stale",
)
async def decide(sak_id: str, body: VedtakCreate, p: CurrentPrincipal, db: Db, org: Org) -> SakRead:
    return SakRead.of(
        await handlers.decide(db, p, sak_id, vedtak=body.input(), versjon=body.versjon, org=org)
    )


@router.post(
    "/saker/{sak_id}/vedtak/{vedtak_id}/endring",
    status_code=status.HTTP_201_CREATED,
    summary="Amend a standing decision: a new decision that replaces it (VedtakFattet, art endring)",
)
async def amend(
    sak_id: str, vedtak_id: str, body: EndringCreate, p: CurrentPrincipal, db: Db, org: Org
) -> SakRead:
    return SakRead.of(
        await handlers.amend(db, p, sak_id, vedtak_id, vedtak=body.input(), versjon=body.versjon, org=org)
    )


@router.post(
    "/saker/{sak_id}/vedtak/{vedtak_id}/opphevelse",
    status_code=status.HTTP_201_CREATED,
    summary="Revoke a standing decision (VedtakOpphevet)",
)
async def revoke(sak_id: str, vedtak_id: str, body: OpphevCreate, p: CurrentPrincipal, db: Db) -> SakRead:
    return SakRead.of(
        await handlers.revoke(db, p, sak_id, vedtak_id, opphev=body.input(), versjon=body.versjon)
    )


@router.post(
    "/saker/{sak_id}/videresend", summary="Tilgangsordningen: forward to the interregional committee"
)
async def forward(
    sak_id: str, body: VideresendCreate, p: CurrentPrincipal, db: Db, settings: Settings
) -> SakRead:
    return SakRead.of(
        await interregional.forward(
            db, p, sak_id, valg=body.input(), tider=settings.behandlingstider, versjon=body.versjon
        )
    )


@router.post(
    "/saker/{sak_id}/interregionalt-vedtak",
    status_code=status.HTTP_201_CREATED,
    summary="Tilgangsordningen: register the interregional committee's decision (VedtakFattet)",
)
async def interregionalt(
    sak_id: str, body: InterregionaltCreate, p: CurrentPrincipal, db: Db, org: Org
) -> SakRead:
    return SakRead.of(
        await interregional.register(db, p, sak_id, vedtak=body.input(), versjon=body.versjon, org=org)
    )
