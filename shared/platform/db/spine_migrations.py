"""Schema steps of the spine's own tables, shared by every service's migrations (each service has the
same outbox, inbox and audit log, so each migrates them the same way)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def add_audit_actor_navn_and_felt() -> None:
    with op.batch_alter_table("revisjonslogg") as batch_op:
        batch_op.add_column(sa.Column("actor_navn", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("felt", sa.JSON(), nullable=True))


def drop_audit_actor_navn_and_felt() -> None:
    with op.batch_alter_table("revisjonslogg") as batch_op:
        batch_op.drop_column("felt")
        batch_op.drop_column("actor_navn")
