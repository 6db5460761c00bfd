"""summaries: the indication's code and text are called icd10_kode and icd10_tekst, as everywhere

Revision ID: 5e2d8f1c4a77
Revises: 300721a3b806
Create Date: 2026-12-03 10:00:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = "5e2d8f1c4a77"
down_revision: str | None = "300721a3b806"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sammendrag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sammendrag_indikasjon_kode"))
        batch_op.alter_column("indikasjon_kode", new_column_name="icd10_kode")
        batch_op.alter_column("indikasjon_tekst", new_column_name="icd10_tekst")
    # After the batch: on SQLite the batch rebuilds the table and knows only the old column names.
    op.create_index(op.f("ix_sammendrag_icd10_kode"), "sammendrag", ["icd10_kode"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sammendrag_icd10_kode"), table_name="sammendrag")
    with op.batch_alter_table("sammendrag", schema=None) as batch_op:
        batch_op.alter_column("icd10_kode", new_column_name="indikasjon_kode")
        batch_op.alter_column("icd10_tekst", new_column_name="indikasjon_tekst")
    op.create_index(op.f("ix_sammendrag_indikasjon_kode"), "sammendrag", ["indikasjon_kode"], unique=False)
