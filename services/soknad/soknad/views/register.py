"""The register pages: search the trust's applications, and open one case in full (audited)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from shared.platform.auth.principal import Principal, Role
from shared.platform.errors import ValidationFailed
from shared.platform.web.deps import katalog_of, org_of
from soknad.behandling import behandling_context
from soknad.deps import CurrentPrincipal, Db, Settings
from soknad.handlers import register
from soknad.handlers.sider import open_register_sak, search_register
from soknad.handlers.utkast import form_state, local_date, user_names
from soknad.skjema.visning import svartekst
from soknad.vedtak import FLYT_LABELS, VILKAR_LABELS, brev_lenker, vedtaksvisning
from soknad.views.common import allow_synthetic_of, render, skjemaer_of, timeline

router = APIRouter(include_in_schema=False)


def _query(values: Mapping[str, str], **changes: str | int | None) -> str:
    merged: dict[str, Any] = {k: values.get(k, "") for k in register.FILTER_FIELDS}
    merged.update(changes)
    return urlencode({k: v for k, v in merged.items() if v not in ("", None)})


def _pages(side: int, sider: int) -> list[int | None]:
    """Page numbers to link: the first, the last, and two either side of the current; None is a gap."""
    wanted = sorted({1, sider, *range(max(1, side - 2), min(sider, side + 2) + 1)})
    out: list[int | None] = []
    previous: int | None = None
    for n in wanted:
        if previous is not None and n - previous > 1:
            out.append(None)
        out.append(n)
        previous = n
    return out


def _enheter(request: Request, p: Principal, i_register: list[str]) -> list[tuple[str, str]]:
    org = org_of(request)
    codes = set(i_register)
    if p.has(*register.FULL_ACCESS):
        codes |= org.koder
    elif p.enhet:
        codes.add(p.enhet)
    return sorted(((c, org.enhet_navn(c)) for c in codes), key=lambda pair: pair[1])


@router.get("/register", name="register")
async def register_page(request: Request, p: CurrentPrincipal, db: Db) -> Response:
    register.require_register_access(p)
    values = {k: v for k, v in request.query_params.items() if k in register.FILTER_FIELDS}
    errors: list[dict[str, str]] = []
    filter_ = None
    try:
        filter_ = register.parse_filter(values)
    except ValidationFailed as exc:
        errors = exc.extra["errors"]
    registerside = await search_register(db, p, filter_)
    resultat = registerside.resultat
    context = {
        "verdier": values,
        "errors": errors,
        "field_errors": {e["field"]: e["message"] for e in errors},
        "resultat": resultat,
        "filter": resultat.filter if resultat else register.RegisterFilter(),
        "statuser": register.REGISTER_STATUSES,
        "sorteringer": register.SORT_LABELS,
        "retninger": register.RETNING_LABELS,
        "enheter": _enheter(request, p, registerside.enheter),
        "lenke": lambda **changes: "?" + _query(values, **changes),
        "sider": _pages(resultat.side, resultat.sider) if resultat else [],
        "bare_enhet": None if p.has(*register.FULL_ACCESS) or not p.has(Role.LEDER) else p.enhet,
    }
    return render(request, "register.html", context, status_code=422 if errors else 200)


@router.get("/register/{soknad_id}", name="register_sak")
async def register_sak(
    request: Request, soknad_id: str, p: CurrentPrincipal, db: Db, settings: Settings
) -> Response:
    sak = await open_register_sak(db, p, soknad_id)
    soknad = sak.soknad
    # The whole application in the words of the form version it was written with, as everywhere else.
    state = form_state(
        soknad,
        today=local_date(db.clock.now()),
        skjemaer=skjemaer_of(request),
        allow_synthetic=allow_synthetic_of(request),
    )
    vedtak = vedtaksvisning(soknad.vedtak)
    return render(
        request,
        "register_sak.html",
        {
            "s": soknad,
            "skjemastatus": state,
            "innhold": soknad.innhold or {},
            "svartekst": svartekst,
            "historikk": timeline(sak.historie, state.skjema),
            "flyt_labels": FLYT_LABELS,
            "vilkar_labels": VILKAR_LABELS,
            "vedtak": vedtak,
            **behandling_context(soknad.behandling, soknad.status),
            **brev_lenker(settings.beslutning_side_url, vedtak),
            "medforfattere": await user_names(katalog_of(request), soknad.medforfattere),
        },
    )
