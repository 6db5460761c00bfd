"""projection: the indication's code and text are called icd10_kode and icd10_tekst, as everywhere

Revision ID: 7c1e4b2a9d30
Revises: 301d72c0cdc8
Create Date: 2026-12-03 10:00:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = "7c1e4b2a9d30"
down_revision: str | None = "301d72c0cdc8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sak_projeksjon", schema=None) as batch_op:
        batch_op.alter_column("indikasjon_kode", new_column_name="icd10_kode")
        batch_op.alter_column("indikasjon_tekst", new_column_name="icd10_tekst")


def downgrade() -> None:
    with op.batch_alter_table("sak_projeksjon", schema=None) as batch_op:
        batch_op.alter_column("icd10_kode", new_column_name="indikasjon_kode")
        batch_op.alter_column("icd10_tekst", new_column_name="indikasjon_tekst")
