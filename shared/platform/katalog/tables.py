"""The directory's own tables (its own database and Alembic migrations, never a service's)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, String, Table, Text

from shared.platform.db.base import service_metadata
from shared.platform.db.tables import SEQ_TYPE
from shared.platform.db.types import UtcDateTime

metadata = service_metadata()
VERSION_TABLE = "katalog_alembic_version"

enhet = Table(
    "enhet",
    metadata,
    Column("kode", String(40), primary_key=True),
    Column("hf", String(10), nullable=False, index=True),
    Column("navn", String(200), nullable=False),
    Column("resh_id", String(20), nullable=True),
    Column("aktiv", Boolean, nullable=False, default=True),
    Column("opprettet_at", UtcDateTime, nullable=False),
)

person = Table(
    "person",
    metadata,
    Column("user_id", String(100), primary_key=True),
    Column("hf", String(10), nullable=False),
    Column("navn", String(200), nullable=False),
    # The name folded for search (lower case, no accents, æ→ae, ø→o), so LIKE works the same on
    # SQLite and PostgreSQL without collations or extensions.
    Column("navn_sok", String(200), nullable=False),
    Column("hpr_nummer", String(20), nullable=True),
    Column("enhet", String(40), nullable=True),
    Column("aktiv", Boolean, nullable=False, default=True),
    Column("kilde", String(10), nullable=False),
    Column("opprettet_at", UtcDateTime, nullable=False),
    Column("deaktivert_at", UtcDateTime, nullable=True),
    Index("ix_person_hf_navn_sok", "hf", "navn_sok"),
)

rolle = Table(
    "rolle",
    metadata,
    Column("user_id", String(100), ForeignKey("person.user_id"), primary_key=True),
    Column("rolle", String(20), primary_key=True),
    Column("tildelt_av", String(100), nullable=False),
    Column("tildelt_at", UtcDateTime, nullable=False),
)

leder = Table(
    "leder",
    metadata,
    Column("enhet_kode", String(40), ForeignKey("enhet.kode"), primary_key=True),
    # A person leads at most one unit: the principal carries one unit, and relation rules use it.
    Column("user_id", String(100), ForeignKey("person.user_id"), primary_key=True, unique=True),
)

kostnadssted = Table(
    "kostnadssted",
    metadata,
    Column("enhet_kode", String(40), ForeignKey("enhet.kode"), primary_key=True),
    Column("kode", String(40), primary_key=True),
    Column("navn", String(200), nullable=False),
)

komite = Table(
    "komite",
    metadata,
    Column("hf", String(10), primary_key=True),
    Column("user_id", String(100), ForeignKey("person.user_id"), primary_key=True),
)

endring = Table(
    "endring",
    metadata,
    Column("seq", SEQ_TYPE, primary_key=True, autoincrement=True),
    Column("hf", String(10), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("av_id", String(100), nullable=False),
    Column("av_navn", String(200), nullable=False),
    Column("handling", String(40), nullable=False),
    Column("objekt", String(100), nullable=False),
    Column("detaljer", Text, nullable=False),
    Index("ix_endring_hf_seq", "hf", "seq"),
)

okt = Table(
    "okt",
    metadata,
    # SHA-256 of the session id in the cookie: a copy of this table opens nobody's session.
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", String(100), nullable=False, index=True),
    Column("opprettet_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
)
