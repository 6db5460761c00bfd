"""Look-ups for the form: drug and ICD-10 search through `integrasjon`, for the page's live search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from soknad.deps import CurrentPrincipal
from soknad.oppslag import DiagnoseTreff, LegemiddelTreff, OppslagKlient

router = APIRouter(prefix="/api/oppslag", tags=["oppslag"])

Sok = Annotated[str, Query(max_length=100, description="Search text (name, substance, ATC, code or text).")]

TILGJENGELIG = "False when integrasjon did not answer: the applicant types the drug or code by hand."


class LegemiddelOppslag(BaseModel):
    tilgjengelig: bool = Field(description=TILGJENGELIG)
    treff: list[LegemiddelTreff]


class DiagnoseOppslag(BaseModel):
    tilgjengelig: bool = Field(description=TILGJENGELIG)
    treff: list[DiagnoseTreff]


def _klient(request: Request) -> OppslagKlient:
    klient: OppslagKlient = request.app.state.oppslag
    return klient


@router.get("/legemidler", name="oppslag_legemidler", summary="Search the drug catalogue (via integrasjon)")
async def legemidler(request: Request, p: CurrentPrincipal, q: Sok = "") -> LegemiddelOppslag:
    treff = await _klient(request).legemidler(q)
    return LegemiddelOppslag(tilgjengelig=treff is not None, treff=treff or [])


@router.get("/diagnoser", name="oppslag_diagnoser", summary="Search ICD-10 codes (via integrasjon)")
async def diagnoser(request: Request, p: CurrentPrincipal, q: Sok = "") -> DiagnoseOppslag:
    treff = await _klient(request).diagnoser(q)
    return DiagnoseOppslag(tilgjengelig=treff is not None, treff=treff or [])
