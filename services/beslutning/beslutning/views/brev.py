"""The decision letter as a page (with a print stylesheet: nothing but the letter on paper) and as a
PDF to file in the patient record; and the small static files of the service's pages."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from beslutning import pdf
from beslutning.deps import CurrentPrincipal, Db
from beslutning.handlers.brev import read_letter
from beslutning.views.common import render
from beslutning.views.varsler import header_state
from shared.platform.web.deps import org_of

router = APIRouter(include_in_schema=False)

# The two small static files live beside the templates: that folder already ships its .js and .css.
STATIC = Path(__file__).resolve().parent.parent / "templates"


@router.get("/vedtak/{vedtak_id}/brev", name="brev", dependencies=[Depends(header_state)])
async def brev(request: Request, vedtak_id: str, p: CurrentPrincipal, db: Db) -> Response:
    letter = await read_letter(db, p, vedtak_id, org=org_of(request))
    return render(request, "brev.html", {"brev": letter})


@router.get("/vedtak/{vedtak_id}/brev.pdf", name="brev_pdf")
async def brev_pdf(request: Request, vedtak_id: str, p: CurrentPrincipal, db: Db) -> Response:
    letter = await read_letter(db, p, vedtak_id, org=org_of(request))
    return Response(
        pdf.render(letter),
        media_type="application/pdf",
        headers={"content-disposition": f'inline; filename="vedtak-{letter.lopenummer}.pdf"'},
    )


def _static(name: str, media_type: str) -> Response:
    return Response(
        (STATIC / name).read_bytes(),
        media_type=media_type,
        headers={"cache-control": "public, max-age=300"},
    )


@router.get("/ressurser/fraser.js", name="fraser_js")
async def fraser_js() -> Response:
    return _static("fraser.js", "text/javascript; charset=utf-8")


@router.get("/ressurser/brev.css", name="brev_css")
async def brev_css() -> Response:
    return _static("brev.css", "text/css; charset=utf-8")
