"""drop two indexes no query uses: each summary stored paid for them

`ix_sammendrag_hf` repeats the first column of `ix_sammendrag_kvasi`, which serves a trust alone as well;
`ix_sammendrag_virkestoff` served nothing, since searches match `virkestoff_sok` or a substring.

Revision ID: d2a6f4c81e07
Revises: b1c7e5a3d920
Create Date: 2026-12-05 00:50:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = "d2a6f4c81e07"
down_revision: str | None = "b1c7e5a3d920"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_sammendrag_virkestoff", table_name="sammendrag")
    op.drop_index("ix_sammendrag_hf", table_name="sammendrag")


def downgrade() -> None:
    op.create_index("ix_sammendrag_hf", "sammendrag", ["hf"])
    op.create_index("ix_sammendrag_virkestoff", "sammendrag", ["virkestoff"])
