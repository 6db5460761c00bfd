"""JSON API of applications (thin: every route calls one use case)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response, status

from shared.platform.auth.principal import Principal
from shared.platform.runtime import ServiceRuntime
from shared.platform.web.deps import get_principal, get_runtime
from soknad import handlers
from soknad.deps import CurrentPrincipal, Db, Personkatalog, Settings, get_settings
from soknad.handlers.utkast import read_utfylling
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
    db: Db,
    settings: Settings,
    skjemaer: Skjemaer,
    katalog: Personkatalog,
) -> SoknadSkjemaRead:
    utfylling = await handlers.create_draft(
        db,
        p,
        type_=body.type,
        kategori=body.kategori,
        enhet=body.enhet,
        innhold=body.innhold,
        allow_synthetic=settings.allow_synthetic_personnummer,
        skjemaer=skjemaer,
        katalog=katalog,
    )
    return SoknadSkjemaRead.with_state(utfylling.soknad, utfylling.state)


@router.get("", summary="My applications (søker) or those waiting for my anchoring (leder)")
async def list_(p: CurrentPrincipal, db: Db, rolle: str = "soker") -> list[SoknadSummary]:
    rows = await (handlers.list_til_forankring(db, p) if rolle == "leder" else handlers.list_mine(db, p))
    return [SoknadSummary.of(s) for s in rows]


@router.get("/{soknad_id}", summary="One application in full (audited)")
async def get(
    soknad_id: str, p: CurrentPrincipal, db: Db, settings: Settings, skjemaer: Skjemaer
) -> SoknadSkjemaRead:
    utfylling = await read_utfylling(
        db,
        p,
        soknad_id,
        purpose="Lese søknad (API)",
        skjemaer=skjemaer,
        allow_synthetic=settings.allow_synthetic_personnummer,
    )
    return SoknadSkjemaRead.with_state(utfylling.soknad, utfylling.state)


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
    minimal = prefer is not None and _wants_minimal(prefer)
    # A stale version is the use case's 409 (`stale_conflict`), raised by the unit of work.
    lagret = await handlers.save_draft(
        ctx.runtime.db,
        ctx.principal,
        soknad_id,
        versjon=body.versjon,
        innhold=body.innhold,
        kategori=body.kategori,
        type_=body.type,
        enhet=body.enhet,
        allow_synthetic=ctx.settings.allow_synthetic_personnummer,
        skjemaer=ctx.skjemaer,
        full=not minimal,
        katalog=ctx.runtime.katalog,
    )
    # Returned as a Response: FastAPI would otherwise validate the model it was just given once more.
    if lagret.soknad is None:
        return Response(
            SoknadLagret.with_state(lagret.utkast, lagret.state).model_dump_json(),
            media_type="application/json",
            headers={"Preference-Applied": "return=minimal"},
        )
    full = SoknadSkjemaRead.with_state(lagret.soknad, lagret.state)
    return Response(full.model_dump_json(), media_type="application/json")


def _wants_minimal(prefer: str) -> bool:
    """RFC 7240: `Prefer` holds comma-separated preferences, `return=minimal` among them."""
    return any(part.split(";", 1)[0].strip().lower() == "return=minimal" for part in prefer.split(","))


@router.post("/{soknad_id}/medforfattere", summary="Invite a co-author")
async def add_coauthor(
    soknad_id: str, body: MedforfatterRequest, p: CurrentPrincipal, db: Db, katalog: Personkatalog
) -> SoknadRead:
    soknad = await handlers.add_medforfatter(db, p, soknad_id, user_id=body.user_id, katalog=katalog)
    return SoknadRead.of(soknad)


@router.post("/{soknad_id}/send", summary="Send for anchoring; assigns the løpenummer")
async def send(
    soknad_id: str,
    body: SendRequest,
    p: CurrentPrincipal,
    db: Db,
    settings: Settings,
    skjemaer: Skjemaer,
    katalog: Personkatalog,
) -> SoknadRead:
    soknad = await handlers.send(
        db,
        p,
        soknad_id,
        versjon=body.versjon,
        allow_synthetic=settings.allow_synthetic_personnummer,
        skjemaer=skjemaer,
        katalog=katalog,
    )
    return SoknadRead.of(soknad)


@router.post("/{soknad_id}/forankring", summary="Anchor (leder)")
async def anchor(
    soknad_id: str,
    body: ForankringRequest,
    p: CurrentPrincipal,
    db: Db,
    settings: Settings,
    skjemaer: Skjemaer,
) -> SoknadRead:
    soknad = await handlers.forankre(
        db,
        p,
        soknad_id,
        begrunnelse=body.begrunnelse,
        kostnadssted=body.kostnadssted,
        skjemaer=skjemaer,
        allow_synthetic=settings.allow_synthetic_personnummer,
    )
    return SoknadRead.of(soknad)


@router.post("/{soknad_id}/retur", summary="Return to the applicant (leder)")
async def return_(soknad_id: str, body: ReturRequest, p: CurrentPrincipal, db: Db) -> SoknadRead:
    soknad = await handlers.returnere(db, p, soknad_id, kommentar=body.kommentar)
    return SoknadRead.of(soknad)


@router.post("/{soknad_id}/trekk", summary="Withdraw before the decision")
async def withdraw(soknad_id: str, p: CurrentPrincipal, db: Db) -> SoknadRead:
    soknad = await handlers.trekke(db, p, soknad_id)
    return SoknadRead.of(soknad)
