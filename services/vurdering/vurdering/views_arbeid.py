"""The committee's work on a case page, as forms that work without JavaScript: comments per section,
the member's preparation note, the structured assessment (also autosaved through the API), a declared
conflict of interest; and the notifications page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import TypeAdapter, ValidationError

from shared.platform.auth.principal import Role
from shared.platform.errors import DomainError
from shared.platform.web.params import parse_optional_int
from vurdering import kommentarer, varsler, vurderingsskjema
from vurdering.deps import CurrentPrincipal, Db
from vurdering.domain import SKJEMAFELT
from vurdering.kommentarer import Kommentartekst, Notattekst
from vurdering.views import domain_errors, refused, render, text

router = APIRouter(include_in_schema=False)

_KOMMENTAR = TypeAdapter(Kommentartekst)
_NOTAT = TypeAdapter(Notattekst)
_GRUNN = TypeAdapter(Kommentartekst)


def _til_saken(request: Request, sak_id: str, melding: str, anker: str = "") -> Response:
    url = str(request.url_for("sak_side", sak_id=sak_id)) + f"?melding={melding}"
    return RedirectResponse(url + (f"#{anker}" if anker else ""), status_code=303)


@router.post("/sak/{sak_id}/kommentar", name="kommenter")
async def kommenter(request: Request, sak_id: str, p: CurrentPrincipal, db: Db) -> Response:
    form = await request.form()
    seksjon_id = text(form, "seksjon_id")
    svar_pa = text(form, "svar_pa") or None
    verdier = {"kommentar": text(form, "tekst"), "seksjon_id": seksjon_id}
    feltnavn = f"kommentar-{seksjon_id}" + (f"-{svar_pa}" if svar_pa else "")
    try:
        tekst = _KOMMENTAR.validate_python(verdier["kommentar"])
    except ValidationError:
        errors = [{"field": feltnavn, "message": "Skriv kommentaren før du lagrer den."}]
        return await refused(request, p, db, sak_id, errors=errors, verdier=verdier, status_code=422)
    try:
        await kommentarer.skriv_kommentar(db, p, sak_id, seksjon_id=seksjon_id, tekst=tekst, svar_pa=svar_pa)
    except DomainError as exc:
        return await refused(
            request, p, db, sak_id, errors=domain_errors(exc), verdier=verdier, status_code=exc.status
        )
    return _til_saken(request, sak_id, "kommentert", f"sv-{seksjon_id}")


@router.post("/sak/{sak_id}/notat", name="lagre_notat")
async def lagre_notat(request: Request, sak_id: str, p: CurrentPrincipal, db: Db) -> Response:
    form = await request.form()
    verdier = {"notat": text(form, "notat")}
    try:
        tekst = _NOTAT.validate_python(verdier["notat"])
        versjon = parse_optional_int(text(form, "notat_versjon"), field="notat_versjon", minimum=1)
        await kommentarer.lagre_notat(
            db, p, sak_id, tekst=tekst, delt=text(form, "delt") == "ja", versjon=versjon
        )
    except ValidationError:
        errors = [{"field": "notat", "message": "Notatet er for langt (høyst 50 000 tegn)."}]
        return await refused(request, p, db, sak_id, errors=errors, verdier=verdier, status_code=422)
    except DomainError as exc:
        return await refused(
            request, p, db, sak_id, errors=domain_errors(exc), verdier=verdier, status_code=exc.status
        )
    return _til_saken(request, sak_id, "notat", "notat")


@router.post("/sak/{sak_id}/vurdering", name="lagre_vurdering")
async def lagre_vurdering(request: Request, sak_id: str, p: CurrentPrincipal, db: Db) -> Response:
    """The assessment form without JavaScript: save every field, and submit it when asked."""
    form = await request.form()
    innhold: dict[str, Any] = {navn: text(form, f"innhold.{navn}") for navn in SKJEMAFELT}
    verdier = {"vurdering": innhold}
    try:
        versjon = parse_optional_int(text(form, "versjon"), field="versjon", minimum=0) or 0
        lagret = await vurderingsskjema.lagre_vurdering(db, p, sak_id, versjon=versjon, innhold=innhold)
        if text(form, "handling") == "levere":
            await vurderingsskjema.lever_vurdering(db, p, sak_id, versjon=lagret.versjon)
            return _til_saken(request, sak_id, "levert", "vurdering")
    except DomainError as exc:
        return await refused(
            request, p, db, sak_id, errors=domain_errors(exc), verdier=verdier, status_code=exc.status
        )
    return _til_saken(request, sak_id, "lagret", "vurdering")


@router.post("/sak/{sak_id}/inhabilitet", name="inhabil")
async def inhabil(request: Request, sak_id: str, p: CurrentPrincipal, db: Db) -> Response:
    form = await request.form()
    verdier = {"grunn": text(form, "grunn")}
    try:
        grunn = _GRUNN.validate_python(verdier["grunn"])
    except ValidationError:
        errors = [{"field": "grunn", "message": "Skriv hvorfor du er inhabil."}]
        return await refused(request, p, db, sak_id, errors=errors, verdier=verdier, status_code=422)
    try:
        await vurderingsskjema.erklaer_inhabilitet(db, p, sak_id, grunn=grunn)
    except DomainError as exc:
        return await refused(
            request, p, db, sak_id, errors=domain_errors(exc), verdier=verdier, status_code=exc.status
        )
    return _til_saken(request, sak_id, "inhabil", "habilitet")


@router.get("/varsler", name="varsler_side")
async def varsler_side(request: Request, p: CurrentPrincipal, db: Db) -> Response:
    if not p.has(Role.KOMITE, Role.FAGDIREKTOR):
        return render(request, "ingen_rolle.html", {}, status_code=403)
    liste = await varsler.mine_varsler(db, p)
    return render(request, "varsler.html", {"liste": liste, "varsler_uleste": liste.uleste})


@router.post("/varsler/lest", name="varsler_lest")
async def varsler_lest(request: Request, p: CurrentPrincipal, db: Db) -> Response:
    await varsler.merk_lest(db, p)
    return RedirectResponse(str(request.url_for("varsler_side")), status_code=303)
