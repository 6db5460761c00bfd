"""Processing time per step (triage, committee, interregional, decision) for the trust's statistics page:
beslutning records when each step began and ended, so the page asks it (counts and days, never a case)."""

from __future__ import annotations

import httpx
import structlog
from pydantic import BaseModel, ValidationError

from shared.platform.observability.logging import current_correlation_id

log = structlog.get_logger(__name__)

STEG_LABELS = {
    "triage": "Fra forankret til fagdirektøren valgte flyt",
    "komite": "I vurderingskomiteen (til anbefaling)",
    "interregional": "Hos den interregionale vurderingskomiteen",
    "vedtak": "Fra klar for vedtak til vedtak",
    "totalt": "Fra forankret til vedtak, i alt",
}


class Stegtid(BaseModel):
    steg: str
    antall: int
    median_dager: float | None
    gjennomsnitt_dager: float | None
    maks_dager: float | None


class Behandlingstid(BaseModel):
    steg: list[Stegtid]


async def hent(beslutning: httpx.AsyncClient, credentials: dict[str, str]) -> Behandlingstid | None:
    """None when beslutning does not answer (the page then says so and shows the rest)."""
    try:
        response = await beslutning.get(
            "/api/statistikk/behandlingstid",
            headers={"x-correlation-id": current_correlation_id(), **credentials},
        )
    except httpx.HTTPError as exc:
        log.warning("behandlingstid_unavailable", error=type(exc).__name__)
        return None
    if response.status_code != 200:
        log.warning("behandlingstid_failed", status=response.status_code)
        return None
    try:
        return Behandlingstid.model_validate_json(response.content)
    except ValidationError:
        log.warning("behandlingstid_malformed")
        return None
