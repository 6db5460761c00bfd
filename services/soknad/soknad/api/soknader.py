"""JSON API of applications (thin: every route calls one use case)."""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy.orm.exc import StaleDataError

from shared.errors import StaleVersion
from soknad import handlers
from soknad.deps import CurrentPrincipal, Settings, Uow
from soknad.handlers.common import load, stale_conflict
from soknad.handlers.utkast import form_state
from soknad.schemas import (
    ForankringRequest,
    MedforfatterRequest,
    ReturRequest,
    SendRequest,
    SoknadCreate,
    SoknadRead,
    SoknadSkjemaRead,
    SoknadSummary,
    SoknadUpdate,
)
from soknad.skjema.register import Skjemaer

router = APIRouter(prefix="/api/soknader", tags=["søknader"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a draft application")
async def create(
    body: SoknadCreate, p: CurrentPrincipal, uow: Uow, settings: Settings, skjemaer: Skjemaer
) -> SoknadSkjemaRead:
    allow_synthetic = settings.allow_synthetic_personnummer
    soknad = await handlers.create_draft(
        uow,
        p,
        type_=body.type,
        kategori=body.kategori,
        enhet=body.enhet,
        innhold=body.innhold,
        allow_synthetic=allow_synthetic,
        skjemaer=skjemaer,
    )
    await uow.commit()
    state = form_state(uow, soknad, skjemaer=skjemaer, allow_synthetic=allow_synthetic)
    return SoknadSkjemaRead.with_state(soknad, state)


@router.get("", summary="My applications (søker) or those waiting for my anchoring (leder)")
async def list_(p: CurrentPrincipal, uow: Uow, rolle: str = "soker") -> list[SoknadSummary]:
    rows = await (handlers.list_til_forankring(uow, p) if rolle == "leder" else handlers.list_mine(uow, p))
    return [SoknadSummary.of(s) for s in rows]


@router.get("/{soknad_id}", summary="One application in full (audited)")
async def get(
    soknad_id: str, p: CurrentPrincipal, uow: Uow, settings: Settings, skjemaer: Skjemaer
) -> SoknadSkjemaRead:
    soknad = await handlers.read(uow, p, soknad_id, purpose="Lese søknad (API)")
    await uow.commit()
    state = form_state(uow, soknad, skjemaer=skjemaer, allow_synthetic=settings.allow_synthetic_personnummer)
    return SoknadSkjemaRead.with_state(soknad, state)


@router.put(
    "/{soknad_id}",
    summary="Save a draft (autosave); 409 on a stale version with the saved answers and who saved each",
)
async def save(
    soknad_id: str, body: SoknadUpdate, p: CurrentPrincipal, uow: Uow, settings: Settings, skjemaer: Skjemaer
) -> SoknadSkjemaRead:
    allow_synthetic = settings.allow_synthetic_personnummer
    try:
        soknad = await handlers.save_draft(
            uow,
            p,
            soknad_id,
            versjon=body.versjon,
            innhold=body.innhold,
            kategori=body.kategori,
            type_=body.type,
            enhet=body.enhet,
            allow_synthetic=allow_synthetic,
            skjemaer=skjemaer,
        )
        await uow.commit()
    except (StaleDataError, StaleVersion) as exc:
        if isinstance(exc, StaleVersion) and "lagret_innhold" in exc.extra:
            raise
        # Another save won the race after our version check: answer as for a stale version.
        await uow.rollback()
        raise await stale_conflict(uow, await load(uow, soknad_id), body.versjon) from None
    return SoknadSkjemaRead.with_state(
        soknad, form_state(uow, soknad, skjemaer=skjemaer, allow_synthetic=allow_synthetic)
    )


@router.post("/{soknad_id}/medforfattere", summary="Invite a co-author")
async def add_coauthor(
    soknad_id: str, body: MedforfatterRequest, p: CurrentPrincipal, uow: Uow
) -> SoknadRead:
    soknad = await handlers.add_medforfatter(uow, p, soknad_id, user_id=body.user_id)
    await uow.commit()
    return SoknadRead.of(soknad)


@router.post("/{soknad_id}/send", summary="Send for anchoring; assigns the løpenummer")
async def send(
    soknad_id: str, body: SendRequest, p: CurrentPrincipal, uow: Uow, settings: Settings, skjemaer: Skjemaer
) -> SoknadRead:
    soknad = await handlers.send(
        uow,
        p,
        soknad_id,
        versjon=body.versjon,
        allow_synthetic=settings.allow_synthetic_personnummer,
        skjemaer=skjemaer,
    )
    await uow.commit()
    return SoknadRead.of(soknad)


@router.post("/{soknad_id}/forankring", summary="Anchor (leder)")
async def anchor(soknad_id: str, body: ForankringRequest, p: CurrentPrincipal, uow: Uow) -> SoknadRead:
    soknad = await handlers.forankre(
        uow, p, soknad_id, begrunnelse=body.begrunnelse, kostnadssted=body.kostnadssted
    )
    await uow.commit()
    return SoknadRead.of(soknad)


@router.post("/{soknad_id}/retur", summary="Return to the applicant (leder)")
async def return_(soknad_id: str, body: ReturRequest, p: CurrentPrincipal, uow: Uow) -> SoknadRead:
    soknad = await handlers.returnere(uow, p, soknad_id, kommentar=body.kommentar)
    await uow.commit()
    return SoknadRead.of(soknad)


@router.post("/{soknad_id}/trekk", summary="Withdraw before the decision")
async def withdraw(soknad_id: str, p: CurrentPrincipal, uow: Uow) -> SoknadRead:
    soknad = await handlers.trekke(uow, p, soknad_id)
    await uow.commit()
    return SoknadRead.of(soknad)
