"""Reading the audit log (`revisjonslogg`): the rows of some cases, bounded, in the order written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from shared.platform.db.uow import UnitOfWork

MAX_CASE_REFS = 50
"""Case references one look may ask for (a patient has a handful of cases, each an id and a løpenummer)."""
MAX_ROWS = 1000
"""Rows one answer may carry; the rest follow with the `neste` cursor."""


@dataclass(frozen=True)
class Revisjonsrad:
    """One row as written: who, in which role, when, which case, read or write, what, why and which
    fields (names, never values)."""

    id: int
    at: datetime
    actor_id: str
    actor_navn: str | None
    actor_role: str
    hf: str
    case_ref: str | None
    action: str
    what: str
    purpose: str
    felt: list[str] | None
    correlation_id: str | None


@dataclass(frozen=True)
class Revisjonsutdrag:
    rader: list[Revisjonsrad]
    neste: int | None
    """The cursor of the next rows (`etter`), or None when these were the last."""


async def rows_for_cases(
    uow: UnitOfWork, *, hf: str, case_refs: Sequence[str], etter: int | None = None, antall: int = MAX_ROWS
) -> Revisjonsutdrag:
    """The trust's rows about `case_refs`, oldest first, after the row id `etter`.

    `hf` is the trust of the one who acted: people only act on their own trust's cases, so this keeps a
    service that serves several trusts from showing one trust's log to another."""
    audit = uow.db.tables.audit
    antall = max(1, min(antall, MAX_ROWS))
    query = (
        select(audit)
        .where(audit.c.hf == hf, audit.c.case_ref.in_(list(dict.fromkeys(case_refs))))
        .order_by(audit.c.id)
        .limit(antall + 1)
    )
    if etter is not None:
        query = query.where(audit.c.id > etter)
    result = await uow.session.execute(query)
    rader = [
        Revisjonsrad(
            id=int(row.id),
            at=row.at,
            actor_id=row.actor_id,
            actor_navn=row.actor_navn,
            actor_role=row.actor_role,
            hf=row.hf,
            case_ref=row.case_ref,
            action=row.action,
            what=row.what,
            purpose=row.purpose,
            felt=list(row.felt) if row.felt else None,
            correlation_id=row.correlation_id,
        )
        for row in result
    ]
    if len(rader) > antall:
        return Revisjonsutdrag(rader[:antall], neste=rader[antall - 1].id)
    return Revisjonsutdrag(rader, neste=None)
