"""projection: what the national summary v2 is built from (amendment, post-registration, follow-up
categories, the granted group decision)

Revision ID: b8e2f4a61c07
Revises: a3f9c2d4e5b1
Create Date: 2026-12-03 14:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.platform.db.types

revision: str = "b8e2f4a61c07"
down_revision: str | None = "a3f9c2d4e5b1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NEW = (
    "vedtak_fattet_at",
    "endret",
    "etterregistrert",
    "oppfolging_fortsetter",
    "oppfolging_avslutningsarsak",
    "oppfolging_bivirkningsgrad",
    "gruppe_beskrivelse",
    "gruppevedtak_dosering",
    "gruppevedtak_vilkar",
    "gruppevedtak_begrunnelse",
    "gruppevedtak_gyldig_fra",
    "gruppevedtak_gyldig_til",
    "gruppevedtak_enhet_navn",
)


def upgrade() -> None:
    with op.batch_alter_table("sak_projeksjon", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("vedtak_fattet_at", shared.platform.db.types.UtcDateTime(timezone=True), nullable=True)
        )
        # Existing rows: never amended, never post-registered.
        batch_op.add_column(sa.Column("endret", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(
            sa.Column("etterregistrert", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("oppfolging_fortsetter", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("oppfolging_avslutningsarsak", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("oppfolging_bivirkningsgrad", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("gruppe_beskrivelse", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("gruppevedtak_dosering", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("gruppevedtak_vilkar", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("gruppevedtak_begrunnelse", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("gruppevedtak_gyldig_fra", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("gruppevedtak_gyldig_til", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("gruppevedtak_enhet_navn", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sak_projeksjon", schema=None) as batch_op:
        for column in reversed(_NEW):
            batch_op.drop_column(column)
