"""External consultation: the member's invitation form (with a directory search by name or HPR number)
and the consultant's own page, opened through the secret link by the invited person logged in (with no
role in this trust), without the patient's identity."""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import TypeAdapter, ValidationError

from shared.platform.auth.principal import Principal
from shared.platform.errors import DomainError, Unauthenticated
from shared.platform.web.problems import wants_html
from vurdering import konsultasjon
from vurdering.deps import CurrentPrincipal, Db, InnloggetPerson
from vurdering.kommentarer import Kommentartekst
from vurdering.views import domain_errors, form_errors, page_after, refused, render, text

router = APIRouter(include_in_schema=False)

_UTTALELSE = TypeAdapter(Kommentartekst)
_FELT = ("navn", "hpr_nummer", "organisasjon", "epost", "sporsmal", "gyldig_dager")


@router.get("/sak/{sak_id}/konsultasjon/sok", name="konsulent_sok")
async def konsulent_sok(request: Request, sak_id: str, p: CurrentPrincipal, db: Db) -> Response:
    """The case page with the directory's matches for the invitation form."""
    sok = request.query_params.get("sok", "")
    hf = request.query_params.get("hf", "") or p.hf
    treff = await konsultasjon.finn_personer(request.app.state.runtime.katalog, hf=hf, sok=sok)
    return await page_after(
        request,
        p,
        db,
        sak_id,
        melding="",
        extra={"konsulent_treff": treff, "konsulent_sok": sok, "konsulent_hf": hf, "konsulent_sokt": True},
    )


@router.post("/sak/{sak_id}/konsultasjon", name="inviter")
async def inviter(request: Request, sak_id: str, p: CurrentPrincipal, db: Db) -> Response:
    form = await request.form()
    raw: dict[str, Any] = {f: text(form, f) for f in _FELT}
    verdier = {"konsultasjon": raw}
    try:
        invitasjon = konsultasjon.Invitasjon.model_validate(
            {**raw, "gyldig_dager": raw["gyldig_dager"] or 14}
        )
    except ValidationError as exc:
        return await refused(
            request, p, db, sak_id, errors=form_errors(exc), verdier=verdier, status_code=422
        )
    try:
        invitert = await konsultasjon.inviter(db, p, sak_id, invitasjon=invitasjon)
    except DomainError as exc:
        return await refused(
            request, p, db, sak_id, errors=domain_errors(exc), verdier=verdier, status_code=exc.status
        )
    # Absolute when the service knows its public address (`base_url`); never built from the request's
    # Host header, which whoever sends the request controls.
    lenke = str(request.url_for("konsultasjon_side", token=invitert.token))
    return await page_after(
        request,
        p,
        db,
        sak_id,
        melding=f"{invitasjon.navn} er invitert. Send lenken under; den vises bare nå.",
        extra={"ny_lenke": lenke, "ny_lenke_utloper": invitert.konsultasjon.utloper_at},
    )


def _til_innlogging(request: Request) -> Response:
    """Not logged in: to the login page, with the way back to the link (`neste`); an API client gets
    the 401."""
    if not wants_html(request):
        raise Unauthenticated("Du må logge inn for å se denne siden.")
    neste = request.url_for("konsultasjon_side", token=request.path_params["token"]).path
    response = RedirectResponse("/?" + urlencode({"neste": neste}), status_code=303)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _vis_som(request: Request, person: Principal) -> None:
    # The page's header shows who is logged in, but none of their roles: they have none in this trust.
    request.state.principal = dataclasses.replace(person, roles=frozenset())


@router.get("/konsultasjon/{token}", name="konsultasjon_side")
async def konsultasjon_side(request: Request, token: str, db: Db, person: InnloggetPerson) -> Response:
    if person is None:
        return _til_innlogging(request)
    _vis_som(request, person)
    return await _konsultasjon_page(request, db, token, person)


async def _konsultasjon_page(
    request: Request,
    db: Db,
    token: str,
    person: Principal,
    *,
    errors: list[dict[str, str]] | None = None,
    verdi: str = "",
    status_code: int = 200,
    melding: str | None = None,
) -> Response:
    try:
        visning = await konsultasjon.apne(db, token, person)
    except DomainError as exc:
        tittel = "Invitasjonen gjelder ikke deg" if exc.status == 403 else None
        response = render(
            request,
            "konsultasjon_ugyldig.html",
            {"melding": exc.message, "tittel": tittel},
            status_code=exc.status,
        )
        response.headers["Referrer-Policy"] = "no-referrer"
        return response
    context = {
        "k": visning.konsultasjon,
        "sak": visning.sak,
        "visning": visning.visning,
        "uttalelser": visning.uttalelser,
        "token": token,
        "errors": errors or [],
        "verdi": verdi,
        "melding": melding or ("Uttalelsen er sendt. Takk!" if request.query_params.get("sendt") else None),
    }
    response = render(request, "konsultasjon.html", context, status_code=status_code)
    # The link is the key: keep it out of other sites' Referer headers.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.post("/konsultasjon/{token}", name="gi_uttalelse")
async def gi_uttalelse(request: Request, token: str, db: Db, person: InnloggetPerson) -> Response:
    if person is None:
        return _til_innlogging(request)
    _vis_som(request, person)
    form = await request.form()
    verdi = text(form, "uttalelse")
    try:
        tekst = _UTTALELSE.validate_python(verdi)
    except ValidationError:
        errors = [{"field": "uttalelse", "message": "Skriv uttalelsen før du sender den."}]
        return await _konsultasjon_page(
            request, db, token, person, errors=errors, verdi=verdi, status_code=422
        )
    try:
        await konsultasjon.gi_uttalelse(db, token, person, tekst=tekst)
    except DomainError as exc:
        errors = [{"field": "", "message": exc.message}]
        return await _konsultasjon_page(
            request, db, token, person, errors=errors, verdi=verdi, status_code=exc.status
        )
    return RedirectResponse(
        str(request.url_for("konsultasjon_side", token=token)) + "?sendt=1", status_code=303
    )
