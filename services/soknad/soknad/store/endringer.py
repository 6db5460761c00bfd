"""Which answer of an application each person changed, and when (never the values).

Read from the audit log: the row every save writes there names the fields the save changed, so the
history costs a save no statement of its own."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from soknad.store.core import SPINE

COALESCE_WINDOW = timedelta(minutes=10)
"""Autosave runs every few seconds while someone types: saves of a field by one person less than this
apart are one change."""

WRITES = ("soknad.opprett", "soknad.lagre")
"""The audit entries of writes to a draft's answers (their case reference is the application's id)."""


@dataclass(frozen=True)
class Endring:
    at: datetime
    actor_id: str
    actor_navn: str
    sporsmal_id: str


_audit = SPINE.audit
_WRITES_OF_CASE = (
    select(_audit.c.at, _audit.c.actor_id, _audit.c.actor_navn, _audit.c.felt)
    .where(_audit.c.case_ref == bindparam("case_ref"), _audit.c.what.in_(WRITES))
    .order_by(_audit.c.at, _audit.c.id)
)


async def _writes(session: AsyncSession, soknad_id: str) -> list[Endring]:
    rows = await session.execute(_WRITES_OF_CASE, {"case_ref": soknad_id})
    return [
        Endring(at=at, actor_id=actor_id, actor_navn=actor_navn or actor_id, sporsmal_id=field)
        for at, actor_id, actor_navn, felt in rows
        for field in felt or ()
    ]


def crosses_step(steps: Sequence[datetime], earlier: datetime, later: datetime) -> bool:
    """Whether a step of the case (sorted `steps`) lies after `earlier` and no later than `later`."""
    return bisect_right(steps, earlier) < bisect_right(steps, later)


async def for_soknad(
    session: AsyncSession, soknad_id: str, *, steps: Sequence[datetime] = ()
) -> list[Endring]:
    """One entry per field and person per stretch of work, at the time of its last save, in time order.

    A stretch goes on while the same person saves the same field less than `COALESCE_WINDOW` after the
    last time, and never across a step of the case (`steps`: when it was sent), so an edit made
    before sending stays before it in the history."""
    marks = sorted(steps)
    open_: dict[tuple[str, str], int] = {}
    merged: list[Endring] = []
    for write in await _writes(session, soknad_id):
        key = (write.actor_id, write.sporsmal_id)
        index = open_.get(key)
        if index is not None:
            last = merged[index].at
            if write.at - last <= COALESCE_WINDOW and not crosses_step(marks, last, write.at):
                merged[index] = write
                continue
        open_[key] = len(merged)
        merged.append(write)
    return sorted(merged, key=lambda row: row.at)


async def latest_per_field(session: AsyncSession, soknad_id: str) -> dict[str, Endring]:
    """Who last changed each answer, for the conflict panel's «Lagret av … kl. …»."""
    return {row.sporsmal_id: row for row in await _writes(session, soknad_id)}
