"""The trust's calendar: dates and months are Norwegian ones, not UTC ones.

A case sent at 00:30 on 1 March in Norway belongs to March; a deadline «i dag» is today in Oslo.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

OSLO: Final = ZoneInfo("Europe/Oslo")


def in_oslo(at: datetime) -> datetime:
    """`at` on Oslo's clock; a naive datetime is UTC (what SQLite hands back)."""
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(OSLO)


def oslo_date(at: datetime) -> date:
    return in_oslo(at).date()


def oslo_month(at: datetime) -> str:
    """`YYYY-MM` of the Oslo date: the month a case belongs to in statistics and summaries."""
    return f"{in_oslo(at):%Y-%m}"


def day_bounds_utc(fra: date, til: date) -> tuple[datetime, datetime]:
    """The UTC instants from the start of `fra` to the end of `til`, both Oslo dates, half-open."""
    start = datetime.combine(fra, time.min, OSLO).astimezone(UTC)
    end = datetime.combine(til + timedelta(days=1), time.min, OSLO).astimezone(UTC)
    return start, end


MANEDSNAVN: Final = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)
"""The months as the pages write a date (`15. mars 1985`)."""
