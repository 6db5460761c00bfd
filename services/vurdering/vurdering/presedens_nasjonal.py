"""The national part of the precedent panel: the same answer `oversikt` gives the applicant
(`shared.domain.presedenssvar`), asked with the reader's own credentials so `oversikt` decides what
they may see. Any failure (down, slow, an answer of the wrong shape) is None: the panel then says the
national overview did not answer, and the page renders all the same."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import structlog
from pydantic import ValidationError

from shared.domain.presedens import Presedenssok
from shared.domain.presedenssvar import PresedensSvar
from shared.platform.observability.logging import current_correlation_id
from shared.platform.web.naboer import client_for  # noqa: F401 - the app builds its client with it

log = structlog.get_logger(__name__)


@dataclass
class NasjonalPresedens:
    oversikt: httpx.AsyncClient

    async def hent(self, sok: Presedenssok, *, credentials: dict[str, str]) -> PresedensSvar | None:
        try:
            response = await self.oversikt.get(
                "/api/presedens",
                params=sok.params(),
                headers={"x-correlation-id": current_correlation_id(), **credentials},
            )
        except httpx.HTTPError as exc:
            log.warning("presedens_unavailable", error=type(exc).__name__)
            return None
        if response.status_code != 200:
            log.warning("presedens_failed", status=response.status_code)
            return None
        try:
            return PresedensSvar.model_validate_json(response.content)
        except ValidationError:
            log.warning("presedens_malformed")
            return None

    async def aclose(self) -> None:
        await self.oversikt.aclose()
