"""JSON API of the integrasjon service: the look-ups the application forms use, and the registries'
import status for the admin."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response
from pydantic import BaseModel

from integrasjon.deps import Catalogue, CurrentPrincipal, Registries
from integrasjon.katalog import Katalog
from integrasjon.schemas import PakningRead, Preparatomtale, diagnose_treff, legemiddel_treff, preparatomtale
from shared.domain.oppslag import DiagnoseTreff, LegemiddelTreff
from shared.platform.auth.principal import Role
from shared.platform.errors import NotFound

# Public reference data (FEST is published under NLOD, ICD-10 texts by Helsedirektoratet), so no login:
# other services call these server to server, and no answer says anything about a patient or a case.
router = APIRouter(prefix="/api", tags=["oppslag"])

SearchText = Annotated[str, Query(max_length=100, description="Search text; empty lists the first entries.")]
Limit = Annotated[int, Query(ge=1, le=50, description="Most entries to return.")]
FestId = Annotated[str, Path(max_length=100, description="FEST id of the brand (`ID_<GUID>`).")]
Kode = Annotated[str, Path(max_length=20, description="ICD-10 code, with or without the dot.")]

CACHE_CONTROL = "public, max-age=300"
"""A catalogue changes about twice a month; five minutes of staleness after an import is harmless."""


Answer = BaseModel | Sequence[BaseModel]


def _json(value: Answer) -> bytes:
    # pydantic's own serialiser: `jsonable_encoder` walks each model in Python, several times slower.
    if isinstance(value, BaseModel):
        return value.model_dump_json().encode()
    return b"[" + b",".join(v.model_dump_json().encode() for v in value) + b"]"


def _cached(request: Request, katalog: Katalog, produce: Callable[[], Answer]) -> Response:
    """The answer with a weak ETag of the catalogue's version and the request; 304 when the caller has it.

    The tag is computed before the search, so a revalidation costs no search at all."""
    raw = f"{katalog.versjon}|{request.url.path}|{sorted(request.query_params.multi_items())}"
    etag = f'W/"{hashlib.sha256(raw.encode()).hexdigest()[:24]}"'
    headers = {"etag": etag, "cache-control": CACHE_CONTROL}
    wanted = {t.strip() for t in request.headers.get("if-none-match", "").split(",")}
    if etag in wanted or "*" in wanted:
        return Response(status_code=304, headers=headers)
    return Response(_json(produce()), media_type="application/json", headers=headers)


def _legemiddel(katalog: Katalog, fest_id: str) -> Any:
    lm = katalog.legemiddel(fest_id)
    if lm is None:
        raise NotFound("Fant ikke legemidlet i katalogen.", field="fest_id")
    return lm


@router.get(
    "/legemidler",
    response_model=list[LegemiddelTreff],
    summary="Search the drug catalogue by name, substance or ATC code (prefix or contains, accents ignored)",
    description=(
        "Ranked: exact ATC code, ATC prefix, name prefix, substance prefix, then what contains the text."
    ),
)
async def legemidler(
    request: Request, katalog: Catalogue, q: SearchText = "", antall: Limit = 20
) -> Response:
    return _cached(
        request, katalog, lambda: [legemiddel_treff(lm) for lm in katalog.sok_legemidler(q, limit=antall)]
    )


@router.get("/legemidler/{fest_id}", response_model=LegemiddelTreff, summary="One drug by its FEST id")
async def legemiddel(request: Request, fest_id: FestId, katalog: Catalogue) -> Response:
    lm = _legemiddel(katalog, fest_id)
    return _cached(request, katalog, lambda: legemiddel_treff(lm))


@router.get(
    "/legemidler/{fest_id}/preparatomtale",
    response_model=Preparatomtale,
    summary="The drug's SmPC link from FEST, or a Norwegian «no SmPC link» answer",
)
async def legemiddel_preparatomtale(request: Request, fest_id: FestId, katalog: Catalogue) -> Response:
    lm = _legemiddel(katalog, fest_id)
    return _cached(request, katalog, lambda: preparatomtale(lm))


@router.get(
    "/legemidler/{fest_id}/pakninger",
    response_model=list[PakningRead],
    summary="The drug's packs, with prices (AIP, AUP, reimbursement) and market status",
)
async def legemiddel_pakninger(
    request: Request, fest_id: FestId, katalog: Catalogue, registre: Registries
) -> Response:
    lm = _legemiddel(katalog, fest_id)
    packs = await registre.pakninger(lm.fest_id)
    return _cached(request, katalog, lambda: packs)


@router.get(
    "/diagnoser",
    response_model=list[DiagnoseTreff],
    summary="Search ICD-10 codes by code (with or without dot) or words (accents ignored)",
)
async def diagnoser(request: Request, katalog: Catalogue, q: SearchText = "", antall: Limit = 20) -> Response:
    return _cached(
        request, katalog, lambda: [diagnose_treff(d) for d in katalog.sok_diagnoser(q, limit=antall)]
    )


@router.get("/diagnoser/{kode}", response_model=DiagnoseTreff, summary="One ICD-10 code")
async def diagnose(request: Request, kode: Kode, katalog: Catalogue) -> Response:
    d = katalog.diagnose(kode)
    if d is None:
        raise NotFound("Fant ikke diagnosekoden i kodeverket.", field="kode")
    return _cached(request, katalog, lambda: diagnose_treff(d))


@router.get(
    "/registre",
    summary="The registries' imports: the last ones' results, one running now, and the sources (admin)",
    tags=["registre"],
)
async def registre_status(p: CurrentPrincipal, registre: Registries) -> dict[str, Any]:
    p.require(Role.ADMIN)
    status: dict[str, Any] = jsonable_encoder(await registre.status())
    status["indeks"] = {
        "legemidler": len(registre.indeks.legemidler),
        "diagnoser": len(registre.indeks.diagnoser),
    }
    return status
