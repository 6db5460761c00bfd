"""The spine's own tables, added to every service's metadata: outbox, inbox and audit log."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, MetaData, String, Table, Text
from sqlalchemy.dialects import sqlite

from shared.platform.db.types import UtcDateTime

# SQLite only autoincrements INTEGER PRIMARY KEY, PostgreSQL wants BIGINT for a long-lived log.
SEQ_TYPE = BigInteger().with_variant(sqlite.INTEGER(), "sqlite")


@dataclass(frozen=True)
class SpineTables:
    outbox: Table
    inbox: Table
    audit: Table


def add_spine_tables(metadata: MetaData) -> SpineTables:
    outbox = Table(
        "outbox",
        metadata,
        Column("seq", SEQ_TYPE, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("destination", String(32), nullable=False, default="local"),
        Column("exchange", String(200), nullable=False),
        Column("routing_key", String(255), nullable=False),
        Column("event_type", String(200), nullable=False),
        Column("user_id", String(100), nullable=True),
        Column("envelope", Text, nullable=False),
        Column("created_at", UtcDateTime, nullable=False),
        Column("sent_at", UtcDateTime, nullable=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text, nullable=True),
        Index("ix_outbox_unsent", "sent_at", "seq"),
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(200), primary_key=True),
        Column("event_id", String(64), primary_key=True),
        Column("event_type", String(200), nullable=False),
        Column("processed_at", UtcDateTime, nullable=False),
    )
    audit = Table(
        "revisjonslogg",
        metadata,
        Column("id", SEQ_TYPE, primary_key=True, autoincrement=True),
        Column("at", UtcDateTime, nullable=False),
        Column("actor_id", String(100), nullable=False),
        Column("actor_role", String(40), nullable=False),
        Column("hf", String(20), nullable=False),
        Column("case_ref", String(100), nullable=True),
        Column("action", String(10), nullable=False),
        Column("what", String(200), nullable=False),
        Column("purpose", String(200), nullable=False),
        Column("correlation_id", String(64), nullable=True),
        # The name as the user saw it (a patient's access log names people, not user ids), and for a
        # write, which fields it changed: never their values.
        Column("actor_navn", String(200), nullable=True),
        Column("felt", JSON, nullable=True),
        Index("ix_revisjonslogg_case", "case_ref", "at"),
    )
    return SpineTables(outbox=outbox, inbox=inbox, audit=audit)
