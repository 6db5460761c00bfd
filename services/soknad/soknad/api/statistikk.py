"""JSON API of the trust's local statistics (the CSV files are at `/statistikk.csv`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from shared.domain.kalender import OSLO
from soknad.deps import CurrentPrincipal, Db, Org
from soknad.handlers import register, statistikk
from soknad.handlers.statistikk import Behandlingstid

router = APIRouter(prefix="/api/statistikk", tags=["statistikk"])


class BehandlingstidRead(BaseModel):
    antall: int = Field(description="Number of decisions.")
    median_dager: float | None = Field(description="Median days from sent to decided.")
    p90_dager: float | None = Field(
        description="90th percentile (linear interpolation, as Excel PERCENTILE.INC)."
    )

    @classmethod
    def of(cls, tid: Behandlingstid) -> BehandlingstidRead:
        return cls(antall=tid.antall, median_dager=tid.median, p90_dager=tid.p90)


class ManedRead(BaseModel):
    maned: str = Field(description="`YYYY-MM`, Norwegian time.")
    totalt: int = Field(description="Applications sent this month.")
    per_kategori: dict[str, int]
    per_resultat: dict[str, int] = Field(
        description="Outcome so far: `innvilget`, `innvilget_med_vilkar`, `avslatt`, `under_behandling` "
        "or `trukket`."
    )
    behandlingstid: BehandlingstidRead = Field(description="Decisions made this month.")


class EnhetRead(BaseModel):
    enhet: str
    navn: str
    totalt: int
    per_resultat: dict[str, int]
    behandlingstid: BehandlingstidRead


class StatistikkRead(BaseModel):
    fra: date
    til: date
    totalt: int
    behandlingstid: BehandlingstidRead
    maneder: list[ManedRead]
    enheter: list[EnhetRead]


@router.get("", summary="Applications per month by scheme and outcome, processing time, per unit")
async def get(
    p: CurrentPrincipal,
    db: Db,
    org: Org,
    fra: Annotated[str, Query(description="First day (YYYY-MM-DD); default twelve months back.")] = "",
    til: Annotated[str, Query(description="Last day (YYYY-MM-DD); default today.")] = "",
) -> StatistikkRead:
    register.require_statistics_access(p)
    periode = statistikk.parse_period({"fra": fra, "til": til}, today=db.clock.now().astimezone(OSLO).date())
    stat = await statistikk.compute(db, p, periode, org=org)
    return StatistikkRead(
        fra=periode.fra,
        til=periode.til,
        totalt=stat.totalt(),
        behandlingstid=BehandlingstidRead.of(stat.behandlingstid),
        maneder=[
            ManedRead(
                maned=m,
                totalt=stat.totalt(m),
                per_kategori=stat.per_kategori(m),
                per_resultat=stat.per_resultat(m),
                behandlingstid=BehandlingstidRead.of(stat.behandlingstid_per_maned[m]),
            )
            for m in stat.maneder
        ],
        enheter=[
            EnhetRead(
                enhet=e.enhet,
                navn=e.navn,
                totalt=e.totalt,
                per_resultat=e.per_resultat,
                behandlingstid=BehandlingstidRead.of(e.behandlingstid),
            )
            for e in stat.enheter
        ],
    )
