"""Case transitions: one vocabulary of actions for every case service, and the table that says from
which statuses an action is allowed and where it leads.

The actions are what happens to a case, named by the same verb in every service (the committee
«anbefaler», the director «vedtar», the applicant «trekker»); each service maps them onto its own
statuses and refusals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from shared.platform.errors import InvalidTransition

S = TypeVar("S", bound=StrEnum)


class Handling(StrEnum):
    """What can happen to a case, as an infinitive verb."""

    SENDE = "sende"
    FORANKRE = "forankre"
    RETURNERE = "returnere"
    ETTERSPORRE = "ettersporre"
    ANBEFALE = "anbefale"
    VEDTA = "vedta"
    TREKKE = "trekke"


@dataclass(frozen=True)
class Overgang(Generic[S]):
    fra: frozenset[S]
    """The statuses the action is allowed in."""
    til: S | None
    """The status after it; None when the action does not move the case."""
    nektet: str
    """Why it is refused in any other status (Norwegian, shown to the user)."""


class Overganger(Generic[S]):
    """A service's transition table over its status enum."""

    def __init__(self, status: type[S], labels: Mapping[S, str], table: Mapping[Handling, Overgang[S]]):
        self.status = status
        self.labels = labels
        self.table = dict(table)

    def __call__(self, current: str, action: Handling | str) -> S:
        """The status after `action`, or InvalidTransition with a Norwegian reason."""
        overgang = self.table[Handling(action)]
        status = self.status(current)
        if status not in overgang.fra:
            raise InvalidTransition(f"{overgang.nektet} (Status nå: {self.labels[status].lower()}.)")
        return overgang.til or status

    def allowed(self, current: str, action: Handling | str) -> bool:
        return self.status(current) in self.table[Handling(action)].fra
