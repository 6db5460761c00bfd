"""Domain errors with a Norwegian message; the web layer turns them into problem+json or a page."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "ugyldig"
    title = "Ugyldig forespørsel"

    def __init__(self, message: str, *, field: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}


class ValidationFailed(DomainError):
    status = 422
    code = "valideringsfeil"
    title = "Ugyldige opplysninger"


class NotFound(DomainError):
    status = 404
    code = "ikke_funnet"
    title = "Fant ikke det du lette etter"


class Forbidden(DomainError):
    status = 403
    code = "ingen_tilgang"
    title = "Du har ikke tilgang"


class Unauthenticated(DomainError):
    status = 401
    code = "ikke_innlogget"
    title = "Du må logge inn"


class InvalidTransition(DomainError):
    status = 409
    code = "ugyldig_overgang"
    title = "Handlingen er ikke mulig nå"


class StaleVersion(DomainError):
    """Someone else saved first; `extra` carries both versions so nothing is lost."""

    status = 409
    code = "versjonskonflikt"
    title = "Noen andre har lagret en nyere versjon"


class InvalidToken(Unauthenticated):
    """A bearer token was sent and refused (RFC 6750 § 3.1 `invalid_token`).

    Unlike a plain `Unauthenticated` (no credentials at all), the 401 then says why in its
    `WWW-Authenticate` header."""

    code = "ugyldig_tilgangsbevis"


class NotYetReceived(Exception):
    """An event about something whose own first event (e.g. the case's `SoknadForankret`) has not
    arrived yet.

    Deliberately not a DomainError: events from different producers travel on different queues and may
    overtake each other, so the bus retries this after a delay instead of dead-lettering it, and
    dead-letters it only when the first event never comes."""
