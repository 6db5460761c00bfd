"""JSON API of the integrasjon service: the look-ups the application forms use."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from integrasjon.deps import Catalogue
from integrasjon.schemas import diagnose_treff, legemiddel_treff
from shared.domain.oppslag import DiagnoseTreff, LegemiddelTreff
from shared.platform.errors import NotFound

# Public reference data (FEST is published under NLOD, ICD-10 texts by Helsedirektoratet), so no login:
# other services call these server to server, and no answer says anything about a patient or a case.
router = APIRouter(prefix="/api", tags=["oppslag"])

SearchText = Annotated[str, Query(max_length=100, description="Search text; empty lists the first entries.")]
Limit = Annotated[int, Query(ge=1, le=50, description="Most entries to return.")]


@router.get("/legemidler", summary="Search the drug catalogue by name, substance, ATC code or form")
async def legemidler(katalog: Catalogue, q: SearchText = "", antall: Limit = 20) -> list[LegemiddelTreff]:
    return [legemiddel_treff(lm) for lm in katalog.sok_legemidler(q, limit=antall)]


@router.get("/legemidler/{fest_id}", summary="One drug by its FEST id")
async def legemiddel(fest_id: str, katalog: Catalogue) -> LegemiddelTreff:
    lm = katalog.legemiddel(fest_id)
    if lm is None:
        raise NotFound("Fant ikke legemiddelet i katalogen.")
    return legemiddel_treff(lm)


@router.get("/diagnoser", summary="Search ICD-10 codes by code (with or without dot) or text")
async def diagnoser(katalog: Catalogue, q: SearchText = "", antall: Limit = 20) -> list[DiagnoseTreff]:
    return [diagnose_treff(d) for d in katalog.sok_diagnoser(q, limit=antall)]


@router.get("/diagnoser/{kode}", summary="One ICD-10 code")
async def diagnose(kode: str, katalog: Catalogue) -> DiagnoseTreff:
    d = katalog.diagnose(kode)
    if d is None:
        raise NotFound("Fant ikke diagnosekoden i kodeverket.")
    return diagnose_treff(d)
