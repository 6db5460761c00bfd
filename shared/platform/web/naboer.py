"""Calls to a neighbouring service over HTTP (look-ups, the national precedent answer): the caller's own
credentials passed on, and a client that fails at once when no address is configured."""

from __future__ import annotations

import httpx
from starlette.requests import Request

from shared.platform.auth.session import SESSION_COOKIE

DEFAULT_TIMEOUT = httpx.Timeout(2.0, connect=1.0)


def forwarded_credentials(request: Request) -> dict[str, str]:
    """The caller's own credentials, so the service asked decides what this person may read, not we.

    A bearer token (OIDC) is passed on as it is; otherwise only the session cookie, never the CSRF
    cookie or anything else the browser sent."""
    authorization = request.headers.get("authorization")
    if authorization:
        return {"authorization": authorization}
    session = request.cookies.get(SESSION_COOKIE)
    return {"cookie": f"{SESSION_COOKIE}={session}"} if session else {}


def _not_configured(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("no URL configured for this service", request=request)


def client_for(base_url: str, *, timeout: httpx.Timeout = DEFAULT_TIMEOUT) -> httpx.AsyncClient:
    """A client for the service at `base_url` (`http://host:port/<service>`); without an address every call
    fails at once, and the page that asked falls back (typing by hand, «did not answer»)."""
    if not base_url:
        return httpx.AsyncClient(transport=httpx.MockTransport(_not_configured), base_url="http://unset")
    return httpx.AsyncClient(base_url=base_url, timeout=timeout)
