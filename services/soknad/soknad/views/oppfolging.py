"""The applicant's follow-up of an approved treatment: the form and the history of earlier follow-ups."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from shared.platform.auth.principal import can_edit_soknad
from shared.platform.errors import InvalidTransition, ValidationFailed
from soknad import handlers
from soknad.deps import CurrentPrincipal, Uow
from soknad.handlers.oppfolging import list_oppfolging, registrere
from soknad.samarbeid import EFFEKT_LABELS, INNVILGET, oslo_date, parse_evalueringsdato
from soknad.store import Soknad
from soknad.views.common import render, text_field

router = APIRouter(include_in_schema=False)


def ja_nei(value: str) -> bool | None:
    return {"ja": True, "nei": False}.get(value)


async def _page(
    request: Request,
    p: CurrentPrincipal,
    uow: Uow,
    soknad: Soknad,
    *,
    errors: list[dict[str, str]] | None = None,
    verdier: dict[str, str] | None = None,
    melding: str | None = None,
    status_code: int = 200,
) -> Response:
    editor = can_edit_soknad(p, hf=soknad.hf, soker_id=soknad.soker_id, medforfattere=soknad.medforfattere)
    context: dict[str, Any] = {
        "s": soknad,
        "oppfolginger": await list_oppfolging(uow, soknad.id),
        "kan_registrere": editor and soknad.status == "vedtatt" and soknad.utfall in INNVILGET,
        "evalueringsdato": parse_evalueringsdato(soknad.vedtak),
        "idag": oslo_date(uow.now),
        "effekt_labels": EFFEKT_LABELS,
        "errors": errors or [],
        "field_errors": {e["field"]: e["message"] for e in errors or []},
        "verdier": verdier or {},
        "melding": melding,
    }
    return render(request, "oppfolging.html", context, status_code=status_code)


@router.get("/s/{soknad_id}/oppfolging", name="oppfolging_side")
async def side(request: Request, soknad_id: str, p: CurrentPrincipal, uow: Uow) -> Response:
    soknad = await handlers.read(uow, p, soknad_id, purpose="Følge opp behandling")
    await uow.commit()
    melding = "Oppfølgingen er registrert." if request.query_params.get("melding") == "oppfolging" else None
    return await _page(request, p, uow, soknad, melding=melding)


@router.post("/s/{soknad_id}/oppfolging", name="oppfolging_registrer")
async def registrer(request: Request, soknad_id: str, p: CurrentPrincipal, uow: Uow) -> Response:
    form = await request.form()
    verdier = {
        name: text_field(form, name)
        for name in ("effekt", "bivirkninger", "bivirkninger_beskrivelse", "fortsetter", "begrunnelse")
    }
    try:
        await registrere(
            uow,
            p,
            soknad_id,
            effekt=verdier["effekt"],
            bivirkninger=ja_nei(verdier["bivirkninger"]),
            bivirkninger_beskrivelse=verdier["bivirkninger_beskrivelse"],
            fortsetter=ja_nei(verdier["fortsetter"]),
            begrunnelse=verdier["begrunnelse"],
        )
        await uow.commit()
    except (ValidationFailed, InvalidTransition) as exc:
        await uow.rollback()
        soknad = await handlers.read(uow, p, soknad_id, purpose="Følge opp behandling")
        await uow.commit()
        errors = exc.extra.get("errors") or [{"field": exc.field or "", "message": exc.message}]
        return await _page(request, p, uow, soknad, errors=errors, verdier=verdier, status_code=exc.status)
    return RedirectResponse(
        str(request.url_for("oppfolging_side", soknad_id=soknad_id)) + "?melding=oppfolging", status_code=303
    )
