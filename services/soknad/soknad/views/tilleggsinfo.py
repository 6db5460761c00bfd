"""The applicant answers a request for more information from the case page, and may update answers of
the application with it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from shared.platform.errors import InvalidTransition, ValidationFailed
from soknad.deps import CurrentPrincipal, Db, Settings
from soknad.handlers.tilleggsinfo import besvare
from soknad.skjema.register import Skjemaer
from soknad.views.common import innhold_from_form, open_page, page, text_field

router = APIRouter(include_in_schema=False)

PURPOSE = "Svare på spørsmål fra vurderingen"


@router.post("/s/{soknad_id}/tilleggsinfo/{sporsmal_id}", name="svar_tilleggsinfo")
async def svar(
    request: Request,
    soknad_id: str,
    sporsmal_id: str,
    p: CurrentPrincipal,
    db: Db,
    settings: Settings,
    skjemaer: Skjemaer,
) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    svar = text_field(form, "svar")
    innhold = innhold_from_form(form)
    field = f"svar-{sporsmal_id}"
    try:
        await besvare(
            db,
            p,
            soknad_id,
            sporsmal_id,
            svar=svar,
            innhold=innhold,
            skjemaer=skjemaer,
            allow_synthetic=settings.allow_synthetic_personnummer,
        )
    except (ValidationFailed, InvalidTransition) as exc:
        # The typed answer and the changed fields are shown again, so nothing is lost even when the
        # question was answered by a co-author in the meantime.
        side = await open_page(request, p, soknad_id, purpose=PURPOSE)
        errors = exc.extra.get("errors") or [{"field": exc.field or "", "message": exc.message}]
        errors = [{**e, "field": field if e["field"] in ("svar", "") else e["field"]} for e in errors]
        return await page(
            request,
            p,
            side,
            errors=errors,
            status_code=exc.status,
            ekstra={
                "verdier": {field: svar},
                "oppdatert_innhold": {**(side.soknad.innhold or {}), **innhold} if innhold else None,
                "feil_i_svar": [e["field"].removeprefix("innhold.").split(".")[0] for e in errors],
            },
        )
    return RedirectResponse(
        str(request.url_for("soknad_side", soknad_id=soknad_id)) + "?melding=besvart", status_code=303
    )
