"""A portable column for a `StrEnum`: stored as its value in a plain VARCHAR, read back as the member.

SQLAlchemy's own `Enum` stores member *names* by default and becomes a native type on PostgreSQL;
this stores exactly what the column held before (the value) on both databases, so a model can say
`Mapped[Status]` without a migration."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import String, TypeDecorator
from sqlalchemy.engine import Dialect

E = TypeVar("E", bound=StrEnum)


class StrEnumType(TypeDecorator[E]):
    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int):
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        # A plain string is compared as it is: a search filter naming no member matches nothing, it is
        # not an error. (`str()` of a member is its value.)
        return None if value is None else str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)
