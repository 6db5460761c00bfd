"""Routes of the EHR launch: `/smart/launch` (the record opens it), `/smart/callback` (the record's
authorization server returns to it), and the patient's page of a launch (`/smart/k/{key}`) when the
patient already has applications."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from shared.platform.auth.principal import Principal
from shared.platform.web.deps import katalog_of
from soknad import handlers
from soknad.deps import CurrentPrincipal, Db, Settings
from soknad.domain import KATEGORI_LABELS
from soknad.handlers.utkast import local_date
from soknad.settings import SoknadSettings
from soknad.skjema.register import Skjemaer
from soknad.smart.feil import SmartAvvist
from soknad.smart.innlogging import establish_session, find_enhet, identify, physician_hpr, read_patient
from soknad.smart.klient import SmartKlient
from soknad.smart.konfig import find_issuer
from soknad.smart.kontekst import PASIENT_FNR, KontekstLager, Launchkontekst
from soknad.smart.pkce import PENDING_MAX_AGE_S, PendingLaunches, code_challenge, pending_cookie_name
from soknad.smart.visning import pasient_context
from soknad.views.common import render

log = structlog.get_logger(__name__)

router = APIRouter(include_in_schema=False)

STANDARD_KATEGORI = next(iter(KATEGORI_LABELS))
"""A launched draft starts in the first scheme; the physician picks another on the draft page."""


def klient_of(request: Request) -> SmartKlient:
    klient: SmartKlient = request.app.state.smart_klient
    return klient


def kontekster_of(request: Request) -> KontekstLager:
    lager: KontekstLager = request.app.state.smart_kontekster
    return lager


def _pending(request: Request) -> PendingLaunches:
    settings: SoknadSettings = request.app.state.runtime.settings
    return PendingLaunches(settings.session_secret.get_secret_value())


def avvist(request: Request, exc: SmartAvvist) -> Response:
    log.info("smart_launch_refused", code=exc.code, detalj=exc.detalj)
    return render(
        request,
        "smart_avvist.html",
        {"melding": exc.melding, "kode": exc.code},
        status_code=exc.status,
    )


def _callback_path(request: Request) -> str:
    return urlsplit(str(request.url_for("smart_callback"))).path


def _absolute(request: Request, name: str) -> str:
    # Our URLs are relative (they work behind any proxy prefix); the record needs an absolute one.
    path = str(request.url_for(name))
    return path if "://" in path else f"{request.url.scheme}://{request.url.netloc}{path}"


FRA_JOURNALEN_JS = (Path(__file__).parent / "fra_journalen.js").read_bytes()


@router.get("/smart/fra-journalen.js", name="smart_fra_journalen_js")
async def fra_journalen_js() -> Response:
    # Served by the service itself (the shared static files are the platform's); the CSP allows 'self'.
    return Response(FRA_JOURNALEN_JS, media_type="text/javascript", headers={"cache-control": "max-age=3600"})


@router.get("/smart/launch", name="smart_launch")
async def launch(request: Request, settings: Settings) -> Response:
    iss = request.query_params.get("iss", "")
    launch_id = request.query_params.get("launch", "")
    try:
        if not iss or not launch_id:
            raise SmartAvvist(
                "missing_launch",
                "Lenken fra journalen mangler «iss» eller «launch». Start søknaden fra pasientens journal.",
            )
        issuer = find_issuer(settings.smart_issuers, iss)
        if issuer is None:
            raise SmartAvvist(
                "unknown_issuer",
                "Journalsystemet som åpnet Søknadsportalen er ikke godkjent i dette helseforetaket. "
                "Kontakt administratoren for Søknadsportalen.",
                status=403,
            )
        config = await klient_of(request).configuration(issuer)
    except SmartAvvist as exc:
        return avvist(request, exc)
    redirect_uri = issuer.redirect_uri or _absolute(request, "smart_callback")
    pending_store = _pending(request)
    pending = pending_store.new(iss=issuer.iss, launch=launch_id, redirect_uri=redirect_uri)
    query = {
        "response_type": "code",
        "client_id": issuer.client_id,
        "redirect_uri": redirect_uri,
        "launch": launch_id,
        "scope": issuer.scope,
        "state": pending.state,
        "aud": issuer.iss,
        "code_challenge": code_challenge(pending.verifier),
        "code_challenge_method": "S256",
        "nonce": pending.nonce,
    }
    separator = "&" if "?" in config.authorization_endpoint else "?"
    response = RedirectResponse(config.authorization_endpoint + separator + urlencode(query), status_code=302)
    response.set_cookie(
        pending_cookie_name(pending.state),
        pending_store.dump(pending),
        max_age=PENDING_MAX_AGE_S,
        httponly=True,
        # Lax: the callback is a top-level navigation coming back from the record's authorization server.
        samesite="lax",
        secure=settings.secure_cookies,
        path=_callback_path(request),
    )
    return response


@router.get("/smart/callback", name="smart_callback")
async def callback(request: Request, settings: Settings, db: Db, skjemaer: Skjemaer) -> Response:
    state = request.query_params.get("state", "")
    cookie_path = _callback_path(request)
    pending = _pending(request).load(
        state, request.cookies.get(pending_cookie_name(state)) if state else None
    )
    try:
        if pending is None:
            raise SmartAvvist(
                "bad_state",
                "Innloggingen fra journalen kunne ikke bekreftes (ukjent eller utløpt «state»). "
                "Start søknaden fra journalen på nytt.",
                status=400,
            )
        if error := request.query_params.get("error"):
            raise SmartAvvist(
                "authorize_refused",
                "Journalen avviste innloggingen. Start søknaden fra journalen på nytt.",
                status=403,
                detalj=f"{error}: {request.query_params.get('error_description', '')}"[:300],
            )
        code = request.query_params.get("code", "")
        if not code:
            raise SmartAvvist(
                "no_code", "Journalen sendte ingen innloggingskode. Start på nytt fra journalen."
            )
        issuer = find_issuer(settings.smart_issuers, pending.iss)
        if issuer is None:
            raise SmartAvvist("unknown_issuer", "Journalsystemet er ikke lenger godkjent.", status=403)
        klient = klient_of(request)
        config = await klient.configuration(issuer)
        token = await klient.exchange(
            issuer, config, code=code, verifier=pending.verifier, redirect_uri=pending.redirect_uri
        )
        if not token.id_token:
            raise SmartAvvist("id_token", "Journalen sendte ikke hvem du er (id_token mangler).", status=401)
        claims = await klient.verify_id_token(issuer, config, token.id_token, nonce=pending.nonce)
        katalog = katalog_of(request)
        person = await identify(katalog, set(settings.hf), await physician_hpr(klient, issuer, token, claims))
        today = local_date(db.clock.now())
        pasient = await read_patient(
            klient, issuer, token, allow_synthetic=settings.allow_synthetic_personnummer, today=today
        )
        enhet, fra_journalen = await find_enhet(klient, issuer, token, katalog, person)
    except SmartAvvist as exc:
        response = avvist(request, exc)
        if state:
            response.delete_cookie(pending_cookie_name(state), path=cookie_path)
        return response
    kontekst = kontekster_of(request).add(
        issuer=issuer,
        user_id=person.user_id,
        hpr_number=person.hpr_nummer,
        pasient=pasient,
        enhet=enhet,
        enhet_fra_journalen=fra_journalen,
        token=token,
    )
    principal = person.principal(via_session=True)
    existing = await _existing(db, principal, kontekst)
    if existing:
        target = str(request.url_for("smart_kontekst", key=kontekst.key))
    else:
        soknad_id = await _new_draft(request, db, principal, kontekst, settings, skjemaer)
        target = str(request.url_for("soknad_side", soknad_id=soknad_id))
    response = RedirectResponse(target, status_code=303)
    # The code is used and the verifier with it: the pending launch ends here.
    response.delete_cookie(pending_cookie_name(state), path=cookie_path)
    await establish_session(request, response, person, secure_cookies=settings.secure_cookies)
    return response


async def _existing(db: Db, p: Principal, kontekst: Launchkontekst) -> list[Any]:
    fnr = kontekst.pasient.fodselsnummer
    if not fnr:
        return []
    return [s for s in await handlers.list_mine(db, p) if (s.innhold or {}).get(PASIENT_FNR) == fnr]


async def _new_draft(
    request: Request,
    db: Db,
    p: Principal,
    kontekst: Launchkontekst,
    settings: SoknadSettings,
    skjemaer: Skjemaer,
    *,
    kategori: str = STANDARD_KATEGORI,
) -> str:
    utfylling = await handlers.create_draft(
        db,
        p,
        type_="enkeltpasient",
        kategori=kategori,
        enhet=kontekst.enhet or "",
        allow_synthetic=settings.allow_synthetic_personnummer,
        skjemaer=skjemaer,
        katalog=katalog_of(request),
        innhold=kontekst.prefill,
    )
    kontekster_of(request).bind(kontekst, utfylling.soknad.id)
    return utfylling.soknad.id


def _kontekst_or_refusal(request: Request, key: str, p: Principal) -> Launchkontekst | Response:
    kontekst = kontekster_of(request).get(key, user_id=p.user_id)
    if kontekst is None:
        return avvist(
            request,
            SmartAvvist(
                "unknown_context",
                "Denne oppstarten fra journalen er utløpt eller tilhører en annen bruker. "
                "Start søknaden fra pasientens journal på nytt.",
                status=404,
            ),
        )
    return kontekst


@router.get("/smart/k/{key}", name="smart_kontekst")
async def kontekst_side(request: Request, key: str, p: CurrentPrincipal, db: Db) -> Response:
    found = _kontekst_or_refusal(request, key, p)
    if isinstance(found, Response):
        return found
    return render(
        request,
        "smart_pasient.html",
        {
            "key": key,
            "soknader": await _existing(db, p, found),
            **pasient_context(found, local_date(db.clock.now())),
        },
    )


@router.post("/smart/k/{key}/ny", name="smart_ny")
async def ny(
    request: Request, key: str, p: CurrentPrincipal, db: Db, settings: Settings, skjemaer: Skjemaer
) -> Response:
    found = _kontekst_or_refusal(request, key, p)
    if isinstance(found, Response):
        return found
    kategori = str((await request.form()).get("kategori", ""))
    soknad_id = await _new_draft(
        request,
        db,
        p,
        found,
        settings,
        skjemaer,
        kategori=kategori if kategori in KATEGORI_LABELS else STANDARD_KATEGORI,
    )
    return RedirectResponse(request.url_for("soknad_side", soknad_id=soknad_id), status_code=303)
