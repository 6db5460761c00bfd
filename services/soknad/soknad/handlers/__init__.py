"""Use cases of the soknad service: commands from people and events from other services."""

from soknad.handlers.common import read
from soknad.handlers.forankring import forankre, list_til_forankring, returnere
from soknad.handlers.hendelser import on_tilleggsinformasjon_etterspurt, on_vedtak_fattet
from soknad.handlers.utkast import add_medforfatter, create_draft, list_mine, save_draft, send, trekke

__all__ = [
    "add_medforfatter",
    "create_draft",
    "forankre",
    "list_mine",
    "list_til_forankring",
    "on_tilleggsinformasjon_etterspurt",
    "on_vedtak_fattet",
    "read",
    "returnere",
    "save_draft",
    "send",
    "trekke",
]
