"""the decision's last valid day, so the precedent panel knows when a group decision has run out

Revision ID: e5c9a2d7f813
Revises: d4b8e1f20a37
Create Date: 2026-12-05 01:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e5c9a2d7f813"
down_revision: str | None = "d4b8e1f20a37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sak") as batch_op:
        batch_op.add_column(sa.Column("vedtak_gyldig_til", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sak") as batch_op:
        batch_op.drop_column("vedtak_gyldig_til")
