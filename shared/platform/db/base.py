"""The metadata every service's models start from: one constraint naming scheme, so migrations are stable."""

from __future__ import annotations

from sqlalchemy import MetaData

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def service_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)
