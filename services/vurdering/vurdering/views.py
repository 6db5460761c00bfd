"""Pages of the vurdering service: the committee's queue and the case page (the whole application with
its comment threads, the member's assessment, the precedent panel, the recommendation). Only the
committee and the medical director have pages here; an external consultant has one page of their own
(`views_konsultasjon`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import TypeAdapter, ValidationError
from starlette.datastructures import FormData

from shared.platform.auth.principal import Principal, Role
from shared.platform.errors import DomainError
from shared.platform.web.naboer import forwarded_credentials
from shared.platform.web.params import parse_optional_int
from shared.platform.web.problems import field_name, norwegian_message
from vurdering import domain, handlers, presedens, varsler
from vurdering.deps import CurrentPrincipal, Db
from vurdering.domain import (
    ANBEFALING_LABELS,
    KATEGORI_LABELS,
    KRITERIER,
    NIVA_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
    UTFALL_LABELS,
    VURDERINGSFELT,
    AnbefalingInput,
    Sporsmal,
    Status,
)
from vurdering.handlers import Saksside
from vurdering.kommentarer import KONSULTASJON_SEKSJON
from vurdering.store import Kommentar

router = APIRouter(include_in_schema=False)

MESSAGES = {
    "anbefalt": "Anbefalingen er registrert og sendt til fagdirektøren.",
    "etterspurt": "Spørsmålet er sendt til søker. Saken venter på svar.",
    "kommentert": "Kommentaren er lagret.",
    "notat": "Notatet er lagret.",
    "levert": "Vurderingen din er levert til komiteen.",
    "lagret": "Vurderingen er lagret.",
    "inhabil": "Du er registrert som inhabil i saken.",
}

_FIELD_MESSAGES = {
    "anbefaling": "Velg hva komiteen anbefaler.",
    "begrunnelse": "Skriv en begrunnelse for anbefalingen.",
    "sporsmal": "Skriv spørsmålet til søker.",
    "vilkar": "Skriv vilkårene komiteen foreslår.",
    "svarfrist": "Skriv svarfristen som en dato, for eksempel 31.12.2026.",
    **{f"kriterier.{k.navn}": f"Velg lav, moderat eller høy for {k.label.lower()}." for k in KRITERIER},
}

_SPORSMAL = TypeAdapter(Sporsmal)


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    base = {
        "vurderingsfelt": VURDERINGSFELT,
        "status_venter": Status.VENTER_PA_TRIAGE,
        "status_labels": STATUS_LABELS,
        "type_labels": TYPE_LABELS,
        "kategori_labels": KATEGORI_LABELS,
        "anbefaling_labels": ANBEFALING_LABELS,
        "utfall_labels": UTFALL_LABELS,
        "kriterier": KRITERIER,
        "niva_labels": NIVA_LABELS,
    }
    return request.app.state.templates.render(request, name, {**base, **context}, status_code=status_code)


def form_errors(exc: ValidationError, *, prefix: tuple[str, ...] = ()) -> list[dict[str, str]]:
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


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _anbefaling_from_form(form: FormData) -> dict[str, Any]:
    return {
        "anbefaling": text(form, "anbefaling"),
        "begrunnelse": text(form, "begrunnelse"),
        "vilkar": text(form, "vilkar"),
        "kriterier": {k.navn: text(form, f"kriterier.{k.navn}") for k in KRITERIER},
    }


@router.get("/", name="saker")
async def saker(request: Request, p: CurrentPrincipal, db: Db) -> Response:
    if not p.has(Role.KOMITE, Role.FAGDIREKTOR):
        return render(request, "ingen_rolle.html", {}, status_code=403)
    liste = await handlers.list_saker(db, p)
    return render(
        request, "saker.html", {"liste": liste, "varsler_uleste": await varsler.antall_uleste(db, p)}
    )


def _traader(kommentarer: list[Kommentar]) -> dict[str, list[tuple[Kommentar, list[Kommentar]]]]:
    """Comments by section as threads: each top-level comment with every reply under it, in order."""
    by_id = {k.id: k for k in kommentarer}

    def root(k: Kommentar) -> Kommentar:
        seen = set()
        while k.svar_pa_id and k.svar_pa_id in by_id and k.id not in seen:
            seen.add(k.id)
            k = by_id[k.svar_pa_id]
        return k

    traader: dict[str, list[tuple[Kommentar, list[Kommentar]]]] = {}
    svar: dict[str, list[Kommentar]] = {}
    for k in kommentarer:
        top = root(k)
        if top is k:
            traader.setdefault(k.seksjon_id, []).append((k, svar.setdefault(k.id, [])))
        else:
            svar.setdefault(top.id, []).append(k)
    return traader


async def _page(
    request: Request,
    p: Principal,
    side: Saksside,
    *,
    errors: list[dict[str, str]] | None = None,
    verdier: dict[str, Any] | None = None,
    status_code: int = 200,
    melding: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    visning = side.visning
    sak = visning.sak
    panel = await presedens.panel(
        p,
        side.sok,
        side.lokale_vedtak,
        request.app.state.nasjonal_presedens,
        credentials=forwarded_credentials(request),
    )
    # Built once: url_for walks every route, and a page with many comment forms would ask dozens of times.
    sak_url = str(request.url_for("sak_side", sak_id=sak.id))
    u = {
        "sak": sak_url,
        "api": str(request.url_for("save_assessment", sak_id=sak.id)).removesuffix("/vurdering"),
        "saker": str(request.url_for("saker")),
    }
    er_inhabil = visning.inhabil(p.user_id) is not None
    aktiv = sak.status in (Status.TIL_VURDERING, Status.VENTER_PA_SVAR, Status.ANBEFALT)
    # Only the members the director named work on the case; other committee users read it.
    er_medlem = p.has(Role.KOMITE) and domain.er_medlem(p.user_id, sak.medlemmer)
    arbeider = er_medlem and sak.status in (Status.TIL_VURDERING, Status.VENTER_PA_SVAR)
    context = {
        "sak": sak,
        "s": sak.snapshot,
        "v": visning,
        "visning": visning.visning,
        "nye": visning.nye_felt,
        "traader": _traader(visning.kommentarer),
        "konsultasjon_seksjon": KONSULTASJON_SEKSJON,
        "anbefaling": visning.anbefaling,
        "medlemmenes_syn": [
            (
                m["medlem_navn"],
                m.get("anbefaling"),
                datetime.fromisoformat(m["levert_at"]) if m.get("levert_at") else None,
            )
            for m in (visning.anbefaling.medlemsvurderinger if visning.anbefaling else [])
        ],
        "sporsmal": visning.sporsmal,
        "historikk": visning.historikk,
        "presedens": panel,
        "errors": errors or [],
        "field_errors": {e["field"]: e["message"] for e in errors or []},
        "verdier": verdier or {},
        "er_komite": p.has(Role.KOMITE),
        "er_medlem": er_medlem,
        "bare_lese": p.has(Role.KOMITE) and not er_medlem and aktiv,
        "kan_kommentere": aktiv and (er_medlem or p.has(Role.FAGDIREKTOR)),
        "kan_notere": aktiv and er_medlem,
        "er_inhabil": er_inhabil,
        "kan_vurdere": arbeider and not er_inhabil,
        "kan_anbefale": arbeider and not er_inhabil and sak.status == Status.TIL_VURDERING,
        "venter_pa_svar": sak.status == Status.VENTER_PA_SVAR,
        "min_vurdering": visning.min_vurdering(p.user_id),
        "mitt_notat": visning.mitt_notat(p.user_id),
        "delte_notater": [n for n in visning.notater if n.delt and n.medlem_id != p.user_id],
        "levert": [x for x in visning.vurderinger if x.levert_at is not None],
        "i_dag": visning.i_dag or date.today(),
        "naa": datetime.now(UTC),
        "varsler_uleste": side.uleste_varsler,
        "u": u,
        "melding": melding or MESSAGES.get(request.query_params.get("melding", "")),
        **(extra or {}),
    }
    return render(request, "sak.html", context, status_code=status_code)


@router.get("/sak/{sak_id}", name="sak_side")
async def sak_side(request: Request, sak_id: str, p: CurrentPrincipal, db: Db) -> Response:
    return await _page(request, p, await handlers.read_side(db, p, sak_id, purpose="Vurdere søknad"))


async def refused(
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
    side = await handlers.read_side(db, p, sak_id, purpose="Vurdere søknad")
    return await _page(request, p, side, errors=errors, verdier=verdier, status_code=status_code)


async def page_after(
    request: Request, p: Principal, db: Db, sak_id: str, *, melding: str, extra: dict[str, Any]
) -> Response:
    """The case page straight after a command whose result is shown once (not through a redirect)."""
    side = await handlers.read_side(db, p, sak_id, purpose="Vurdere søknad")
    return await _page(request, p, side, melding=melding, extra=extra)


def domain_errors(exc: DomainError) -> list[dict[str, str]]:
    return exc.extra.get("errors") or [{"field": exc.field or "", "message": exc.message}]


@router.post("/sak/{sak_id}/anbefaling", name="anbefal")
async def anbefal(request: Request, sak_id: str, p: CurrentPrincipal, db: Db) -> Response:
    form = await request.form()
    raw = _anbefaling_from_form(form)
    try:
        anbefaling = AnbefalingInput.model_validate(raw)
    except ValidationError as exc:
        return await refused(request, p, db, sak_id, errors=form_errors(exc), verdier=raw, status_code=422)
    try:
        versjon = parse_optional_int(text(form, "versjon"), field="versjon", minimum=1)
        await handlers.record_anbefaling(db, p, sak_id, anbefaling=anbefaling, versjon=versjon)
    except DomainError as exc:
        return await refused(
            request, p, db, sak_id, errors=domain_errors(exc), verdier=raw, status_code=exc.status
        )
    return RedirectResponse(
        str(request.url_for("sak_side", sak_id=sak_id)) + "?melding=anbefalt", status_code=303
    )


@router.post("/sak/{sak_id}/tilleggsinformasjon", name="etterspor")
async def etterspor(request: Request, sak_id: str, p: CurrentPrincipal, db: Db) -> Response:
    form = await request.form()
    verdier = {"sporsmal": text(form, "sporsmal"), "svarfrist": text(form, "svarfrist")}
    try:
        svarfrist = _svarfrist(verdier["svarfrist"])
    except ValueError:
        return await refused(
            request,
            p,
            db,
            sak_id,
            errors=[{"field": "svarfrist", "message": _FIELD_MESSAGES["svarfrist"]}],
            verdier=verdier,
            status_code=422,
        )
    try:
        sporsmal = _SPORSMAL.validate_python(verdier["sporsmal"])
    except ValidationError as exc:
        return await refused(
            request,
            p,
            db,
            sak_id,
            errors=form_errors(exc, prefix=("sporsmal",)),
            verdier=verdier,
            status_code=422,
        )
    try:
        await handlers.request_tilleggsinformasjon(db, p, sak_id, sporsmal=sporsmal, svarfrist=svarfrist)
    except DomainError as exc:
        return await refused(
            request, p, db, sak_id, errors=domain_errors(exc), verdier=verdier, status_code=exc.status
        )
    return RedirectResponse(
        str(request.url_for("sak_side", sak_id=sak_id)) + "?melding=etterspurt", status_code=303
    )


def _svarfrist(value: str) -> date | None:
    """A date as typed in Norway (31.12.2026) or as the date input sends it (2026-12-31); blank is None."""
    value = value.strip()
    if not value:
        return None
    if "." in value:
        day, month, year = value.split(".")
        return date(int(year), int(month), int(day))
    return date.fromisoformat(value)
