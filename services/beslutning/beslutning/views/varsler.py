"""The bell in the header of the director's pages: how many notifications are unread."""

from __future__ import annotations

from fastapi import Request

from beslutning.deps import CurrentPrincipal, Db
from beslutning.handlers import saker
from shared.platform.auth.principal import Role


async def header_state(request: Request, p: CurrentPrincipal, db: Db) -> None:
    """Runs before the service's pages (a dependency of their routers): puts the director's unread
    count on `request.state` for `_varsler_bjelle.html`. Others (admin, controller, a letter's
    applicant) get no bell here: beslutning notifies only the director."""
    # Only pages read the count; a form's POST answers with a redirect to one.
    if p.has(Role.FAGDIREKTOR) and request.method in ("GET", "HEAD"):
        request.state.varsler_uleste = await saker.topplinje(db, p)
