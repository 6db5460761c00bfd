"""summaries v2: follow-up outcome, amendments, post-registration, published group decision; derived
search columns (lower-case substance, ICD-10 category and chapter) and the indexes of the national search

Revision ID: 7c4e1a9d2b50
Revises: 5e2d8f1c4a77
Create Date: 2026-12-03 14:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c4e1a9d2b50"
down_revision: str | None = "5e2d8f1c4a77"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here (not imported): the WHO ICD-10 chapters by category range, for the backfill.
_KAPITLER = (
    ("I", "A00", "B99"), ("II", "C00", "D48"), ("III", "D50", "D89"), ("IV", "E00", "E90"),
    ("V", "F00", "F99"), ("VI", "G00", "G99"), ("VII", "H00", "H59"), ("VIII", "H60", "H95"),
    ("IX", "I00", "I99"), ("X", "J00", "J99"), ("XI", "K00", "K93"), ("XII", "L00", "L99"),
    ("XIII", "M00", "M99"), ("XIV", "N00", "N99"), ("XV", "O00", "O99"), ("XVI", "P00", "P96"),
    ("XVII", "Q00", "Q99"), ("XVIII", "R00", "R99"), ("XIX", "S00", "T98"), ("XX", "V01", "Y98"),
    ("XXI", "Z00", "Z99"), ("XXII", "U00", "U99"),
)  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("sammendrag", schema=None) as batch_op:
        batch_op.add_column(sa.Column("virkestoff_sok", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("icd10_kategori", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("icd10_kapittel", sa.String(length=5), nullable=True))
        batch_op.add_column(
            sa.Column("sammendrag_versjon", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
        batch_op.add_column(sa.Column("endret", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(
            sa.Column("etterregistrert", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("effekt", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("fortsetter", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("avslutningsarsak", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("bivirkningsgrad", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("gruppevedtak", sa.JSON(), nullable=True))

    kategori = "substr(upper(replace(icd10_kode, '.', '')), 1, 3)"
    kapittel = " ".join(f"WHEN {kategori} BETWEEN '{fra}' AND '{til}' THEN '{nr}'" for nr, fra, til in _KAPITLER)
    op.execute(
        f"UPDATE sammendrag SET virkestoff_sok = lower(virkestoff), icd10_kategori = {kategori}, "
        f"icd10_kapittel = CASE {kapittel} ELSE '?' END"
    )
    with op.batch_alter_table("sammendrag", schema=None) as batch_op:
        batch_op.alter_column("virkestoff_sok", existing_type=sa.String(length=200), nullable=False)
        batch_op.alter_column("icd10_kategori", existing_type=sa.String(length=3), nullable=False)
        batch_op.alter_column("icd10_kapittel", existing_type=sa.String(length=5), nullable=False)

    op.create_index(
        "ix_sammendrag_kvasi",
        "sammendrag",
        ["hf", "icd10_kapittel", "icd10_kategori", "icd10_kode", "sendt_maned", "aldersgruppe", "kjonn", "type"],
        unique=False,
    )
    covering = ["status", "hf", "rhf", "utfall", "behandlingstid_dager", "sendt_maned"]
    op.create_index(
        "ix_sammendrag_variasjon", "sammendrag", ["virkestoff_sok", "icd10_kode", *covering], unique=False
    )
    op.create_index("ix_sammendrag_kapittel_atc", "sammendrag", ["icd10_kapittel", "atc", *covering], unique=False)
    op.create_index(
        "ix_sammendrag_sendt_maned", "sammendrag", ["sendt_maned", "hf", "atc", "icd10_kode", "utfall"], unique=False
    )
    op.create_index("ix_sammendrag_rhf", "sammendrag", ["rhf"], unique=False)


def downgrade() -> None:
    for name in (
        "ix_sammendrag_rhf", "ix_sammendrag_sendt_maned", "ix_sammendrag_kapittel_atc",
        "ix_sammendrag_variasjon", "ix_sammendrag_kvasi",
    ):  # fmt: skip
        op.drop_index(name, table_name="sammendrag")
    with op.batch_alter_table("sammendrag", schema=None) as batch_op:
        for column in (
            "gruppevedtak", "bivirkningsgrad", "avslutningsarsak", "fortsetter", "effekt", "etterregistrert",
            "endret", "sammendrag_versjon", "icd10_kapittel", "icd10_kategori", "virkestoff_sok",
        ):  # fmt: skip
            batch_op.drop_column(column)
