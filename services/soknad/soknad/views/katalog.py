"""The trust administrator's pages of the directory: units and their leaders, people, roles, the
committee and the change log. Forms without JavaScript; every change goes through `Katalog`, which
checks the admin role and the trust and writes the change log."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from shared.platform.auth.principal import ROLE_LABELS, Principal, Role
from shared.platform.errors import DomainError
from shared.platform.katalog import Katalog
from shared.platform.katalog.katalog import GRANTABLE_ROLES
from soknad.deps import CurrentPrincipal, Personkatalog
from soknad.views.common import render

router = APIRouter(include_in_schema=False)

MELDINGER = {
    "enhet_lagt_til": "Enheten er lagt til.",
    "kostnadssted_lagt_til": "Kostnadsstedet er lagt til.",
    "leder_utnevnt": "Lederen er utnevnt. Vedkommende varsles om nye søknader til enheten.",
    "leder_fjernet": "Lederen er fjernet fra enheten.",
    "komitemedlem_lagt_til": "Personen er lagt til i vurderingskomiteen.",
    "komitemedlem_fjernet": "Personen er fjernet fra vurderingskomiteen.",
    "rolle_tildelt": "Rollen er tildelt.",
    "rolle_trukket": "Rollen er trukket tilbake.",
    "person_deaktivert": "Personen er deaktivert og logget ut.",
    "person_aktivert": "Personen er aktivert igjen.",
    "enhet_deaktivert": "Enheten er tatt ut av bruk. Søknader som alt er sendt dit, kan fortsatt forankres.",
    "enhet_aktivert": "Enheten er i bruk igjen.",
}

HANDLING_LABELS = {
    "enhet_lagt_til": "La til enhet",
    "kostnadssted_lagt_til": "La til kostnadssted",
    "leder_utnevnt": "Utnevnte leder",
    "leder_fjernet": "Fjernet leder",
    "komitemedlem_lagt_til": "La til komitémedlem",
    "komitemedlem_fjernet": "Fjernet komitémedlem",
    "rolle_tildelt": "Tildelte rolle",
    "rolle_trukket": "Trakk rolle",
    "person_deaktivert": "Deaktiverte person",
    "person_aktivert": "Aktiverte person",
    "enhet_deaktivert": "Tok enhet ut av bruk",
    "enhet_aktivert": "Tok enhet i bruk igjen",
    "person_registrert": "Registrert ved første innlogging",
    "katalog_seedet": "Demodata lagt inn",
}

Change = Callable[[Katalog, Principal, dict[str, str]], Awaitable[None]]

# What each form button does: `handling` → the directory's change. The page it returns to is by kind.
HANDLINGER: dict[str, tuple[str, Change]] = {
    "enhet_lagt_til": (
        "enheter",
        lambda k, p, f: _none(k.legg_til_enhet(p, kode=f["kode"], navn=f["navn"], resh_id=f["resh_id"])),
    ),
    "kostnadssted_lagt_til": (
        "enheter",
        lambda k, p, f: k.legg_til_kostnadssted(p, enhet=f["enhet"], kode=f["kode"], navn=f["navn"]),
    ),
    "leder_utnevnt": ("enheter", lambda k, p, f: k.utnevn_leder(p, enhet=f["enhet"], user_id=f["user_id"])),
    "leder_fjernet": ("enheter", lambda k, p, f: k.fjern_leder(p, enhet=f["enhet"], user_id=f["user_id"])),
    "komitemedlem_lagt_til": ("personer", lambda k, p, f: k.legg_til_komite(p, user_id=f["user_id"])),
    "komitemedlem_fjernet": ("personer", lambda k, p, f: k.fjern_komite(p, user_id=f["user_id"])),
    "rolle_tildelt": ("personer", lambda k, p, f: k.tildel_rolle(p, user_id=f["user_id"], rolle=f["rolle"])),
    "rolle_trukket": ("personer", lambda k, p, f: k.trekk_rolle(p, user_id=f["user_id"], rolle=f["rolle"])),
    "person_deaktivert": ("personer", lambda k, p, f: k.deaktiver(p, user_id=f["user_id"])),
    "person_aktivert": ("personer", lambda k, p, f: k.aktiver(p, user_id=f["user_id"])),
    "enhet_deaktivert": ("enheter", lambda k, p, f: k.sett_enhet_aktiv(p, enhet=f["enhet"], aktiv=False)),
    "enhet_aktivert": ("enheter", lambda k, p, f: k.sett_enhet_aktiv(p, enhet=f["enhet"], aktiv=True)),
}

FIELDS = ("kode", "navn", "resh_id", "enhet", "user_id", "rolle", "sok")


async def _none(change: Awaitable[object]) -> None:
    await change


async def _enheter_page(
    request: Request,
    p: Principal,
    katalog: Katalog,
    *,
    errors: list[dict[str, str]],
    skrevet: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    org = await katalog.org(p.hf)
    people = [person for person in await katalog.personer(p.hf, limit=1000) if person.aktiv]
    return render(
        request,
        "katalog_enheter.html",
        {
            "enheter": org.alle_enheter,
            "personer": people,
            "navn": {person.user_id: person.navn for person in people},
            "errors": errors,
            "skrevet": skrevet or {},
            "melding": MELDINGER.get(request.query_params.get("melding", "")),
        },
        status_code=status_code,
    )


async def _personer_page(
    request: Request,
    p: Principal,
    katalog: Katalog,
    *,
    errors: list[dict[str, str]],
    skrevet: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    sok = request.query_params.get("sok", "").strip()[:100]
    people = await katalog.personer(p.hf, sok=sok, limit=200)
    komite = await katalog.personer(p.hf, rolle=Role.KOMITE)
    return render(
        request,
        "katalog_personer.html",
        {
            "personer": people,
            "komite": komite,
            "sok": sok,
            "org": await katalog.org(p.hf),
            "tildelbare": [(r.value, ROLE_LABELS[r]) for r in GRANTABLE_ROLES],
            "errors": errors,
            "melding": MELDINGER.get(request.query_params.get("melding", "")),
        },
        status_code=status_code,
    )


@router.get("/admin/katalog", name="admin_katalog")
async def enheter(request: Request, p: CurrentPrincipal, katalog: Personkatalog) -> Response:
    p.require(Role.ADMIN)
    return await _enheter_page(request, p, katalog, errors=[])


@router.get("/admin/katalog/personer", name="admin_katalog_personer")
async def personer(request: Request, p: CurrentPrincipal, katalog: Personkatalog) -> Response:
    p.require(Role.ADMIN)
    return await _personer_page(request, p, katalog, errors=[])


@router.get("/admin/katalog/endringer", name="admin_katalog_endringer")
async def endringer(request: Request, p: CurrentPrincipal, katalog: Personkatalog) -> Response:
    p.require(Role.ADMIN)
    rows = await katalog.endringer(p.hf, limit=200)
    return render(request, "katalog_endringer.html", {"endringer": rows, "handling_labels": HANDLING_LABELS})


@router.post("/admin/katalog", name="admin_katalog_endre")
async def endre(request: Request, p: CurrentPrincipal, katalog: Personkatalog) -> Response:
    p.require(Role.ADMIN)
    form = await request.form()
    values = {name: str(form.get(name, "")) for name in FIELDS}
    handling = str(form.get("handling", ""))
    if handling not in HANDLINGER:
        errors = [{"field": "handling", "message": "Ukjent handling. Last siden på nytt og prøv igjen."}]
        return await _enheter_page(request, p, katalog, errors=errors, skrevet=values, status_code=422)
    side, change = HANDLINGER[handling]
    try:
        await change(katalog, p, values)
    except DomainError as exc:
        errors = [{"field": exc.field or "", "message": exc.message}]
        page = _enheter_page if side == "enheter" else _personer_page
        return await page(request, p, katalog, errors=errors, skrevet=values, status_code=exc.status)
    name = "admin_katalog" if side == "enheter" else "admin_katalog_personer"
    query: dict[str, Any] = {"melding": handling}
    if side == "personer" and values["sok"]:
        query["sok"] = values["sok"]
    return RedirectResponse(str(request.url_for(name).include_query_params(**query)), status_code=303)
