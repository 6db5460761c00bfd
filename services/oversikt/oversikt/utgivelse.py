"""Public releases: the statistics of one calendar year, fixed once and published unchanged.

Suppression protects the figures of one release. Two readings of the same year at different times
could still be subtracted (a case decided, revoked or post-registered in between is then a difference
of 1), so a year is published only once it is over, from `FORSTE_DAG` of the next year, when the last
decisions and post-registrations have had time to arrive; its counts are stored the first time it is
shown (`OffentligUtgivelse`) and every later reading is built from those."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import date
from typing import Any

from oversikt.store import Tellinger, Tider
from shared.domain.kalender import MANEDSNAVN

FORSTE_DAG = (3, 1)
"""(month, day) of the year after: the first day a year's release may be fixed."""


FORSTE_DAG_TEKST = f"{FORSTE_DAG[1]}. {MANEDSNAVN[FORSTE_DAG[0] - 1]}"
"""As the page says it: «1. mars»."""


def publiseres_fra(ar: int) -> date:
    return date(ar + 1, *FORSTE_DAG)


def kan_publiseres(ar: str, idag: date) -> bool:
    return ar.isdigit() and idag >= publiseres_fra(int(ar))


def til_json(t: Tellinger) -> dict[str, Any]:
    """The release's counts as stored (JSON has no tuple keys: a grouped count is its key's parts and n)."""
    return {
        "maned_kategori": _rader(t.maned_kategori),
        "maned_resultat": _rader(t.maned_resultat),
        "hf_resultat": _rader(t.hf_resultat),
        "tider_hf": {k: asdict(v) for k, v in t.tider_hf.items()},
        "tider_rhf": {k: asdict(v) for k, v in t.tider_rhf.items()},
        "tider_alle": asdict(t.tider_alle),
        "tid_intervall": dict(t.tid_intervall),
        "oppfolging": _rader(t.oppfolging),
    }


def fra_json(data: dict[str, Any]) -> Tellinger:
    return Tellinger(
        maned_kategori=_nokler(data["maned_kategori"]),  # type: ignore[arg-type]
        maned_resultat=_nokler(data["maned_resultat"]),  # type: ignore[arg-type]
        hf_resultat=_nokler(data["hf_resultat"]),  # type: ignore[arg-type]
        tider_hf={k: Tider(**v) for k, v in data["tider_hf"].items()},
        tider_rhf={k: Tider(**v) for k, v in data["tider_rhf"].items()},
        tider_alle=Tider(**data["tider_alle"]),
        tid_intervall={str(k): int(v) for k, v in data["tid_intervall"].items()},
        oppfolging=_nokler(data["oppfolging"]),  # type: ignore[arg-type]
    )


def _rader(counts: Mapping[Any, int]) -> list[list[str | int]]:
    """`counts` has tuples of strings as keys."""
    return [[*key, n] for key, n in sorted(counts.items())]


def _nokler(rows: list[list[Any]]) -> dict[tuple[str, ...], int]:
    return {tuple(str(part) for part in row[:-1]): int(row[-1]) for row in rows}
