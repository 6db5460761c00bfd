"""Pages of the vurdering service: the committee's case list and the case with its assessment forms."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import TypeAdapter, ValidationError
from starlette.datastructures import FormData

from shared.platform.auth.principal import Principal, Role
from shared.platform.errors import DomainError
from shared.platform.web.params import parse_optional_int
from shared.platform.web.problems import field_name, norwegian_message
from vurdering import handlers
from vurdering.deps import CurrentPrincipal, Db
from vurdering.domain import (
    ANBEFALING_LABELS,
    KATEGORI_LABELS,
    KRITERIER,
    NIVA_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
    UTFALL_LABELS,
    AnbefalingInput,
    Sporsmal,
    Status,
)
from vurdering.handlers import SakVisning

router = APIRouter(include_in_schema=False)

MESSAGES = {
    "anbefalt": "Anbefalingen er registrert og sendt til fagdirektøren.",
    "etterspurt": "Spørsmålet er sendt til søker.",
}

_FIELD_MESSAGES = {
    "anbefaling": "Velg hva komiteen anbefaler.",
    "begrunnelse": "Skriv en begrunnelse for anbefalingen.",
    "sporsmal": "Skriv spørsmålet til søker.",
    **{f"kriterier.{k.navn}": f"Velg lav, moderat eller høy for {k.label.lower()}." for k in KRITERIER},
}

_SPORSMAL = TypeAdapter(Sporsmal)


def _render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    base = {
        "status_labels": STATUS_LABELS,
        "type_labels": TYPE_LABELS,
        "kategori_labels": KATEGORI_LABELS,
        "anbefaling_labels": ANBEFALING_LABELS,
        "utfall_labels": UTFALL_LABELS,
        "kriterier": KRITERIER,
        "niva_labels": NIVA_LABELS,
    }
    return request.app.state.templates.render(request, name, {**base, **context}, status_code=status_code)


def _form_errors(exc: ValidationError, *, prefix: tuple[str, ...] = ()) -> list[dict[str, str]]:
    errors = []
    for error in exc.errors():
        field = field_name((*prefix, *error["loc"]))
        # Too long is worth saying as such; anything else on a form field means "not answered".
        if error["type"] == "string_too_long" or field not in _FIELD_MESSAGES:
            message = norwegian_message(dict(error))
        else:
            message = _FIELD_MESSAGES[field]
        errors.append({"field": field, "message": message})
    return errors


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _anbefaling_from_form(form: FormData) -> dict[str, Any]:
    return {
        "anbefaling": _text(form, "anbefaling"),
        "begrunnelse": _text(form, "begrunnelse"),
        "kriterier": {k.navn: _text(form, f"kriterier.{k.navn}") for k in KRITERIER},
    }


@router.get("/", name="saker")
async def saker(request: Request, p: CurrentPrincipal, db: Db) -> Response:
    if not p.has(Role.KOMITE, Role.FAGDIREKTOR):
        return _render(request, "ingen_rolle.html", {}, status_code=403)
    liste = await handlers.list_saker(db, p)
    return _render(request, "saker.html", {"saker": liste.saker, "anbefalinger": liste.anbefalinger})


def _page(
    request: Request,
    p: Principal,
    visning: SakVisning,
    *,
    errors: list[dict[str, str]] | None = None,
    verdier: dict[str, Any] | None = None,
    status_code: int = 200,
    melding: str | None = None,
) -> Response:
    sak = visning.sak
    context = {
        "sak": sak,
        "s": sak.snapshot,
        "anbefaling": visning.anbefaling,
        "sporsmal": visning.sporsmal,
        "historikk": visning.historikk,
        "errors": errors or [],
        "field_errors": {e["field"]: e["message"] for e in errors or []},
        "verdier": verdier or {},
        "kan_vurdere": p.has(Role.KOMITE) and sak.status == Status.TIL_VURDERING,
        "melding": melding or MESSAGES.get(request.query_params.get("melding", "")),
    }
    return _render(request, "sak.html", context, status_code=status_code)


@router.get("/sak/{sak_id}", name="sak_side")
async def sak_side(request: Request, sak_id: str, p: CurrentPrincipal, db: Db) -> Response:
    return _page(request, p, await handlers.read(db, p, sak_id, purpose="Vurdere søknad"))


async def _refused(
    request: Request,
    p: Principal,
    db: Db,
    sak_id: str,
    *,
    errors: list[dict[str, str]],
    verdier: dict[str, Any],
    status_code: int,
) -> Response:
    """Show the case again with what was typed and why it was refused."""
    visning = await handlers.read(db, p, sak_id, purpose="Vurdere søknad")
    return _page(request, p, visning, errors=errors, verdier=verdier, status_code=status_code)


def _domain_errors(exc: DomainError) -> list[dict[str, str]]:
    return exc.extra.get("errors") or [{"field": exc.field or "", "message": exc.message}]


@router.post("/sak/{sak_id}/anbefaling", name="anbefal")
async def anbefal(request: Request, sak_id: str, p: CurrentPrincipal, db: Db) -> Response:
    form = await request.form()
    raw = _anbefaling_from_form(form)
    try:
        anbefaling = AnbefalingInput.model_validate(raw)
    except ValidationError as exc:
        return await _refused(request, p, db, sak_id, errors=_form_errors(exc), verdier=raw, status_code=422)
    try:
        versjon = parse_optional_int(_text(form, "versjon"), field="versjon", minimum=1)
        await handlers.record_anbefaling(db, p, sak_id, anbefaling=anbefaling, versjon=versjon)
    except DomainError as exc:
        return await _refused(
            request, p, db, sak_id, errors=_domain_errors(exc), verdier=raw, status_code=exc.status
        )
    return RedirectResponse(
        str(request.url_for("sak_side", sak_id=sak_id)) + "?melding=anbefalt", status_code=303
    )


@router.post("/sak/{sak_id}/tilleggsinformasjon", name="etterspor")
async def etterspor(request: Request, sak_id: str, p: CurrentPrincipal, db: Db) -> Response:
    form = await request.form()
    verdier = {"sporsmal": _text(form, "sporsmal")}
    try:
        sporsmal = _SPORSMAL.validate_python(verdier["sporsmal"])
    except ValidationError as exc:
        return await _refused(
            request,
            p,
            db,
            sak_id,
            errors=_form_errors(exc, prefix=("sporsmal",)),
            verdier=verdier,
            status_code=422,
        )
    try:
        await handlers.request_tilleggsinformasjon(db, p, sak_id, sporsmal=sporsmal)
    except DomainError as exc:
        return await _refused(
            request, p, db, sak_id, errors=_domain_errors(exc), verdier=verdier, status_code=exc.status
        )
    return RedirectResponse(
        str(request.url_for("sak_side", sak_id=sak_id)) + "?melding=etterspurt", status_code=303
    )
