"""The applicant's follow-up of an approved treatment: the form and the history of earlier follow-ups."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from shared.platform.auth.principal import can_edit_soknad
from shared.platform.errors import InvalidTransition, ValidationFailed
from soknad.deps import CurrentPrincipal, Db
from soknad.handlers.oppfolging import Oppfolgingsside, list_oppfolging, registrere
from soknad.samarbeid import (
    AVSLUTNINGSARSAK_LABELS,
    BIVIRKNINGSGRAD_LABELS,
    EFFEKT_LABELS,
    INNVILGET,
    parse_evalueringsdato,
)
from soknad.views.common import render, text_field

router = APIRouter(include_in_schema=False)


def ja_nei(value: str) -> bool | None:
    return {"ja": True, "nei": False}.get(value)


PURPOSE = "Følge opp behandling"


def _page(
    request: Request,
    p: CurrentPrincipal,
    side: Oppfolgingsside,
    *,
    errors: list[dict[str, str]] | None = None,
    verdier: dict[str, str] | None = None,
    melding: str | None = None,
    status_code: int = 200,
) -> Response:
    soknad = side.soknad
    editor = can_edit_soknad(p, hf=soknad.hf, soker_id=soknad.soker_id, medforfattere=soknad.medforfattere)
    context: dict[str, Any] = {
        "s": soknad,
        "oppfolginger": side.oppfolginger,
        "kan_registrere": editor and soknad.status == "vedtatt" and soknad.utfall in INNVILGET,
        "evalueringsdato": parse_evalueringsdato(soknad.vedtak),
        "idag": side.idag,
        "effekt_labels": EFFEKT_LABELS,
        "avslutningsarsak_labels": AVSLUTNINGSARSAK_LABELS,
        "bivirkningsgrad_labels": BIVIRKNINGSGRAD_LABELS,
        "errors": errors or [],
        "field_errors": {e["field"]: e["message"] for e in errors or []},
        "verdier": verdier or {},
        "melding": melding,
    }
    return render(request, "oppfolging.html", context, status_code=status_code)


@router.get("/s/{soknad_id}/oppfolging", name="oppfolging_side")
async def side(request: Request, soknad_id: str, p: CurrentPrincipal, db: Db) -> Response:
    oppfolgingsside = await list_oppfolging(db, p, soknad_id, purpose=PURPOSE)
    melding = "Oppfølgingen er registrert." if request.query_params.get("melding") == "oppfolging" else None
    return _page(request, p, oppfolgingsside, melding=melding)


@router.post("/s/{soknad_id}/oppfolging", name="oppfolging_registrer")
async def registrer(request: Request, soknad_id: str, p: CurrentPrincipal, db: Db) -> Response:
    form = await request.form()
    verdier = {
        name: text_field(form, name)
        for name in (
            "effekt",
            "bivirkninger",
            "bivirkningsgrad",
            "bivirkninger_beskrivelse",
            "fortsetter",
            "avslutningsarsak",
            "begrunnelse",
        )
    }
    try:
        await registrere(
            db,
            p,
            soknad_id,
            effekt=verdier["effekt"],
            bivirkninger=ja_nei(verdier["bivirkninger"]),
            bivirkninger_beskrivelse=verdier["bivirkninger_beskrivelse"],
            fortsetter=ja_nei(verdier["fortsetter"]),
            begrunnelse=verdier["begrunnelse"],
            avslutningsarsak=verdier["avslutningsarsak"],
            bivirkningsgrad=verdier["bivirkningsgrad"],
        )
    except (ValidationFailed, InvalidTransition) as exc:
        oppfolgingsside = await list_oppfolging(db, p, soknad_id, purpose=PURPOSE)
        errors = exc.extra.get("errors") or [{"field": exc.field or "", "message": exc.message}]
        return _page(request, p, oppfolgingsside, errors=errors, verdier=verdier, status_code=exc.status)
    return RedirectResponse(
        str(request.url_for("oppfolging_side", soknad_id=soknad_id)) + "?melding=oppfolging", status_code=303
    )
