"""Tables of the soknad service and the queries its use cases need, one module per part of the flow.

Every module with models is imported here, so `Base.metadata` (used by Alembic) knows all tables."""

import soknad.etterregistrering.modell as _etterregistrering  # noqa: F401 - registers its tables
import soknad.store.hjelpetekster as _hjelpetekster  # noqa: F401 - registers its table
from soknad.store import oppfolging, tilleggsinfo, varsler  # noqa: F401 - registers their tables
from soknad.store.core import (
    SPINE,
    Base,
    Historikk,
    LopenummerTeller,
    Medforfatter,
    Soknad,
    get_soknad,
    historikk_for,
    list_for_enhet,
    list_for_soker,
    next_lopenummer_seq,
)

__all__ = [
    "SPINE",
    "Base",
    "Historikk",
    "LopenummerTeller",
    "Medforfatter",
    "Soknad",
    "get_soknad",
    "historikk_for",
    "list_for_enhet",
    "list_for_soker",
    "next_lopenummer_seq",
]
