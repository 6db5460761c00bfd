"""post-registration (etterregistrering): import jobs, their report, staged rows and the mark on imported
cases with a unique stable key per trust

Revision ID: a7e3d91c5b20
Revises: a8d3e6f1b2c4
Create Date: 2026-12-03 13:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.platform.db.tables import SEQ_TYPE
from shared.platform.db.types import UtcDateTime

revision: str = "a7e3d91c5b20"
down_revision: str | tuple[str, ...] | None = "a8d3e6f1b2c4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "etterreg_jobb",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hf", sa.String(length=20), nullable=False),
        sa.Column("filnavn", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("bare_gyldige", sa.Boolean(), nullable=False),
        sa.Column("rader", sa.Integer(), nullable=False),
        sa.Column("gyldige", sa.Integer(), nullable=False),
        sa.Column("feilrader", sa.Integer(), nullable=False),
        sa.Column("feil", sa.Integer(), nullable=False),
        sa.Column("importert", sa.Integer(), nullable=False),
        sa.Column("hoppet_over", sa.Integer(), nullable=False),
        sa.Column("melding", sa.Text(), nullable=True),
        sa.Column("opprettet_av", sa.String(length=100), nullable=False),
        sa.Column("opprettet_av_navn", sa.String(length=200), nullable=False),
        sa.Column("opprettet_at", UtcDateTime(), nullable=False),
        sa.Column("endret_at", UtcDateTime(), nullable=False),
        sa.Column("ferdig_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_etterreg_jobb")),
    )
    op.create_index(op.f("ix_etterreg_jobb_hf"), "etterreg_jobb", ["hf"], unique=False)
    op.create_index(op.f("ix_etterreg_jobb_status"), "etterreg_jobb", ["status"], unique=False)
    op.create_table(
        "etterreg_feil",
        sa.Column("id", SEQ_TYPE, autoincrement=True, nullable=False),
        sa.Column("jobb_id", sa.String(length=36), nullable=False),
        sa.Column("radnummer", sa.Integer(), nullable=False),
        sa.Column("kolonne", sa.String(length=60), nullable=False),
        sa.Column("melding", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_etterreg_feil")),
    )
    op.create_index(op.f("ix_etterreg_feil_jobb_id"), "etterreg_feil", ["jobb_id"], unique=False)
    op.create_table(
        "etterreg_rad",
        sa.Column("id", SEQ_TYPE, autoincrement=True, nullable=False),
        sa.Column("jobb_id", sa.String(length=36), nullable=False),
        sa.Column("radnummer", sa.Integer(), nullable=False),
        sa.Column("nokkel", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_etterreg_rad")),
    )
    op.create_index("ix_etterreg_rad_jobb_id_id", "etterreg_rad", ["jobb_id", "id"], unique=False)
    op.create_table(
        "etterregistrert_sak",
        sa.Column("soknad_id", sa.String(length=36), nullable=False),
        sa.Column("hf", sa.String(length=20), nullable=False),
        sa.Column("nokkel", sa.String(length=64), nullable=False),
        sa.Column("saksreferanse", sa.String(length=100), nullable=True),
        sa.Column("jobb_id", sa.String(length=36), nullable=False),
        sa.Column("radnummer", sa.Integer(), nullable=False),
        sa.Column("registrert_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("soknad_id", name=op.f("pk_etterregistrert_sak")),
        sa.UniqueConstraint("hf", "nokkel", name="uq_etterregistrert_sak_hf_nokkel"),
    )
    op.create_index(op.f("ix_etterregistrert_sak_jobb_id"), "etterregistrert_sak", ["jobb_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_etterregistrert_sak_jobb_id"), table_name="etterregistrert_sak")
    op.drop_table("etterregistrert_sak")
    op.drop_index("ix_etterreg_rad_jobb_id_id", table_name="etterreg_rad")
    op.drop_table("etterreg_rad")
    op.drop_index(op.f("ix_etterreg_feil_jobb_id"), table_name="etterreg_feil")
    op.drop_table("etterreg_feil")
    op.drop_index(op.f("ix_etterreg_jobb_status"), table_name="etterreg_jobb")
    op.drop_index(op.f("ix_etterreg_jobb_hf"), table_name="etterreg_jobb")
    op.drop_table("etterreg_jobb")
