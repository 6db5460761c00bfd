"""The trust administrator's pages: the help texts of the form."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from shared.platform.auth.principal import Principal
from shared.platform.errors import ValidationFailed
from shared.platform.web.params import parse_optional_int
from soknad.deps import CurrentPrincipal, Db
from soknad.handlers.hjelpetekster import MAKS_LENGDE, list_for_admin, reset_help_text, set_help_text
from soknad.skjema.modell import Skjema
from soknad.skjema.register import Skjemaer, SkjemaRegister
from soknad.views.common import MESSAGES, render

router = APIRouter(include_in_schema=False)


def _version(skjemaer: SkjemaRegister, value: str | None) -> Skjema:
    """The form version asked for; the latest when none is given. An unknown version is a 4xx."""
    versjon = parse_optional_int(value, field="versjon", minimum=1)
    if versjon is None:
        return skjemaer.latest
    try:
        return skjemaer.get(versjon)
    except LookupError:
        raise ValidationFailed("Skjemaet finnes ikke i den versjonen.", field="versjon") from None


async def _page(
    request: Request,
    p: Principal,
    db: Db,
    skjemaer: SkjemaRegister,
    skjema: Skjema,
    *,
    errors: list[dict[str, str]] | None = None,
    skrevet: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    linjer = await list_for_admin(db, p, skjema=skjema)
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
async def hjelpetekster(request: Request, p: CurrentPrincipal, db: Db, skjemaer: Skjemaer) -> Response:
    skjema = _version(skjemaer, request.query_params.get("versjon"))
    return await _page(request, p, db, skjemaer, skjema)


@router.post("/admin/hjelpetekster", name="admin_lagre_hjelpetekst")
async def lagre(request: Request, p: CurrentPrincipal, db: Db, skjemaer: Skjemaer) -> Response:
    form = await request.form()
    skjema = _version(skjemaer, str(form.get("versjon") or ""))
    sporsmal_id = str(form.get("sporsmal_id", ""))
    tekst = str(form.get(f"tekst.{sporsmal_id}", ""))
    try:
        if form.get("handling") == "tilbakestill":
            await reset_help_text(db, p, skjema=skjema, sporsmal_id=sporsmal_id)
            melding = "hjelpetekst_tilbake"
        else:
            await set_help_text(db, p, skjema=skjema, sporsmal_id=sporsmal_id, tekst=tekst)
            melding = "hjelpetekst"
    except ValidationFailed as exc:
        errors = [{"field": exc.field or "", "message": exc.message}]
        return await _page(
            request, p, db, skjemaer, skjema, errors=errors, skrevet={sporsmal_id: tekst}, status_code=422
        )
    url = request.url_for("admin_hjelpetekster").include_query_params(versjon=skjema.versjon, melding=melding)
    return RedirectResponse(f"{url}#sporsmal-{sporsmal_id}", status_code=303)
