"""Pages of the national overview: search across all trusts, and the variation between them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from oversikt import handlers
from oversikt.deps import CurrentPrincipal, Db, Settings
from oversikt.domain import (
    FLYT_LABELS,
    KATEGORI_LABELS,
    KJONN_LABELS,
    MAX_SIDE,
    STATUS_LABELS,
    TYPE_LABELS,
    UTFALL_LABELS,
    Sokefilter,
)
from oversikt.store import VariasjonRad
from shared.domain.trusts import HELSEFORETAK
from shared.platform.errors import ValidationFailed
from shared.platform.web.params import parse_optional_int
from shared.platform.web.problems import field_name, norwegian_message

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Variasjonsgruppe:
    virkestoff: str
    icd10_kode: str
    icd10_tekst: str
    rader: list[VariasjonRad]

    @property
    def ulik_praksis(self) -> bool:
        """More than one trust decided, and they did not grant the same share."""
        andeler = {round(r.andel_innvilget, 2) for r in self.rader if r.vedtak}
        return len(self.rader) > 1 and len(andeler) > 1


def _grupper(rader: list[VariasjonRad]) -> list[Variasjonsgruppe]:
    grupper: dict[tuple[str, str], Variasjonsgruppe] = {}
    for r in rader:
        key = (r.virkestoff, r.icd10_kode)
        if key not in grupper:
            grupper[key] = Variasjonsgruppe(r.virkestoff, r.icd10_kode, r.icd10_tekst, [])
        grupper[key].rader.append(r)
    # Where trusts disagree is what the national team looks for first.
    return sorted(grupper.values(), key=lambda g: (not g.ulik_praksis, g.virkestoff, g.icd10_kode))


def _render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    base = {
        "status_labels": STATUS_LABELS, "type_labels": TYPE_LABELS, "kategori_labels": KATEGORI_LABELS,
        "utfall_labels": UTFALL_LABELS, "flyt_labels": FLYT_LABELS, "kjonn_labels": KJONN_LABELS,
        "helseforetak": sorted(HELSEFORETAK.values(), key=lambda hf: hf.navn),
    }  # fmt: skip
    return request.app.state.templates.render(request, name, {**base, **context}, status_code=status_code)


@router.get("/", name="nasjonal_sok")
async def sok(request: Request, p: CurrentPrincipal, db: Db, settings: Settings) -> Response:
    params = request.query_params
    errors: list[dict[str, str]] = []
    try:
        f = Sokefilter.model_validate({k: params.get(k, "") for k in Sokefilter.model_fields})
    except ValidationError as exc:
        errors = [
            {"field": field_name(e["loc"]), "message": norwegian_message(dict(e))} for e in exc.errors()
        ]
        f = Sokefilter.model_validate(
            {k: params.get(k, "") for k in Sokefilter.model_fields if k not in {e["field"] for e in errors}}
        )
    side = 1
    try:
        side = parse_optional_int(params.get("side"), field="side", minimum=1, maximum=MAX_SIDE) or 1
    except ValidationFailed as exc:
        errors.append({"field": "side", "message": exc.message})
    resultat = await handlers.sokeside(db, p, f, side=side, per_side=settings.page_size)
    total, saker = resultat.treff.totalt, resultat.treff.saker
    sider = max(1, -(-total // settings.page_size))

    def lenke(til_side: int) -> str:
        return "?" + urlencode({**f.query_string(), "side": str(til_side)})

    return _render(
        request,
        "sok.html",
        {
            "f": f, "errors": errors, "saker": saker, "totalt": total, "side": side, "sider": sider,
            "forrige": lenke(side - 1) if side > 1 else None,
            "neste": lenke(side + 1) if side < sider else None,
            "grupper": _grupper(resultat.variasjon),
        },
        status_code=422 if errors else 200,
    )  # fmt: skip


@router.get("/sak/{lopenummer}", name="nasjonal_sak")
async def sak(request: Request, lopenummer: str, p: CurrentPrincipal, db: Db) -> Response:
    return _render(request, "sak.html", {"s": await handlers.get(db, p, lopenummer)})
