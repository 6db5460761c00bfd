"""The national part of the precedent panel: `oversikt`'s aggregated answer for the case's substance and
ICD-10 code (the same query and answer the søker's panel uses). The director's own credentials are
passed on, so `oversikt` decides what she may read. When `oversikt` cannot answer, the panel says so in
Norwegian and the page renders without it."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import structlog
from fastapi import Request
from pydantic import TypeAdapter, ValidationError

from beslutning.settings import BeslutningSettings
from beslutning.store import Sak
from shared.domain.presedens import Presedenssok
from shared.domain.presedenssvar import PresedensSvar
from shared.platform.auth.session import SESSION_COOKIE
from shared.platform.observability.logging import current_correlation_id

log = structlog.get_logger(__name__)

_SVAR = TypeAdapter(PresedensSvar)
UNAVAILABLE = "Den nasjonale oversikten svarer ikke nå. Tidligere vedtak i andre helseforetak vises ikke."


@dataclass(frozen=True)
class NasjonalPresedens:
    tilgjengelig: bool
    svar: PresedensSvar | None = None
    melding: str | None = None


def client_for(settings: BeslutningSettings) -> httpx.AsyncClient | None:
    if not settings.oversikt_url:
        return None
    return httpx.AsyncClient(base_url=settings.oversikt_url, timeout=2.0)


def _credentials(request: Request) -> dict[str, str]:
    authorization = request.headers.get("authorization")
    if authorization:
        return {"authorization": authorization}
    session = request.cookies.get(SESSION_COOKIE)
    return {"cookie": f"{SESSION_COOKIE}={session}"} if session else {}


async def nasjonal_presedens(request: Request, settings: BeslutningSettings, sak: Sak) -> NasjonalPresedens:
    client: httpx.AsyncClient | None = getattr(request.app.state, "oversikt", None)
    if client is None:
        return NasjonalPresedens(
            False, melding="Den nasjonale oversikten er ikke koblet til denne tjenesten."
        )
    lm = sak.snapshot.get("legemiddel") or {}
    try:
        sok = Presedenssok(atc=str(lm.get("atc") or ""), virkestoff=sak.virkestoff, icd10=sak.icd10)
    except ValidationError:
        return NasjonalPresedens(
            False, melding="Saken mangler virkestoff eller gyldig ICD-10-kode for et nasjonalt søk."
        )
    params = {k: v for k, v in sok.model_dump().items() if v}
    try:
        response = await client.get(
            "/api/presedens",
            params=params,
            headers={"x-correlation-id": current_correlation_id(), **_credentials(request)},
        )
    except httpx.HTTPError as exc:
        log.warning("presedens_unavailable", error=type(exc).__name__)
        return NasjonalPresedens(False, melding=UNAVAILABLE)
    if response.status_code != 200:
        log.warning("presedens_failed", status=response.status_code)
        return NasjonalPresedens(False, melding=UNAVAILABLE)
    try:
        return NasjonalPresedens(True, svar=_SVAR.validate_json(response.content))
    except ValidationError:
        log.warning("presedens_malformed")
        return NasjonalPresedens(False, melding=UNAVAILABLE)
