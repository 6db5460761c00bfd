"""decisions counted per combination at ingest (`vedtak_telling`, `behandlingstid_telling`), backfilled
from the summaries

Revision ID: 9d3f6b2a8e41
Revises: 7c4e1a9d2b50
Create Date: 2026-12-03 15:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9d3f6b2a8e41"
down_revision: str | None = "7c4e1a9d2b50"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here (not imported from the app): the counted statuses and the tables' keys.
_DECIDED = "status IN ('vedtatt', 'opphevet') AND utfall IS NOT NULL"
_VEDTAK = (
    "virkestoff_sok, icd10_kode, icd10_tekst, atc, icd10_kapittel, hf, rhf, status, utfall, sendt_maned"
)
_TID = "virkestoff_sok, icd10_kode, atc, icd10_kapittel, hf, rhf, status, behandlingstid_dager"


def _key(name: str, length: int | None) -> sa.Column:
    return sa.Column(name, sa.String(length) if length else sa.Integer(), nullable=False)


def upgrade() -> None:
    common = [("virkestoff_sok", 200), ("icd10_kode", 20)]
    middle = [("atc", 20), ("icd10_kapittel", 5), ("hf", 20), ("rhf", 20), ("status", 20)]
    vedtak = [*common, ("icd10_tekst", 300), *middle, ("utfall", 30), ("sendt_maned", 7)]
    op.create_table(
        "vedtak_telling",
        *(_key(n, length) for n, length in vedtak),
        sa.Column("antall", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*(n for n, _ in vedtak), name=op.f("pk_vedtak_telling")),
    )
    op.create_index("ix_vedtak_telling_kapittel_atc", "vedtak_telling", ["icd10_kapittel", "atc"])
    tid = [*common, *middle, ("behandlingstid_dager", None)]
    op.create_table(
        "behandlingstid_telling",
        *(_key(n, length) for n, length in tid),
        sa.Column("antall", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*(n for n, _ in tid), name=op.f("pk_behandlingstid_telling")),
    )
    op.create_index(
        "ix_behandlingstid_telling_kapittel_atc", "behandlingstid_telling", ["icd10_kapittel", "atc"]
    )
    v = _VEDTAK.replace("atc", "COALESCE(atc, '')", 1)
    t = _TID.replace("atc", "COALESCE(atc, '')", 1)
    op.execute(
        f"INSERT INTO vedtak_telling ({_VEDTAK}, antall) "
        f"SELECT {v}, count(*) FROM sammendrag WHERE {_DECIDED} GROUP BY {v}"
    )
    op.execute(
        f"INSERT INTO behandlingstid_telling ({_TID}, antall) SELECT {t}, count(*) FROM sammendrag "
        f"WHERE {_DECIDED} AND behandlingstid_dager IS NOT NULL GROUP BY {t}"
    )


def downgrade() -> None:
    op.drop_index("ix_behandlingstid_telling_kapittel_atc", table_name="behandlingstid_telling")
    op.drop_table("behandlingstid_telling")
    op.drop_index("ix_vedtak_telling_kapittel_atc", table_name="vedtak_telling")
    op.drop_table("vedtak_telling")
