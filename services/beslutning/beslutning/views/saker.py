"""The director's pages: the inbox, one case with the whole application, and every step on it (triage,
a question to the applicant, tilgangsordningen, the decision, an amendment or revocation)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from beslutning import handlers
from beslutning.deps import CurrentPrincipal, Db, Settings
from beslutning.domain import (
    DECIDED,
    HOLDER_LABELS,
    InterregionaltVedtakInput,
    OpphevInput,
    SporsmalInput,
    Status,
    TriageInput,
    VedtakInput,
    VideresendInput,
    transition,
)
from beslutning.fraser import FELT_LABELS, fyll_ut
from beslutning.handlers import fraser as fraser_handlers
from beslutning.handlers import interregional, presedens, saker, tilleggsinfo, triage
from beslutning.handlers.common import SakVisning
from beslutning.presedens_nasjonal import nasjonal_presedens
from beslutning.utkast import prefill
from beslutning.views.common import domain_errors, form_errors, render, text, values
from beslutning.views.varsler import header_state
from shared.domain.overganger import Handling
from shared.domain.soknadsvisning import visning_av
from shared.events.common import Medlemsvurdering
from shared.platform.auth.principal import Principal, Role
from shared.platform.errors import DomainError
from shared.platform.web.deps import katalog_of, org_of
from shared.platform.web.params import parse_optional_int

router = APIRouter(include_in_schema=False, dependencies=[Depends(header_state)])

MESSAGES = {
    "vedtatt": "Vedtaket er fattet og sendt til søker og leder.",
    "endret": "Vedtaket er endret. Det nye vedtaket er sendt til søker og leder.",
    "opphevet": "Vedtaket er opphevet.",
    "forenklet": "Saken behandles i forenklet flyt: du kan fatte vedtak nå.",
    "komplett": "Saken er sendt til komiteen.",
    "spurt": "Spørsmålet er sendt til søker. Saken venter på svar.",
    "videresendt": "Saken er videresendt til den interregionale vurderingskomiteen.",
    "registrert": "Den interregionale komiteens vedtak er registrert.",
}

MEDLEMSFELT_LABELS = {
    "sikkerhet": "Sikkerhet",
    "alternativer": "Alternativer (godkjent behandling, kliniske studier)",
    "nye_metoder_status": "Status i Nye metoder",
    "kostnad_budsjett": "Kostnad og budsjettvirkning",
}
"""A member's free-text assessment fields, as `AnbefalingAvgitt` carries them, in the page's order."""

VEDTAK_FIELDS = (
    "utfall",
    "begrunnelse",
    "gyldig_fra",
    "gyldig_til",
    "evalueringsdato",
    "dosering",
    "antall_kurer",
    "vilkar_evaluering",
    "vilkar_stoppregel",
    "vilkar_registrering",
    "vilkar_pasientinformasjon",
    "vilkar_annet",
    "resept_merknad",
    "faktureringsrutine",
)
LEGACY_FIELDS = ("vilkar",)
INTERREGIONAL_FIELDS = ("referanse", "vedtaksdato")


@router.get("/", name="saker")
async def innboks(request: Request, p: CurrentPrincipal, db: Db) -> Response:
    if not p.has(Role.FAGDIREKTOR):
        if p.has(Role.CONTROLLER):
            return RedirectResponse(request.url_for("fakturering"), status_code=303)
        if p.has(Role.ADMIN):
            return RedirectResponse(request.url_for("fraser_side"), status_code=303)
        return render(request, "ingen_rolle.html", {}, status_code=403)
    side = parse_optional_int(request.query_params.get("side"), field="side", minimum=1, maximum=100_000) or 1
    status = request.query_params.get("status") or None
    data = await saker.innboks(db, p, side=side, status=status)
    return render(
        request,
        "saker.html",
        {
            "innboks": data,
            "valgt_status": status if status in set(Status) else None,
            "holder_labels": HOLDER_LABELS,
        },
    )


@router.post("/varsler/{varsel_id}", name="varsel_apne")
async def apne_varsel(request: Request, varsel_id: str, p: CurrentPrincipal, db: Db) -> Response:
    sak_id = await saker.apne_varsel(db, p, varsel_id)
    return RedirectResponse(request.url_for("sak_side", sak_id=sak_id), status_code=303)


async def _komite(request: Request, p: Principal) -> list[tuple[str, str]]:
    katalog = katalog_of(request)
    return [(uid, await katalog.navn(uid)) for uid in org_of(request).komite]


def _frase_verdier(request: Request, visning: SakVisning, verdier: dict[str, str]) -> dict[str, str]:
    sak = visning.sak
    snap = sak.snapshot
    lm = snap.get("legemiddel") or {}
    ind = snap.get("indikasjon") or {}
    enhet = sak.enhet or str(snap.get("enhet") or "")

    def dato(raw: str) -> str:
        return ".".join(reversed(raw.split("-"))) if raw else ""

    return {
        "lopenummer": sak.lopenummer,
        "enhet": org_of(request).enhet_navn(enhet),
        "legemiddel": str(lm.get("navn") or ""),
        "virkestoff": str(lm.get("virkestoff") or ""),
        "indikasjon": f"{ind.get('kode', '')} {ind.get('tekst', '')}".strip(),
        "gyldig_fra": dato(verdier.get("gyldig_fra", "")),
        "gyldig_til": dato(verdier.get("gyldig_til", "")),
        "kostnadssted": str((snap.get("forankring") or {}).get("kostnadssted") or ""),
    }


async def _page(
    request: Request,
    p: Principal,
    db: Db,
    settings: Any,
    visning: SakVisning,
    *,
    errors: list[dict[str, str]] | None = None,
    verdier: dict[str, str] | None = None,
    skjema: str | None = None,
    status_code: int = 200,
) -> Response:
    sak = visning.sak
    kan_vedta = transition.allowed(sak.status, Handling.VEDTA) and sak.status not in DECIDED
    forslag = prefill(sak.snapshot, today=visning.idag)
    # What the director typed wins over the proposal; a fresh form starts from the application.
    typed = (verdier or {}) if skjema in ("vedtak", "endre", "interregional") else {}
    vedtak_verdier = {**forslag, **typed}
    alle_fraser = await fraser_handlers.list_fraser(db, p)
    fylt = _frase_verdier(request, visning, vedtak_verdier)
    fraser: dict[str, list[dict[str, str]]] = {}
    lenker = []
    for f in alle_fraser:
        if f.felt == "lenke":
            lenker.append(f)
        else:
            fraser.setdefault(f.felt, []).append(
                {"id": f.id, "tittel": f.tittel, "tekst": fyll_ut(f.tekst, fylt)}
            )
    lokal = await presedens.lokal(db, p, sak)
    nasjonal = await nasjonal_presedens(request, settings, sak)
    ekstra = [
        ("beslutning-handling", "Din handling"),
        *([("sporsmal-tittel", "Spørsmål til søker")] if sak.sporsmal else []),
        *([("anbefaling-tittel", "Komiteens anbefaling")] if sak.anbefaling else []),
        ("presedens", "Tidligere vedtak"),
        ("historikk-tittel", "Historikk"),
    ]
    context = {
        "sak": sak,
        "s": sak.snapshot,
        "a": sak.anbefaling,
        "medlemsvurderinger": [
            Medlemsvurdering.model_validate(m) for m in (sak.anbefaling or {}).get("medlemsvurderinger") or []
        ],
        "medlemsfelt_labels": MEDLEMSFELT_LABELS,
        "visning": visning_av(sak.snapshot),
        "nye": sak.nye_felt or [],
        "ekstra": ekstra,
        "vedtak": visning.vedtak,
        "alle_vedtak": visning.alle_vedtak,
        "historikk": visning.historikk,
        "errors": errors or [],
        "field_errors": {e["field"]: e["message"] for e in errors or []},
        "skjema": skjema,
        "verdier": verdier or {},
        "v": vedtak_verdier,
        "kan_vedta": kan_vedta,
        "kan_triage": sak.status == Status.TIL_TRIAGE,
        "kan_sporre": transition.allowed(sak.status, Handling.ETTERSPORRE),
        "tilgang": sak.kategori == "tilgangsordningen",
        "komite_kandidater": await _komite(request, p),
        "komite_frist": (visning.idag + timedelta(days=settings.komite_frist_dager)).isoformat(),
        "fraser": fraser,
        "frase_felt": FELT_LABELS,
        "lenker": lenker,
        "lokal": lokal,
        "nasjonal": nasjonal,
        "idag": visning.idag,
        "imorgen": (visning.idag + timedelta(days=1)).isoformat(),
        "forfalt": sak.status
        in (
            Status.TIL_TRIAGE,
            Status.KLAR_FOR_VEDTAK,
            Status.VENTER_PA_ANBEFALING,
            Status.VENTER_PA_SVAR,
            Status.HOS_INTERREGIONAL,
        )
        and sak.frist < visning.idag,
        "hos": HOLDER_LABELS.get(Status(sak.status), ""),
        "enhet_kode": sak.enhet or str(sak.snapshot.get("enhet") or ""),
        "melding": MESSAGES.get(request.query_params.get("melding", "")),
    }
    return render(request, "sak.html", context, status_code=status_code)


@router.get("/sak/{sak_id}", name="sak_side")
async def sak_side(
    request: Request, sak_id: str, p: CurrentPrincipal, db: Db, settings: Settings
) -> Response:
    return await _page(request, p, db, settings, await saker.read(db, p, sak_id, purpose="Fatte vedtak"))


async def _refused(
    request: Request,
    p: Principal,
    db: Db,
    settings: Any,
    sak_id: str,
    *,
    errors: list[dict[str, str]],
    verdier: dict[str, str],
    skjema: str,
    status_code: int,
) -> Response:
    """Show the case again with what was typed and why it was refused."""
    visning = await saker.read(db, p, sak_id, purpose="Fatte vedtak")
    return await _page(
        request,
        p,
        db,
        settings,
        visning,
        errors=errors,
        verdier=verdier,
        skjema=skjema,
        status_code=status_code,
    )


async def _attempt(
    request: Request,
    p: Principal,
    db: Db,
    settings: Any,
    sak_id: str,
    command: Callable[[], Awaitable[None]],
    *,
    refuse: dict[str, Any],
    done: str,
) -> Response:
    """Run a form's command; a refusal shows the case again with what was typed and why."""
    try:
        await command()
    except ValidationError as exc:
        return await _refused(
            request, p, db, settings, sak_id, errors=form_errors(exc), status_code=422, **refuse
        )
    except DomainError as exc:
        return await _refused(
            request, p, db, settings, sak_id, errors=domain_errors(exc), status_code=exc.status, **refuse
        )
    return _done(request, sak_id, done)


def _done(request: Request, sak_id: str, melding: str, anker: str = "") -> Response:
    url = str(request.url_for("sak_side", sak_id=sak_id)) + f"?melding={melding}"
    return RedirectResponse(url + (f"#{anker}" if anker else ""), status_code=303)


async def _versjon(form: Any) -> int | None:
    return parse_optional_int(text(form, "versjon"), field="versjon", minimum=1)


def _parse(model: type[BaseModel], verdier: dict[str, str]) -> Any:
    return model.model_validate({k: v for k, v in verdier.items()})


@router.post("/sak/{sak_id}/vedtak", name="vedta")
async def vedta(request: Request, sak_id: str, p: CurrentPrincipal, db: Db, settings: Settings) -> Response:
    form = await request.form()
    verdier = values(form, VEDTAK_FIELDS + LEGACY_FIELDS)
    if not verdier["vilkar"]:
        del verdier["vilkar"]
    refuse: dict[str, Any] = {"verdier": verdier, "skjema": "vedtak"}
    try:
        vedtak = _parse(VedtakInput, verdier)
    except ValidationError as exc:
        return await _refused(
            request, p, db, settings, sak_id, errors=form_errors(exc), status_code=422, **refuse
        )
    try:
        await handlers.decide(db, p, sak_id, vedtak=vedtak, versjon=await _versjon(form), org=org_of(request))
    except DomainError as exc:
        return await _refused(
            request, p, db, settings, sak_id, errors=domain_errors(exc), status_code=exc.status, **refuse
        )
    return _done(request, sak_id, "vedtatt")


@router.post("/sak/{sak_id}/vedtak/{vedtak_id}/endre", name="endre")
async def endre(
    request: Request, sak_id: str, vedtak_id: str, p: CurrentPrincipal, db: Db, settings: Settings
) -> Response:
    form = await request.form()
    verdier = values(form, VEDTAK_FIELDS)
    refuse: dict[str, Any] = {"verdier": verdier, "skjema": "endre"}
    try:
        vedtak = _parse(VedtakInput, verdier)
    except ValidationError as exc:
        return await _refused(
            request, p, db, settings, sak_id, errors=form_errors(exc), status_code=422, **refuse
        )
    try:
        await handlers.amend(
            db, p, sak_id, vedtak_id, vedtak=vedtak, versjon=await _versjon(form), org=org_of(request)
        )
    except DomainError as exc:
        return await _refused(
            request, p, db, settings, sak_id, errors=domain_errors(exc), status_code=exc.status, **refuse
        )
    return _done(request, sak_id, "endret")


@router.post("/sak/{sak_id}/vedtak/{vedtak_id}/oppheve", name="oppheve")
async def oppheve(
    request: Request, sak_id: str, vedtak_id: str, p: CurrentPrincipal, db: Db, settings: Settings
) -> Response:
    form = await request.form()
    verdier = {"begrunnelse": text(form, "opphev_begrunnelse"), "gjelder_fra": text(form, "gjelder_fra")}
    refuse: dict[str, Any] = {
        "verdier": {"opphev_begrunnelse": verdier["begrunnelse"], "gjelder_fra": verdier["gjelder_fra"]},
        "skjema": "oppheve",
    }
    try:
        opphev = _parse(OpphevInput, verdier)
        await handlers.revoke(db, p, sak_id, vedtak_id, opphev=opphev, versjon=await _versjon(form))
    except ValidationError as exc:
        errors = [
            {**e, "field": "opphev_begrunnelse" if e["field"] == "begrunnelse" else e["field"]}
            for e in form_errors(exc)
        ]
        return await _refused(request, p, db, settings, sak_id, errors=errors, status_code=422, **refuse)
    except DomainError as exc:
        return await _refused(
            request, p, db, settings, sak_id, errors=domain_errors(exc), status_code=exc.status, **refuse
        )
    return _done(request, sak_id, "opphevet")


@router.post("/sak/{sak_id}/triage", name="triage")
async def triage_post(
    request: Request, sak_id: str, p: CurrentPrincipal, db: Db, settings: Settings
) -> Response:
    form = await request.form()
    medlemmer = [m for m in form.getlist("medlemmer") if isinstance(m, str)]
    verdier = {"flyt": text(form, "flyt"), "frist": text(form, "frist"), "merknad": text(form, "merknad")}
    refuse: dict[str, Any] = {"verdier": {**verdier, "medlemmer": ",".join(medlemmer)}, "skjema": "triage"}
    try:
        valg = TriageInput.model_validate({**verdier, "medlemmer": medlemmer})
        katalog = katalog_of(request)
        navn = {m: await katalog.navn(m) for m in medlemmer}
        await triage.triage(
            db,
            p,
            sak_id,
            valg=valg,
            org=org_of(request),
            navn=navn,
            tider=settings.behandlingstider,
            versjon=await _versjon(form),
        )
    except ValidationError as exc:
        return await _refused(
            request, p, db, settings, sak_id, errors=form_errors(exc), status_code=422, **refuse
        )
    except DomainError as exc:
        return await _refused(
            request, p, db, settings, sak_id, errors=domain_errors(exc), status_code=exc.status, **refuse
        )
    return _done(request, sak_id, valg.flyt)


@router.post("/sak/{sak_id}/sporsmal", name="sporre")
async def sporre(request: Request, sak_id: str, p: CurrentPrincipal, db: Db, settings: Settings) -> Response:
    form = await request.form()
    verdier = {"sporsmal": text(form, "sporsmal"), "svarfrist": text(form, "svarfrist")}
    refuse: dict[str, Any] = {"verdier": verdier, "skjema": "sporsmal"}

    async def command() -> None:
        valg = _parse(SporsmalInput, verdier)
        await tilleggsinfo.ask(db, p, sak_id, valg=valg, versjon=await _versjon(form))

    return await _attempt(request, p, db, settings, sak_id, command, refuse=refuse, done="spurt")


@router.post("/sak/{sak_id}/videresend", name="videresend")
async def videresend(
    request: Request, sak_id: str, p: CurrentPrincipal, db: Db, settings: Settings
) -> Response:
    form = await request.form()
    verdier = {"merknad": text(form, "merknad")}
    refuse: dict[str, Any] = {"verdier": verdier, "skjema": "videresend"}

    async def command() -> None:
        valg = _parse(VideresendInput, verdier)
        await interregional.forward(
            db, p, sak_id, valg=valg, tider=settings.behandlingstider, versjon=await _versjon(form)
        )

    return await _attempt(request, p, db, settings, sak_id, command, refuse=refuse, done="videresendt")


@router.post("/sak/{sak_id}/interregionalt-vedtak", name="registrer_interregionalt")
async def registrer(
    request: Request, sak_id: str, p: CurrentPrincipal, db: Db, settings: Settings
) -> Response:
    form = await request.form()
    verdier = values(form, VEDTAK_FIELDS + INTERREGIONAL_FIELDS)
    refuse: dict[str, Any] = {"verdier": verdier, "skjema": "interregional"}

    async def command() -> None:
        vedtak = _parse(InterregionaltVedtakInput, verdier)
        await interregional.register(
            db, p, sak_id, vedtak=vedtak, versjon=await _versjon(form), org=org_of(request)
        )

    return await _attempt(request, p, db, settings, sak_id, command, refuse=refuse, done="registrert")
