"""triage flow on the case: the medical director's choice (committee, simplified, interregional), its
deadline, who and when, so the applicant's page can say where the case is

Revision ID: d9c4a1e7b352
Revises: b3f8d2e6a915
Create Date: 2026-12-04 17:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d9c4a1e7b352"
down_revision: str | tuple[str, ...] | None = "b3f8d2e6a915"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("soknad") as batch:
        batch.add_column(sa.Column("behandling", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("soknad") as batch:
        batch.drop_column("behandling")
