"""the search's order, newest month first, and a substance and indication search, served by indexes

Revision ID: b1c7e5a3d920
Revises: 9d3f6b2a8e41
Create Date: 2026-12-03 19:10:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = "b1c7e5a3d920"
down_revision: str | None = "9d3f6b2a8e41"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_sammendrag_nyeste", "sammendrag", ["sendt_maned", "lopenummer"])
    op.create_index(
        "ix_sammendrag_legemiddel_sok",
        "sammendrag",
        ["virkestoff_sok", "icd10_kode", "kategori", "type", "sendt_maned", "lopenummer"],
    )


def downgrade() -> None:
    op.drop_index("ix_sammendrag_legemiddel_sok", table_name="sammendrag")
    op.drop_index("ix_sammendrag_nyeste", table_name="sammendrag")
