"""Look-ups in the other services over HTTP: the drug catalogue and ICD-10 in `integrasjon`, and the
national precedent in `oversikt`.

A look-up that fails (service down, slow, broken, an answer of the wrong shape) returns None: the form
then lets the applicant type the drug or code by hand, marked as unverified, and the precedent panel
shows the trust's own decisions without the national part. Nothing in the applicant's flow waits on
another service for longer than the client's timeout."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import structlog
from pydantic import TypeAdapter, ValidationError

from shared.domain.oppslag import DiagnoseTreff, LegemiddelTreff
from shared.platform.observability.logging import current_correlation_id

log = structlog.get_logger(__name__)

__all__ = ["DiagnoseTreff", "LegemiddelTreff", "OppslagKlient"]

T = TypeVar("T")


_LEGEMIDLER = TypeAdapter(list[LegemiddelTreff])
_DIAGNOSER = TypeAdapter(list[DiagnoseTreff])


@dataclass
class OppslagKlient:
    integrasjon: httpx.AsyncClient
    """Base URL ends with the service prefix, e.g. `http://host:8114/integrasjon`."""
    oversikt: httpx.AsyncClient
    """The national overview, e.g. `http://host:8100/oversikt`."""

    async def _get(
        self,
        client: httpx.AsyncClient,
        path: str,
        params: dict[str, Any],
        shape: TypeAdapter[T],
        *,
        headers: dict[str, str] | None = None,
    ) -> T | None:
        try:
            response = await client.get(
                path,
                params=params,
                headers={"x-correlation-id": current_correlation_id(), **(headers or {})},
            )
        except httpx.HTTPError as exc:
            log.warning("lookup_unavailable", path=path, error=type(exc).__name__)
            return None
        if response.status_code != 200:
            log.warning("lookup_failed", path=path, status=response.status_code)
            return None
        try:
            return shape.validate_json(response.content)
        except ValidationError:
            log.warning("lookup_malformed", path=path)
            return None

    async def legemidler(self, q: str, *, antall: int = 10) -> list[LegemiddelTreff] | None:
        return await self._get(self.integrasjon, "/api/legemidler", {"q": q, "antall": antall}, _LEGEMIDLER)

    async def diagnoser(self, q: str, *, antall: int = 10) -> list[DiagnoseTreff] | None:
        return await self._get(self.integrasjon, "/api/diagnoser", {"q": q, "antall": antall}, _DIAGNOSER)

    async def presedens(
        self, params: dict[str, str], shape: TypeAdapter[T], *, credentials: dict[str, str]
    ) -> T | None:
        return await self._get(self.oversikt, "/api/presedens", params, shape, headers=credentials)

    async def aclose(self) -> None:
        await self.integrasjon.aclose()
        await self.oversikt.aclose()
