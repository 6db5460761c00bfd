"""Look-ups in the other services over HTTP: the drug catalogue and ICD-10 in `integrasjon`.

A look-up that fails (service down, slow, broken) returns None: the form then lets the applicant type the
drug or code by hand, marked as unverified. Nothing in the applicant's flow waits on another service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import structlog

from shared.observability.logging import current_correlation_id

log = structlog.get_logger(__name__)


@dataclass
class OppslagKlient:
    integrasjon: httpx.AsyncClient
    """Base URL ends with the service prefix, e.g. `http://host:8114/integrasjon`."""

    async def _get(self, client: httpx.AsyncClient, path: str, params: dict[str, Any]) -> Any | None:
        try:
            response = await client.get(
                path, params=params, headers={"x-correlation-id": current_correlation_id()}
            )
        except httpx.HTTPError as exc:
            log.warning("lookup_unavailable", path=path, error=type(exc).__name__)
            return None
        if response.status_code != 200:
            log.warning("lookup_failed", path=path, status=response.status_code)
            return None
        return response.json()

    async def legemidler(self, q: str, *, antall: int = 10) -> list[dict[str, Any]] | None:
        return await self._get(self.integrasjon, "/api/legemidler", {"q": q, "antall": antall})

    async def diagnoser(self, q: str, *, antall: int = 10) -> list[dict[str, Any]] | None:
        return await self._get(self.integrasjon, "/api/diagnoser", {"q": q, "antall": antall})

    async def aclose(self) -> None:
        await self.integrasjon.aclose()
