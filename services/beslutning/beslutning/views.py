"""Pages of the beslutning service: the director's cases and decision form, the controller's billing list."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from beslutning import handlers
from beslutning.deps import CurrentPrincipal, Db
from beslutning.domain import (
    ANBEFALING_LABELS,
    KATEGORI_LABELS,
    KRITERIE_LABELS,
    NIVA_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
    UTFALL_LABELS,
    VURDERINGSFLYT_LABELS,
    VedtakInput,
    transition,
)
from beslutning.handlers import SakVisning
from shared.domain.overganger import Handling
from shared.platform.auth.principal import Principal, Role
from shared.platform.errors import DomainError
from shared.platform.web.params import parse_optional_int
from shared.platform.web.problems import field_name, norwegian_message

router = APIRouter(include_in_schema=False)

MESSAGES = {"vedtatt": "Vedtaket er fattet og sendt til søker."}

_FIELD_MESSAGES = {
    "utfall": "Velg utfall for vedtaket.",
    "begrunnelse": "Skriv en begrunnelse for vedtaket.",
}

FORM_FIELDS = ("utfall", "begrunnelse", "vilkar", "gyldig_til", "evalueringsdato")


def _render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    base = {
        "status_labels": STATUS_LABELS,
        "type_labels": TYPE_LABELS,
        "kategori_labels": KATEGORI_LABELS,
        "anbefaling_labels": ANBEFALING_LABELS,
        "utfall_labels": UTFALL_LABELS,
        "kriterie_labels": KRITERIE_LABELS,
        "niva_labels": NIVA_LABELS,
        "flyt_labels": VURDERINGSFLYT_LABELS,
    }
    return request.app.state.templates.render(request, name, {**base, **context}, status_code=status_code)


def _form_errors(exc: ValidationError) -> list[dict[str, str]]:
    errors = []
    for error in exc.errors():
        field = field_name(error["loc"])
        # Too long is worth saying as such; anything else on these fields means "not answered".
        if error["type"] == "string_too_long" or field not in _FIELD_MESSAGES:
            message = norwegian_message(dict(error))
        else:
            message = _FIELD_MESSAGES[field]
        errors.append({"field": field, "message": message})
    return errors


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


@router.get("/", name="saker")
async def saker(request: Request, p: CurrentPrincipal, db: Db) -> Response:
    if not p.has(Role.FAGDIREKTOR):
        if p.has(Role.CONTROLLER):
            return RedirectResponse(request.url_for("fakturering"), status_code=303)
        return _render(request, "ingen_rolle.html", {}, status_code=403)
    liste = await handlers.list_saker(db, p)
    return _render(request, "saker.html", {"saker": liste.saker, "vedtak": liste.vedtak})


def _page(
    request: Request,
    p: Principal,
    visning: SakVisning,
    *,
    errors: list[dict[str, str]] | None = None,
    verdier: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    sak = visning.sak
    context = {
        "sak": sak,
        "s": sak.snapshot,
        "a": sak.anbefaling,
        "vedtak": visning.vedtak,
        "historikk": visning.historikk,
        "errors": errors or [],
        "field_errors": {e["field"]: e["message"] for e in errors or []},
        "verdier": verdier or {},
        "kan_vedta": p.has(Role.FAGDIREKTOR) and transition.allowed(sak.status, Handling.VEDTA),
        "idag": visning.idag.isoformat(),
        "imorgen": (visning.idag + timedelta(days=1)).isoformat(),
        "melding": MESSAGES.get(request.query_params.get("melding", "")),
    }
    return _render(request, "sak.html", context, status_code=status_code)


@router.get("/sak/{sak_id}", name="sak_side")
async def sak_side(request: Request, sak_id: str, p: CurrentPrincipal, db: Db) -> Response:
    return _page(request, p, await handlers.read(db, p, sak_id, purpose="Fatte vedtak"))


async def _refused(
    request: Request,
    p: Principal,
    db: Db,
    sak_id: str,
    *,
    errors: list[dict[str, str]],
    verdier: dict[str, str],
    status_code: int,
) -> Response:
    """Show the case again with what was typed and why it was refused."""
    visning = await handlers.read(db, p, sak_id, purpose="Fatte vedtak")
    return _page(request, p, visning, errors=errors, verdier=verdier, status_code=status_code)


@router.post("/sak/{sak_id}/vedtak", name="vedta")
async def vedta(request: Request, sak_id: str, p: CurrentPrincipal, db: Db) -> Response:
    form = await request.form()
    verdier = {name: _text(form, name) for name in FORM_FIELDS}
    try:
        vedtak = VedtakInput.model_validate(verdier)
    except ValidationError as exc:
        return await _refused(
            request, p, db, sak_id, errors=_form_errors(exc), verdier=verdier, status_code=422
        )
    try:
        versjon = parse_optional_int(_text(form, "versjon"), field="versjon", minimum=1)
        await handlers.decide(db, p, sak_id, vedtak=vedtak, versjon=versjon)
    except DomainError as exc:
        errors = exc.extra.get("errors") or [{"field": exc.field or "", "message": exc.message}]
        return await _refused(request, p, db, sak_id, errors=errors, verdier=verdier, status_code=exc.status)
    return RedirectResponse(
        str(request.url_for("sak_side", sak_id=sak_id)) + "?melding=vedtatt", status_code=303
    )


@router.get("/fakturering", name="fakturering")
async def fakturering(request: Request, p: CurrentPrincipal, db: Db) -> Response:
    if not p.has(Role.CONTROLLER):
        return _render(request, "ingen_rolle.html", {}, status_code=403)
    rows = await handlers.list_fakturering(db, p)
    return _render(request, "fakturering.html", {"rader": rows})
