"""Use cases of the beslutning service: the director's inbox, triage and decision, the letter, the
phrase library, the controller's billing view, and the events it consumes.

A command is a `@use_case`: routes and views call it with the service's `Database`, and it runs and
commits in its own unit of work, returning what the caller renders."""

from beslutning.handlers.common import SakVisning
from beslutning.handlers.fakturering import Faktureringslinje, list_fakturering
from beslutning.handlers.hendelser import (
    on_anbefaling_avgitt,
    on_soknad_forankret,
    on_soknad_trukket,
    on_tilleggsinformasjon_besvart,
)
from beslutning.handlers.saker import Saksliste, innboks, list_saker, read
from beslutning.handlers.vedtak import ALREADY_DECIDED, amend, decide, revoke

__all__ = [
    "ALREADY_DECIDED",
    "Faktureringslinje",
    "SakVisning",
    "Saksliste",
    "amend",
    "decide",
    "innboks",
    "list_fakturering",
    "list_saker",
    "on_anbefaling_avgitt",
    "on_soknad_forankret",
    "on_soknad_trukket",
    "on_tilleggsinformasjon_besvart",
    "read",
    "revoke",
]
