"""Precedent without JavaScript: the same panel as on the draft page, and the group decisions it links to."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from shared.platform.errors import ValidationFailed
from shared.platform.web.deps import org_of
from shared.platform.web.templating import MONTHS
from soknad.api.presedens import hent, parse_presedenssok
from soknad.deps import CurrentPrincipal, Db
from soknad.handlers.presedens import read_gruppevedtak
from soknad.store.presedens import vedtak_dato
from soknad.views.common import render

router = APIRouter(include_in_schema=False)

FIELDS = ("virkestoff", "atc", "icd10")


def maned_tekst(value: str | None) -> str:
    """`2026-03` → `mars 2026`."""
    if not value or len(value) != 7 or not value[5:].isdigit() or not 1 <= int(value[5:]) <= 12:
        return value or ""
    return f"{MONTHS[int(value[5:]) - 1]} {value[:4]}"


@router.get("/presedens", name="presedens_side")
async def presedens_side(request: Request, p: CurrentPrincipal, db: Db) -> Response:
    verdier = {k: request.query_params.get(k, "").strip()[:200] for k in FIELDS}
    context: dict[str, Any] = {
        "verdier": verdier,
        "errors": [],
        "field_errors": {},
        "presedens": None,
        "maned": maned_tekst,
    }
    if not any(verdier.values()):
        return render(request, "presedens.html", context)
    try:
        sok = parse_presedenssok(verdier)
    except ValidationFailed as exc:
        errors = exc.extra.get("errors", [])
        context |= {"errors": errors, "field_errors": {e["field"]: e["message"] for e in errors}}
        return render(request, "presedens.html", context, status_code=422)
    context["presedens"] = await hent(request, p, db, sok)
    return render(request, "presedens.html", context)


@router.get("/presedens/gruppevedtak/{lopenummer}", name="gruppevedtak_side")
async def gruppevedtak_side(request: Request, lopenummer: str, p: CurrentPrincipal, db: Db) -> Response:
    soknad = await read_gruppevedtak(db, p, lopenummer)
    return render(
        request,
        "gruppevedtak.html",
        {
            "s": soknad,
            "enhet_navn": org_of(request).enhet_navn(soknad.enhet),
            "gyldig_til": vedtak_dato(soknad.vedtak, "gyldig_til"),
            "evalueringsdato": vedtak_dato(soknad.vedtak, "evalueringsdato"),
            "vedtak": soknad.vedtak or {},
            "gruppe": soknad.innhold or {},
        },
    )
