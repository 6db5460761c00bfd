"""The trust administrator's pages: the help texts of the form."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from shared.platform.auth.principal import Principal
from shared.platform.errors import ValidationFailed
from soknad.deps import CurrentPrincipal, Uow
from soknad.handlers.hjelpetekster import MAKS_LENGDE, list_for_admin, reset_help_text, set_help_text
from soknad.skjema.modell import Skjema
from soknad.skjema.register import Skjemaer, SkjemaRegister
from soknad.views.common import MESSAGES, render

router = APIRouter(include_in_schema=False)


def _version(skjemaer: SkjemaRegister, value: object) -> Skjema:
    try:
        return skjemaer.get(int(str(value)))
    except (ValueError, LookupError):
        return skjemaer.latest


async def _page(
    request: Request,
    p: Principal,
    uow: Uow,
    skjemaer: SkjemaRegister,
    skjema: Skjema,
    *,
    errors: list[dict[str, str]] | None = None,
    skrevet: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    linjer = await list_for_admin(uow, p, skjema=skjema)
    return render(
        request,
        "admin_hjelpetekster.html",
        {
            "skjema": skjema,
            "versjoner": skjemaer.versjoner,
            "linjer": linjer,
            "errors": errors or [],
            "field_errors": {e["field"]: e["message"] for e in errors or []},
            "skrevet": skrevet or {},
            "maks_lengde": MAKS_LENGDE,
            "melding": MESSAGES.get(request.query_params.get("melding", "")),
        },
        status_code=status_code,
    )


@router.get("/admin/hjelpetekster", name="admin_hjelpetekster")
async def hjelpetekster(request: Request, p: CurrentPrincipal, uow: Uow, skjemaer: Skjemaer) -> Response:
    skjema = _version(skjemaer, request.query_params.get("versjon", skjemaer.latest.versjon))
    return await _page(request, p, uow, skjemaer, skjema)


@router.post("/admin/hjelpetekster", name="admin_lagre_hjelpetekst")
async def lagre(request: Request, p: CurrentPrincipal, uow: Uow, skjemaer: Skjemaer) -> Response:
    form = await request.form()
    skjema = _version(skjemaer, form.get("versjon"))
    sporsmal_id = str(form.get("sporsmal_id", ""))
    tekst = str(form.get(f"tekst.{sporsmal_id}", ""))
    try:
        if form.get("handling") == "tilbakestill":
            await reset_help_text(uow, p, skjema=skjema, sporsmal_id=sporsmal_id)
            melding = "hjelpetekst_tilbake"
        else:
            await set_help_text(uow, p, skjema=skjema, sporsmal_id=sporsmal_id, tekst=tekst)
            melding = "hjelpetekst"
        await uow.commit()
    except ValidationFailed as exc:
        await uow.rollback()
        errors = [{"field": exc.field or "", "message": exc.message}]
        return await _page(
            request, p, uow, skjemaer, skjema, errors=errors, skrevet={sporsmal_id: tekst}, status_code=422
        )
    url = request.url_for("admin_hjelpetekster").include_query_params(versjon=skjema.versjon, melding=melding)
    return RedirectResponse(f"{url}#sporsmal-{sporsmal_id}", status_code=303)
