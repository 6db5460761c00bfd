"""The leader's pages: the anchoring inbox and the three choices (anchor, return, delegate)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from shared.platform.errors import ValidationFailed
from shared.platform.web.deps import katalog_of
from soknad import handlers
from soknad.deps import CurrentPrincipal, Db, Settings
from soknad.handlers.forankring import delegere
from soknad.samarbeid import KOMMENTAR_MAX, ventetid
from soknad.skjema.register import Skjemaer
from soknad.views.common import MESSAGES, open_page, page, render, text_field

router = APIRouter(include_in_schema=False)

BEGRUNNELSE_MAX = 5000
KOSTNADSSTED_MAX = 40


@router.get("/forankring", name="forankring_inbox")
async def forankring(request: Request, p: CurrentPrincipal, db: Db) -> Response:
    # Evaluations that are due come from `views.varsler.header_state`, which runs before every page.
    rows = await handlers.list_til_forankring(db, p)
    now = db.clock.now()
    return render(
        request,
        "forankring.html",
        {
            "soknader": [(s, ventetid(s.sendt_at, now)) for s in rows],
            "melding": MESSAGES.get(request.query_params.get("melding", "")),
        },
    )


def _too_long(value: str, limit: int, field: str) -> list[dict[str, str]]:
    if len(value) > limit:
        return [{"field": field, "message": f"Teksten er for lang (høyst {limit} tegn)."}]
    return []


async def _again(
    request: Request,
    p: CurrentPrincipal,
    soknad_id: str,
    errors: list[dict[str, str]],
    verdier: dict[str, str],
    status_code: int = 422,
) -> Response:
    """The case page again with the messages next to the fields and what the leader typed."""
    side = await open_page(request, p, soknad_id, purpose="Forankre søknad")
    return await page(request, p, side, errors=errors, status_code=status_code, ekstra={"verdier": verdier})


def _to_inbox(request: Request, melding: str) -> Response:
    return RedirectResponse(str(request.url_for("forankring_inbox")) + f"?melding={melding}", status_code=303)


@router.post("/s/{soknad_id}/forankre")
async def forankre(
    request: Request, soknad_id: str, p: CurrentPrincipal, db: Db, settings: Settings, skjemaer: Skjemaer
) -> Response:
    form = await request.form()
    begrunnelse, kostnadssted = text_field(form, "begrunnelse"), text_field(form, "kostnadssted")
    verdier = {"begrunnelse": begrunnelse, "kostnadssted": kostnadssted}
    errors = []
    if not begrunnelse:
        errors.append({"field": "begrunnelse", "message": "Skriv en begrunnelse for forankringen."})
    if not kostnadssted:
        errors.append({"field": "kostnadssted", "message": "Oppgi kostnadssted."})
    errors += _too_long(begrunnelse, BEGRUNNELSE_MAX, "begrunnelse")
    errors += _too_long(kostnadssted, KOSTNADSSTED_MAX, "kostnadssted")
    if errors:
        return await _again(request, p, soknad_id, errors, verdier)
    await handlers.forankre(
        db,
        p,
        soknad_id,
        begrunnelse=begrunnelse,
        kostnadssted=kostnadssted,
        skjemaer=skjemaer,
        allow_synthetic=settings.allow_synthetic_personnummer,
    )
    return _to_inbox(request, "forankret")


@router.post("/s/{soknad_id}/returner")
async def returner(request: Request, soknad_id: str, p: CurrentPrincipal, db: Db) -> Response:
    kommentar = text_field(await request.form(), "kommentar")
    errors = _too_long(kommentar, KOMMENTAR_MAX, "kommentar")
    if not kommentar:
        errors.append({"field": "kommentar", "message": "Skriv hva søkeren må rette."})
    if errors:
        return await _again(request, p, soknad_id, errors, {"kommentar": kommentar})
    await handlers.returnere(db, p, soknad_id, kommentar=kommentar)
    return _to_inbox(request, "returnert")


@router.post("/s/{soknad_id}/deleger", name="deleger")
async def deleger(request: Request, soknad_id: str, p: CurrentPrincipal, db: Db) -> Response:
    form = await request.form()
    enhet, kommentar = text_field(form, "delegering_enhet"), text_field(form, "delegering_kommentar")
    verdier = {"delegering_enhet": enhet, "delegering_kommentar": kommentar}
    errors = _too_long(kommentar, KOMMENTAR_MAX, "delegering_kommentar")
    if not enhet:
        errors.append({"field": "delegering_enhet", "message": "Velg enheten som skal overta forankringen."})
    if not kommentar:
        errors.append(
            {"field": "delegering_kommentar", "message": "Skriv en kommentar til lederen som overtar."}
        )
    if errors:
        return await _again(request, p, soknad_id, errors, verdier)
    try:
        await delegere(db, p, soknad_id, enhet=enhet, kommentar=kommentar, katalog=katalog_of(request))
    except ValidationFailed as exc:
        field = f"delegering_{exc.field}" if exc.field else "delegering_enhet"
        return await _again(request, p, soknad_id, [{"field": field, "message": exc.message}], verdier)
    return _to_inbox(request, "delegert")
