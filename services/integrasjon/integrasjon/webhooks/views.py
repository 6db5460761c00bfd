"""Admin pages of the webhooks: register an endpoint (its secret shown once), see which endpoints were
disabled, read an endpoint's delivery log, replay a delivery."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from integrasjon.deps import CurrentPrincipal, Db
from integrasjon.settings import IntegrasjonSettings
from integrasjon.webhooks import handlers
from integrasjon.webhooks.domain import (
    FORMAT_LABELS,
    HENDELSE_LABELS,
    JSON,
    STATUS_LABELS,
    EndepunktInput,
    varighet,
)
from shared.platform.auth.principal import Principal, Role
from shared.platform.web.problems import field_name, norwegian_message

router = APIRouter(include_in_schema=False)

MESSAGES = {
    "sendes": "Leveringen sendes på nytt nå.",
    "aktivert": "Webhooken er aktivert igjen. Leveringer som venter, sendes nå.",
}
_FIELD_MESSAGES = {
    "navn": "Skriv hva systemet som skal motta hendelsene heter.",
    "url": "Skriv en fullstendig adresse som begynner med https:// (eller http://).",
    "hendelser": "Velg minst én hendelse.",
    "format": "Velg JSON eller FHIR.",
}


def _render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    base = {
        "hendelse_labels": HENDELSE_LABELS,
        "status_labels": STATUS_LABELS,
        "format_labels": FORMAT_LABELS,
    }
    return request.app.state.templates.render(request, name, {**base, **context}, status_code=status_code)


async def _liste(
    request: Request,
    p: Principal,
    db: Db,
    *,
    errors: list[dict[str, str]] | None = None,
    verdier: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    endepunkter = await handlers.list_endepunkter(db, p)
    settings = request.app.state.runtime.settings
    assert isinstance(settings, IntegrasjonSettings)
    context = {
        "deaktiver_etter": varighet(settings.webhook_disable_after()),
        "endepunkter": endepunkter,
        "deaktiverte": [e for e in endepunkter if not e.aktiv],
        "errors": errors or [],
        "field_errors": {e["field"]: e["message"] for e in errors or []},
        "verdier": verdier or {"hendelser": list(HENDELSE_LABELS), "identitet": "nei", "format": JSON},
    }
    return _render(request, "webhooks.html", context, status_code=status_code)


@router.get("/webhooks", name="webhooks")
async def webhooks(request: Request, p: CurrentPrincipal, db: Db) -> Response:
    if not p.has(Role.ADMIN):
        return _render(request, "webhooks_ingen_tilgang.html", {}, status_code=403)
    return await _liste(request, p, db)


@router.post("/webhooks", name="registrer_webhook")
async def registrer(request: Request, p: CurrentPrincipal, db: Db) -> Response:
    form = await request.form()
    verdier: dict[str, Any] = {
        "navn": str(form.get("navn") or ""),
        "url": str(form.get("url") or ""),
        "hendelser": [str(h) for h in form.getlist("hendelser")],
        "identitet": str(form.get("identitet") or "nei"),
        "format": str(form.get("format") or JSON),
    }
    try:
        data = EndepunktInput.model_validate({**verdier, "identitet": verdier["identitet"] == "ja"})
    except ValidationError as exc:
        errors = []
        for error in exc.errors():
            field = field_name(error["loc"])
            message = error["msg"].removeprefix("Value error, ") if error["type"] == "value_error" else None
            errors.append(
                {
                    "field": field,
                    "message": message or _FIELD_MESSAGES.get(field) or norwegian_message(dict(error)),
                }
            )
        return await _liste(request, p, db, errors=errors, verdier=verdier, status_code=422)
    nytt = await handlers.registrer(db, p, data)
    # Rendered, not redirected to: the secret must not travel in a URL, and it is shown this once.
    page = _render(request, "webhook_opprettet.html", {"e": nytt.endepunkt, "hemmelighet": nytt.hemmelighet})
    page.headers["cache-control"] = "no-store"
    return page


@router.get("/webhooks/{endepunkt_id}", name="webhook_logg")
async def logg(request: Request, endepunkt_id: str, p: CurrentPrincipal, db: Db) -> Response:
    logg = await handlers.logg(db, p, endepunkt_id)
    context = {
        "e": logg.endepunkt,
        "leveringer": logg.leveringer,
        "forsok": logg.forsok,
        "melding": MESSAGES.get(request.query_params.get("melding", "")),
    }
    return _render(request, "webhook_logg.html", context)


@router.post("/webhooks/{endepunkt_id}/leveringer/{levering_id}/send-igjen", name="webhook_send_igjen")
async def send_igjen(
    request: Request, endepunkt_id: str, levering_id: int, p: CurrentPrincipal, db: Db
) -> Response:
    await handlers.spill_av_pa_nytt(db, p, endepunkt_id, levering_id)
    url = request.url_for("webhook_logg", endepunkt_id=endepunkt_id)
    return RedirectResponse(f"{url}?melding=sendes", status_code=303)


@router.post("/webhooks/{endepunkt_id}/aktiver", name="webhook_aktiver")
async def aktiver(request: Request, endepunkt_id: str, p: CurrentPrincipal, db: Db) -> Response:
    await handlers.aktiver(db, p, endepunkt_id)
    url = request.url_for("webhook_logg", endepunkt_id=endepunkt_id)
    return RedirectResponse(f"{url}?melding=aktivert", status_code=303)
