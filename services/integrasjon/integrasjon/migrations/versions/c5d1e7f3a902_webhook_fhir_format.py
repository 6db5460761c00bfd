"""webhook payload format (JSON or FHIR) and the sent decisions' facts

Revision ID: c5d1e7f3a902
Revises: a4f0c2e9b7d1
Create Date: 2026-12-03 18:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c5d1e7f3a902"
down_revision: str | None = "a4f0c2e9b7d1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing endpoints and deliveries keep today's JSON.
    op.add_column(
        "webhook_endepunkt", sa.Column("format", sa.String(length=10), server_default="json", nullable=False)
    )
    op.add_column(
        "webhook_levering", sa.Column("format", sa.String(length=10), server_default="json", nullable=False)
    )
    op.add_column("integrator_sak", sa.Column("vedtak", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("integrator_sak", "vedtak")
    op.drop_column("webhook_levering", "format")
    op.drop_column("webhook_endepunkt", "format")
