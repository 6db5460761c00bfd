"""The admin's post-registration pages: the template, the upload, the job's progress and report."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from shared.platform.auth.principal import Principal
from shared.platform.web.middleware import TOO_LARGE_PARAM
from shared.platform.web.templating import format_size
from soknad.deps import CurrentPrincipal, Db
from soknad.etterregistrering import handlers, opplasting
from soknad.etterregistrering.fil import MAX_FIL_BYTES, FilFeil, Tabell, open_file
from soknad.etterregistrering.jobb import Etterregistrering
from soknad.etterregistrering.kolonner import KOLONNER, template_csv, template_xlsx
from soknad.views import varsler
from soknad.views.common import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(varsler.header_state)])

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OPPDATERING_S = 2
"""How often the job's page asks for its progress while the job runs."""
FREMDRIFT_JS = (Path(__file__).parent / "fremdrift.js").read_bytes()


def runner_of(request: Request) -> Etterregistrering:
    runner: Etterregistrering = request.app.state.etterregistrering
    return runner


async def read_upload(request: Request) -> tuple[str, bytes, bool]:
    """The uploaded file's name and bytes and the «only valid rows» choice; FilFeil when no file came."""
    form = await request.form()
    fil = form.get("fil")
    if not isinstance(fil, UploadFile) or not fil.filename:
        raise FilFeil("Velg en fil å laste opp.")
    return fil.filename, await fil.read(), form.get("bare_gyldige") in ("ja", "true", "on", "1")


async def start_upload(request: Request, p: Principal, db: Db) -> str:
    """Open and check the file's headings, start its job; FilFeil for a file that cannot be read."""
    handlers.require_admin(p)
    filnavn, innhold, bare_gyldige = await read_upload(request)
    tabell: Tabell = open_file(innhold, filnavn)
    jobb = await handlers.start_jobb(db, p, filnavn=filnavn, bare_gyldige=bare_gyldige)
    runner_of(request).start(jobb.id, tabell, p.hf)
    return jobb.id


async def _upload_page(
    request: Request, p: Principal, db: Db, *, errors: list[str] | None = None, status_code: int = 200
) -> Response:
    settings = request.app.state.runtime.settings
    return render(
        request,
        "etterregistrering.html",
        {
            "kolonner": KOLONNER,
            "jobber": await handlers.list_jobber(db, p),
            "errors": errors or [],
            "status_labels_jobb": handlers.STATUS_LABELS,
            "maks": format_size(opplasting.file_limit(settings)),
            # The command line takes files up to MAX_FIL_BYTES: worth saying only when the page takes less.
            "maks_kommandolinje": opplasting.file_limit(settings) < MAX_FIL_BYTES
            and format_size(MAX_FIL_BYTES),
        },
        status_code=status_code,
    )


@router.get("/admin/etterregistrering", name="etterregistrering")
async def upload_page(request: Request, p: CurrentPrincipal, db: Db) -> Response:
    handlers.require_admin(p)
    if TOO_LARGE_PARAM in request.query_params:
        # Sent back here by the request limit (`SpineMiddleware`): the file was larger than it takes.
        settings = request.app.state.runtime.settings
        return await _upload_page(request, p, db, errors=[opplasting.too_large_message(settings)])
    return await _upload_page(request, p, db)


@router.get("/admin/etterregistrering/mal.csv", name="etterregistrering_mal_csv")
async def template_csv_file(p: CurrentPrincipal) -> Response:
    handlers.require_admin(p)
    return Response(
        template_csv(),
        media_type=CSV_TYPE,
        headers={"content-disposition": 'attachment; filename="etterregistrering-mal.csv"'},
    )


@router.get("/admin/etterregistrering/mal.xlsx", name="etterregistrering_mal_xlsx")
async def template_xlsx_file(p: CurrentPrincipal) -> Response:
    handlers.require_admin(p)
    return Response(
        template_xlsx(),
        media_type=XLSX_TYPE,
        headers={"content-disposition": 'attachment; filename="etterregistrering-mal.xlsx"'},
    )


@router.get("/admin/etterregistrering/fremdrift.js", name="etterregistrering_fremdrift_js")
async def progress_js() -> Response:
    # Served by the service itself (the shared static files are the platform's); the CSP allows 'self'.
    return Response(FREMDRIFT_JS, media_type="text/javascript", headers={"cache-control": "max-age=3600"})


@router.post("/admin/etterregistrering", name="etterregistrering_last_opp")
async def upload(request: Request, p: CurrentPrincipal, db: Db) -> Response:
    handlers.require_admin(p)
    try:
        jobb_id = await start_upload(request, p, db)
    except FilFeil as exc:
        return await _upload_page(request, p, db, errors=exc.meldinger, status_code=422)
    return RedirectResponse(request.url_for("etterregistrering_jobb", jobb_id=jobb_id), status_code=303)


@router.get("/admin/etterregistrering/{jobb_id}", name="etterregistrering_jobb")
async def job_page(request: Request, jobb_id: str, p: CurrentPrincipal, db: Db) -> Response:
    visning = await handlers.read_jobb(db, p, jobb_id)
    jobb = visning.jobb
    return render(
        request,
        "etterregistrering_jobb.html",
        {
            "jobb": visning.jobb,
            "feil": visning.feil,
            "aktiv": jobb.status in handlers.AKTIVE,
            "aktive": sorted(handlers.AKTIVE),
            "oppdatering_ms": OPPDATERING_S * 1000,
            "status_labels_jobb": handlers.STATUS_LABELS,
            "melding": request.query_params.get("melding", "") == "forkastet"
            and "Importen er forkastet. Ingenting er importert.",
            "errors": [],
        },
    )


@router.post("/admin/etterregistrering/{jobb_id}/bare-gyldige", name="etterregistrering_bare_gyldige")
async def import_valid_only(request: Request, jobb_id: str, p: CurrentPrincipal, db: Db) -> Response:
    jobb = await handlers.choose_valid_only(db, p, jobb_id)
    if jobb.status == handlers.IMPORTERER:
        runner_of(request).start_import(jobb.id)
    return RedirectResponse(request.url_for("etterregistrering_jobb", jobb_id=jobb.id), status_code=303)


@router.post("/admin/etterregistrering/{jobb_id}/forkast", name="etterregistrering_forkast")
async def discard(request: Request, jobb_id: str, p: CurrentPrincipal, db: Db) -> Response:
    jobb = await handlers.discard(db, p, jobb_id)
    url = request.url_for("etterregistrering_jobb", jobb_id=jobb.id).include_query_params(melding="forkastet")
    return RedirectResponse(url, status_code=303)


@router.get("/admin/etterregistrering/{jobb_id}/feilrapport.csv", name="etterregistrering_feilrapport")
async def report_csv(jobb_id: str, p: CurrentPrincipal, db: Db) -> Response:
    visning = await handlers.read_jobb(db, p, jobb_id, feil_limit=None)
    return Response(
        report_as_csv(visning),
        media_type=CSV_TYPE,
        headers={"content-disposition": 'attachment; filename="etterregistrering-feilrapport.csv"'},
    )


def report_as_csv(visning: handlers.Jobbvisning) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Rad", "Kolonne", "Melding"])
    for f in visning.feil:
        writer.writerow([f.radnummer, f.kolonne, f.melding])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
