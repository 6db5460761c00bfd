"""JSON API of applications (thin: every route calls one use case)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response, status
from sqlalchemy.orm.exc import StaleDataError

from shared.platform.auth.principal import Principal
from shared.platform.errors import StaleVersion
from shared.platform.runtime import ServiceRuntime
from shared.platform.web.deps import get_principal, get_runtime
from soknad import handlers
from soknad.deps import CurrentPrincipal, Personkatalog, Settings, Uow, get_settings
from soknad.handlers.common import load, stale_conflict
from soknad.handlers.utkast import form_state
from soknad.schemas import (
    ForankringRequest,
    MedforfatterRequest,
    ReturRequest,
    SendRequest,
    SoknadCreate,
    SoknadLagret,
    SoknadRead,
    SoknadSkjemaRead,
    SoknadSummary,
    SoknadUpdate,
)
from soknad.settings import SoknadSettings
from soknad.skjema.register import Skjemaer, SkjemaRegister, get_skjemaer

router = APIRouter(prefix="/api/soknader", tags=["søknader"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a draft application")
async def create(
    body: SoknadCreate,
    p: CurrentPrincipal,
    uow: Uow,
    settings: Settings,
    skjemaer: Skjemaer,
    katalog: Personkatalog,
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
        katalog=katalog,
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


@dataclass(frozen=True)
class Lagring:
    """What a save needs besides its body, from one dependency: autosave is the most frequent request
    of the system, and solving four dependencies and a generator cost it a seventh of its CPU."""

    principal: Principal
    runtime: ServiceRuntime
    settings: SoknadSettings
    skjemaer: SkjemaRegister


async def get_lagring(request: Request) -> Lagring:
    # The other dependencies' functions, called directly rather than solved by FastAPI one by one.
    runtime = await get_runtime(request)
    return Lagring(
        principal=await get_principal(request),
        runtime=runtime,
        settings=await get_settings(runtime),
        skjemaer=await get_skjemaer(request),
    )


@router.put(
    "/{soknad_id}",
    summary="Save a draft (autosave); 409 on a stale version with the saved answers and who saved each",
    description=(
        "With `Prefer: return=minimal` (what the page's autosave sends) the answer is the new version and "
        "the form's state (`SoknadLagret`), not the whole application."
    ),
    response_model=SoknadSkjemaRead | SoknadLagret,
)
async def save(
    soknad_id: str,
    body: SoknadUpdate,
    ctx: Annotated[Lagring, Depends(get_lagring)],
    prefer: Annotated[str | None, Header()] = None,
) -> Response:
    allow_synthetic = ctx.settings.allow_synthetic_personnummer
    async with ctx.runtime.db.unit_of_work() as uow:
        try:
            utkast = await handlers.save_draft(
                uow,
                ctx.principal,
                soknad_id,
                versjon=body.versjon,
                innhold=body.innhold,
                kategori=body.kategori,
                type_=body.type,
                enhet=body.enhet,
                allow_synthetic=allow_synthetic,
                skjemaer=ctx.skjemaer,
                katalog=ctx.runtime.katalog,
            )
            await uow.commit()
        except (StaleDataError, StaleVersion) as exc:
            if isinstance(exc, StaleVersion) and "lagret_innhold" in exc.extra:
                raise
            # Another save won the race after our version check: answer as for a stale version.
            await uow.rollback()
            raise await stale_conflict(uow, await load(uow, soknad_id), body.versjon) from None
        state = form_state(uow, utkast, skjemaer=ctx.skjemaer, allow_synthetic=allow_synthetic)
        # Returned as a Response: FastAPI would otherwise validate the model it was just given once more.
        if prefer is not None and _wants_minimal(prefer):
            return Response(
                SoknadLagret.with_state(utkast, state).model_dump_json(),
                media_type="application/json",
                headers={"Preference-Applied": "return=minimal"},
            )
        full = SoknadSkjemaRead.with_state(await load(uow, soknad_id), state)
        return Response(full.model_dump_json(), media_type="application/json")


def _wants_minimal(prefer: str) -> bool:
    """RFC 7240: `Prefer` holds comma-separated preferences, `return=minimal` among them."""
    return any(part.split(";", 1)[0].strip().lower() == "return=minimal" for part in prefer.split(","))


@router.post("/{soknad_id}/medforfattere", summary="Invite a co-author")
async def add_coauthor(
    soknad_id: str, body: MedforfatterRequest, p: CurrentPrincipal, uow: Uow, katalog: Personkatalog
) -> SoknadRead:
    soknad = await handlers.add_medforfatter(uow, p, soknad_id, user_id=body.user_id, katalog=katalog)
    await uow.commit()
    return SoknadRead.of(soknad)


@router.post("/{soknad_id}/send", summary="Send for anchoring; assigns the løpenummer")
async def send(
    soknad_id: str,
    body: SendRequest,
    p: CurrentPrincipal,
    uow: Uow,
    settings: Settings,
    skjemaer: Skjemaer,
    katalog: Personkatalog,
) -> SoknadRead:
    soknad = await handlers.send(
        uow,
        p,
        soknad_id,
        versjon=body.versjon,
        allow_synthetic=settings.allow_synthetic_personnummer,
        skjemaer=skjemaer,
        katalog=katalog,
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
