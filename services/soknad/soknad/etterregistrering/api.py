"""JSON API of post-registration: upload a file, follow its job, import only the valid rows."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from shared.platform.errors import ValidationFailed
from soknad.deps import CurrentPrincipal, Db
from soknad.etterregistrering import handlers
from soknad.etterregistrering.fil import FilFeil
from soknad.etterregistrering.views import runner_of, start_upload

router = APIRouter(prefix="/api/etterregistrering", tags=["etterregistrering"])


class FeilRead(BaseModel):
    radnummer: int = Field(description="Row number as the spreadsheet shows it (the headings are row 1).")
    kolonne: str = Field(description="The column's heading.")
    melding: str = Field(description="What is wrong, in Norwegian.")


class JobbRead(BaseModel):
    id: str
    filnavn: str
    status: str = Field(description="validerer, har_feil, importerer, ferdig, feilet or forkastet.")
    bare_gyldige: bool
    rader: int
    gyldige: int
    feilrader: int
    feil_totalt: int
    importert: int
    hoppet_over: int
    melding: str | None
    opprettet_at: datetime
    ferdig_at: datetime | None
    feil: list[FeilRead] = Field(
        default_factory=list, description="The report (at most 1,000 lines here, or `maks_feil`)."
    )


def _read(visning: handlers.Jobbvisning) -> JobbRead:
    j = visning.jobb
    return JobbRead(
        id=j.id,
        filnavn=j.filnavn,
        status=j.status,
        bare_gyldige=j.bare_gyldige,
        rader=j.rader,
        gyldige=j.gyldige,
        feilrader=j.feilrader,
        feil_totalt=j.feil,
        importert=j.importert,
        hoppet_over=j.hoppet_over,
        melding=j.melding,
        opprettet_at=j.opprettet_at,
        ferdig_at=j.ferdig_at,
        feil=[FeilRead(radnummer=f.radnummer, kolonne=f.kolonne, melding=f.melding) for f in visning.feil],
    )


@router.post("", status_code=202, summary="Upload a CSV or XLSX file of earlier decisions (multipart `fil`)")
async def upload(request: Request, p: CurrentPrincipal, db: Db) -> JSONResponse:
    handlers.require_admin(p)
    try:
        jobb_id = await start_upload(request, p, db)
    except FilFeil as exc:
        raise ValidationFailed(
            " ".join(exc.meldinger),
            field="fil",
            extra={"errors": [{"field": "fil", "message": m} for m in exc.meldinger]},
        ) from None
    visning = await handlers.read_jobb(db, p, jobb_id, feil_limit=0)
    return JSONResponse(
        _read(visning).model_dump(mode="json"),
        status_code=202,
        headers={"location": str(request.url_for("etterregistrering_api_jobb", jobb_id=jobb_id))},
    )


@router.get("/{jobb_id}", name="etterregistrering_api_jobb", summary="A job's progress and report")
async def job(
    jobb_id: str,
    p: CurrentPrincipal,
    db: Db,
    maks_feil: Annotated[
        int,
        Query(
            ge=0,
            le=1000,
            description="Most lines of the report to include (the first ones); 0 for the progress alone, "
            "as the job's page asks for it while the job runs.",
        ),
    ] = 1000,
) -> JobbRead:
    return _read(await handlers.read_jobb(db, p, jobb_id, feil_limit=maks_feil))


@router.post(
    "/{jobb_id}/bare-gyldige", status_code=202, summary="Import only the valid rows of a file with errors"
)
async def valid_only(request: Request, jobb_id: str, p: CurrentPrincipal, db: Db) -> JobbRead:
    jobb = await handlers.choose_valid_only(db, p, jobb_id)
    if jobb.status == handlers.IMPORTERER:
        runner_of(request).start_import(jobb.id)
    return _read(await handlers.read_jobb(db, p, jobb_id, feil_limit=0))
