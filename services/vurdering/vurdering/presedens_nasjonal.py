"""The national part of the precedent panel: the same answer `oversikt` gives the applicant
(`shared.domain.presedenssvar`), asked with the reader's own credentials so `oversikt` decides what
they may see. Any failure (down, slow, an answer of the wrong shape) is None: the panel then says the
national overview did not answer, and the page renders all the same."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import structlog
from pydantic import ValidationError
from starlette.requests import Request

from shared.domain.presedens import Presedenssok
from shared.domain.presedenssvar import PresedensSvar
from shared.platform.auth.session import SESSION_COOKIE
from shared.platform.observability.logging import current_correlation_id

log = structlog.get_logger(__name__)

TIMEOUT = httpx.Timeout(2.0, connect=1.0)


def forwarded_credentials(request: Request) -> dict[str, str]:
    """The reader's own credentials for `oversikt`: a bearer token as it is, else only the session
    cookie (soknad's look-ups pass the same; a shared helper would serve both)."""
    authorization = request.headers.get("authorization")
    if authorization:
        return {"authorization": authorization}
    session = request.cookies.get(SESSION_COOKIE)
    return {"cookie": f"{SESSION_COOKIE}={session}"} if session else {}


def _not_configured(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("no oversikt URL configured", request=request)


def client_for(base_url: str) -> httpx.AsyncClient:
    """A client for `oversikt` at `base_url` (`http://host:port/oversikt`); without one every call fails
    at once and the panel says so."""
    if not base_url:
        return httpx.AsyncClient(transport=httpx.MockTransport(_not_configured), base_url="http://unset")
    return httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT)


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
