"""public releases: a year's statistics fixed the first time they are shown

Revision ID: f3b8d6e2a915
Revises: d2a6f4c81e07
Create Date: 2026-12-05 01:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.platform.db.types

revision: str = "f3b8d6e2a915"
down_revision: str | None = "d2a6f4c81e07"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "offentlig_utgivelse",
        sa.Column("ar", sa.String(length=4), nullable=False),
        sa.Column("tellinger", sa.JSON(), nullable=False),
        sa.Column("fastsatt_at", shared.platform.db.types.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("ar", name=op.f("pk_offentlig_utgivelse")),
    )


def downgrade() -> None:
    op.drop_table("offentlig_utgivelse")
