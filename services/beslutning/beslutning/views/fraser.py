"""The admin's pages for the trust's phrase library (every change audited in the use case)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from beslutning.deps import CurrentPrincipal, Db
from beslutning.fraser import PLASSHOLDERE, FraseInput
from beslutning.handlers import fraser
from beslutning.views.common import domain_errors, form_errors, render, text
from beslutning.views.varsler import header_state
from shared.platform.auth.principal import Principal, Role
from shared.platform.errors import DomainError

router = APIRouter(include_in_schema=False, dependencies=[Depends(header_state)])

FIELDS = ("felt", "tittel", "tekst", "url")
MESSAGES = {"lagret": "Frasen er lagret.", "slettet": "Frasen er slettet."}


async def _page(
    request: Request,
    p: Principal,
    db: Db,
    *,
    errors: list[dict[str, str]] | None = None,
    verdier: dict[str, str] | None = None,
    rediger: str | None = None,
    status_code: int = 200,
) -> Response:
    if not p.has(Role.ADMIN):
        return render(request, "ingen_rolle.html", {}, status_code=403)
    return render(
        request,
        "fraser.html",
        {
            "fraser": await fraser.list_fraser(db, p),
            "plassholdere": PLASSHOLDERE,
            "errors": errors or [],
            "field_errors": {e["field"]: e["message"] for e in errors or []},
            "verdier": verdier or {},
            "rediger": rediger,
            "melding": MESSAGES.get(request.query_params.get("melding", "")),
        },
        status_code=status_code,
    )


@router.get("/fraser", name="fraser_side")
async def side(request: Request, p: CurrentPrincipal, db: Db) -> Response:
    return await _page(request, p, db)


def _input(form: dict[str, str], aktiv: bool) -> FraseInput:
    return FraseInput.model_validate({**form, "aktiv": aktiv})


@router.post("/fraser", name="frase_ny")
async def ny(request: Request, p: CurrentPrincipal, db: Db) -> Response:
    raw = await request.form()
    verdier = {name: text(raw, name) for name in FIELDS}
    try:
        await fraser.create(db, p, frase=_input(verdier, True))
    except ValidationError as exc:
        return await _page(request, p, db, errors=form_errors(exc), verdier=verdier, status_code=422)
    except DomainError as exc:
        return await _page(request, p, db, errors=domain_errors(exc), verdier=verdier, status_code=exc.status)
    return RedirectResponse(str(request.url_for("fraser_side")) + "?melding=lagret", status_code=303)


@router.post("/fraser/{frase_id}", name="frase_endre")
async def endre(request: Request, frase_id: str, p: CurrentPrincipal, db: Db) -> Response:
    raw = await request.form()
    verdier = {name: text(raw, name) for name in FIELDS}
    try:
        if text(raw, "handling") == "slett":
            await fraser.delete(db, p, frase_id)
            return RedirectResponse(str(request.url_for("fraser_side")) + "?melding=slettet", status_code=303)
        versjon = int(text(raw, "versjon")) if text(raw, "versjon").isdigit() else None
        await fraser.update(
            db, p, frase_id, frase=_input(verdier, text(raw, "aktiv") == "ja"), versjon=versjon
        )
    except ValidationError as exc:
        return await _page(
            request, p, db, errors=form_errors(exc), verdier=verdier, rediger=frase_id, status_code=422
        )
    except DomainError as exc:
        return await _page(
            request,
            p,
            db,
            errors=domain_errors(exc),
            verdier=verdier,
            rediger=frase_id,
            status_code=exc.status,
        )
    return RedirectResponse(str(request.url_for("fraser_side")) + "?melding=lagret", status_code=303)
