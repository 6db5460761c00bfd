"""Processing time per step for the trust's statistics: triage (anchored → flow chosen), committee
(sent → recommendation), interregional (forwarded → registered) and decision (ready → decided)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import median

from sqlalchemy import select

from beslutning.store import Sak
from shared.platform.auth.principal import Principal, Role
from shared.platform.db.uow import UnitOfWork
from shared.platform.db.use_case import use_case

STEG = ("triage", "komite", "interregional", "vedtak", "totalt")


@dataclass(frozen=True)
class Stegtid:
    steg: str
    antall: int
    median_dager: float | None
    gjennomsnitt_dager: float | None
    maks_dager: float | None


def _days(a: datetime | None, b: datetime | None) -> float | None:
    if a is None or b is None:
        return None
    return max((b - a).total_seconds() / 86_400, 0.0)


@use_case
async def behandlingstid(uow: UnitOfWork, p: Principal) -> dict[str, object]:
    """Counts and durations only, never a case: whoever reads the trust's statistics may see it."""
    p.require(Role.FAGDIREKTOR, Role.KOMITE, Role.CONTROLLER, Role.ADMIN)
    rows = await uow.session.execute(
        select(
            Sak.vurderingsflyt,
            Sak.forankret_at,
            Sak.triagert_at,
            Sak.komite_sendt_at,
            Sak.anbefalt_at,
            Sak.videresendt_at,
            Sak.vedtatt_at,
        ).where(Sak.hf == p.hf, Sak.vedtatt_at.is_not(None))
    )
    per: dict[str, list[float]] = {s: [] for s in STEG}
    per_flyt: dict[str, list[float]] = {}
    for flyt, forankret, triagert, sendt, anbefalt, videresendt, vedtatt in rows:
        klar = anbefalt if flyt == "komplett" else videresendt if flyt == "interregional" else triagert
        for steg, value in (
            ("triage", _days(forankret, triagert)),
            ("komite", _days(sendt, anbefalt) if flyt == "komplett" else None),
            ("interregional", _days(videresendt, vedtatt) if flyt == "interregional" else None),
            ("vedtak", _days(klar, vedtatt) if flyt != "interregional" else None),
            ("totalt", _days(forankret, vedtatt)),
        ):
            if value is not None:
                per[steg].append(value)
        total = _days(forankret, vedtatt)
        if total is not None:
            per_flyt.setdefault(flyt or "ukjent", []).append(total)

    def summary(steg: str, values: list[float]) -> Stegtid:
        if not values:
            return Stegtid(steg, 0, None, None, None)
        return Stegtid(
            steg,
            len(values),
            round(median(values), 2),
            round(sum(values) / len(values), 2),
            round(max(values), 2),
        )

    return {
        "hf": p.hf,
        "steg": [summary(s, per[s]).__dict__ for s in STEG],
        "per_flyt": [summary(f, v).__dict__ for f, v in sorted(per_flyt.items())],
    }
