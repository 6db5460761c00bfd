"""webhook endpoints disabled by how long they have failed, not by a count of failed attempts

Revision ID: e7a3c9d1f205
Revises: c5d1e7f3a902
Create Date: 2026-12-04 16:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.platform.db.types

revision: str = "e7a3c9d1f205"
down_revision: str | None = "c5d1e7f3a902"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Null: an endpoint failing now starts its clock at its next failure.
    op.add_column(
        "webhook_endepunkt",
        sa.Column("feilet_siden", shared.platform.db.types.UtcDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("webhook_endepunkt", "feilet_siden")
