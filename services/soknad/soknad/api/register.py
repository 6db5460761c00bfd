"""JSON API of the trust's register: search the sent applications, open one case (audited)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from soknad.deps import CurrentPrincipal, Db
from soknad.handlers import register
from soknad.handlers.register import RegisterTreff
from soknad.handlers.sider import open_register_sak, search_register
from soknad.schemas import SoknadRead

router = APIRouter(prefix="/api/register", tags=["register"])


class RegisterSideRead(BaseModel):
    # The handler's row as it is: it holds only what the register shows, never patient data.
    treff: list[RegisterTreff]
    totalt: int = Field(description="How many applications match, over all pages.")
    side: int = Field(description="This page, from 1.")
    sider: int = Field(description="Number of pages (25 per page); at least 1.")


class HistorikkRead(BaseModel):
    at: datetime
    actor_id: str
    actor_navn: str
    hendelse: str
    detalj: str | None


class RegisterSakRead(BaseModel):
    soknad: SoknadRead
    historikk: list[HistorikkRead]


@router.get("", summary="Search the trust's sent applications (filters, sort, pages of 25)")
async def search(
    p: CurrentPrincipal,
    db: Db,
    lopenummer: Annotated[
        str, Query(description="The national case number, exact (case and spaces around ignored).")
    ] = "",
    status: Annotated[str, Query(description="Status code, e.g. `til_vurdering` or `vedtatt`.")] = "",
    utfall: Annotated[str, Query(description="`innvilget`, `innvilget_med_vilkar` or `avslatt`.")] = "",
    kategori: Annotated[str, Query(description="The scheme.")] = "",
    type: Annotated[str, Query(description="`enkeltpasient` or `gruppe`.")] = "",
    legemiddel: Annotated[
        str, Query(description="Drug name or active substance (part of), or ATC prefix.")
    ] = "",
    icd10: Annotated[str, Query(description="ICD-10 code prefix, e.g. `G35` or `M3`.")] = "",
    enhet: Annotated[str, Query(description="Unit code.")] = "",
    soker: Annotated[str, Query(description="Applicant's user id, or part of their name.")] = "",
    fra: Annotated[str, Query(description="Sent on or after this date (YYYY-MM-DD, Norwegian time).")] = "",
    til: Annotated[str, Query(description="Sent on or before this date (YYYY-MM-DD).")] = "",
    sorter: Annotated[
        str, Query(description="`sendt` (default), `lopenummer`, `status`, `legemiddel`, `enhet`.")
    ] = "",
    retning: Annotated[str, Query(description="`synkende` (default) or `stigende`.")] = "",
    side: Annotated[str, Query(description="Page number from 1.")] = "",
) -> RegisterSideRead:
    # Parameters arrive as text so a bad value gets the register's Norwegian message, naming the field.
    params: dict[str, Any] = {
        "lopenummer": lopenummer,
        "status": status,
        "utfall": utfall,
        "kategori": kategori,
        "type": type,
        "legemiddel": legemiddel,
        "icd10": icd10,
        "enhet": enhet,
        "soker": soker,
        "fra": fra,
        "til": til,
        "sorter": sorter,
        "retning": retning,
        "side": side,
    }
    register.require_register_access(p)
    result = (await search_register(db, p, register.parse_filter(params), enheter=False)).resultat
    assert result is not None
    return RegisterSideRead(
        treff=result.treff,
        totalt=result.totalt,
        side=result.side,
        sider=result.sider,
    )


@router.get("/{soknad_id}", summary="One case in full with its history (the opening is audited)")
async def case(soknad_id: str, p: CurrentPrincipal, db: Db) -> RegisterSakRead:
    sak = await open_register_sak(db, p, soknad_id)
    return RegisterSakRead(
        soknad=SoknadRead.of(sak.soknad),
        historikk=[HistorikkRead.model_validate(h, from_attributes=True) for h in sak.historie.hendelser],
    )
