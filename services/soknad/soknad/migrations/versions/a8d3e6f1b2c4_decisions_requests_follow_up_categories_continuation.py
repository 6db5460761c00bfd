"""requests with who asked and a deadline and the answer's changed fields, follow-up categories, and
continuation: the application a new one continues, and the once-only validity reminder

Revision ID: a8d3e6f1b2c4
Revises: f4c2b7d9e1a3
Create Date: 2026-12-03 13:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a8d3e6f1b2c4"
down_revision: str | tuple[str, ...] | None = "f4c2b7d9e1a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GYLDIGHET_WHERE = sa.text("kind = 'gyldighet_utloper'")


def upgrade() -> None:
    with op.batch_alter_table("soknad", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fortsettelse_av", sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f("ix_soknad_fortsettelse_av"), ["fortsettelse_av"], unique=False)
    with op.batch_alter_table("tilleggsinfo_sporsmal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("spurt_av_navn", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("svarfrist", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("kilde", sa.String(length=20), server_default="vurdering", nullable=False)
        )
        batch_op.add_column(sa.Column("endrede_felt", sa.JSON(), nullable=True))
    with op.batch_alter_table("oppfolging", schema=None) as batch_op:
        batch_op.add_column(sa.Column("avslutningsarsak", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("bivirkningsgrad", sa.String(length=20), nullable=True))
    with op.batch_alter_table("varsel", schema=None) as batch_op:
        batch_op.create_index(
            "uq_varsel_gyldighet",
            ["soknad_id", "kind", "user_id"],
            unique=True,
            sqlite_where=GYLDIGHET_WHERE,
            postgresql_where=GYLDIGHET_WHERE,
        )


def downgrade() -> None:
    with op.batch_alter_table("varsel", schema=None) as batch_op:
        batch_op.drop_index("uq_varsel_gyldighet", sqlite_where=GYLDIGHET_WHERE, postgresql_where=GYLDIGHET_WHERE)
    with op.batch_alter_table("oppfolging", schema=None) as batch_op:
        batch_op.drop_column("bivirkningsgrad")
        batch_op.drop_column("avslutningsarsak")
    with op.batch_alter_table("tilleggsinfo_sporsmal", schema=None) as batch_op:
        batch_op.drop_column("endrede_felt")
        batch_op.drop_column("kilde")
        batch_op.drop_column("svarfrist")
        batch_op.drop_column("spurt_av_navn")
    with op.batch_alter_table("soknad", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_soknad_fortsettelse_av"))
        batch_op.drop_column("fortsettelse_av")
