"""the imported registries: FEST brands and packs, diagnosis codes, imports and the active generation

Revision ID: a3f9c2d4e5b1
Revises: 7c1e4b2a9d30
Create Date: 2026-12-03 14:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.platform.db.types

revision: str = "a3f9c2d4e5b1"
down_revision: str | None = "7c1e4b2a9d30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _merke() -> list[sa.Column[object]]:
    return [
        sa.Column("fingeravtrykk", sa.String(length=64), nullable=False),
        sa.Column("borte_siden", shared.platform.db.types.UtcDateTime(timezone=True), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "fest_legemiddel",
        sa.Column("generasjon", sa.Integer(), nullable=False),
        sa.Column("fest_id", sa.String(length=60), nullable=False),
        sa.Column("navn", sa.String(length=300), nullable=False),
        sa.Column("navn_form_styrke", sa.String(length=500), nullable=False),
        sa.Column("virkestoff", sa.String(length=500), nullable=False),
        sa.Column("virkestoff_engelsk", sa.String(length=500), nullable=False),
        sa.Column("atc", sa.String(length=10), nullable=False),
        sa.Column("legemiddelform", sa.String(length=300), nullable=False),
        sa.Column("styrke", sa.String(length=300), nullable=False),
        sa.Column("preparattype", sa.String(length=10), nullable=False),
        sa.Column("reseptgruppe", sa.String(length=10), nullable=False),
        sa.Column("produsent", sa.String(length=300), nullable=False),
        sa.Column("smpc_url", sa.String(length=1000), nullable=True),
        sa.Column("markedsstatus", sa.String(length=30), nullable=False),
        *_merke(),
        sa.PrimaryKeyConstraint("generasjon", "fest_id", name=op.f("pk_fest_legemiddel")),
    )
    op.create_table(
        "fest_pakning",
        sa.Column("generasjon", sa.Integer(), nullable=False),
        sa.Column("fest_id", sa.String(length=60), nullable=False),
        sa.Column("merkevare_id", sa.String(length=60), nullable=False),
        sa.Column("varenr", sa.String(length=20), nullable=False),
        sa.Column("navn_form_styrke", sa.String(length=500), nullable=False),
        sa.Column("pakningsstr", sa.String(length=40), nullable=False),
        sa.Column("enhet", sa.String(length=60), nullable=False),
        sa.Column("aip_ore", sa.BigInteger(), nullable=True),
        sa.Column("aup_ore", sa.BigInteger(), nullable=True),
        sa.Column("refusjonspris_ore", sa.BigInteger(), nullable=True),
        sa.Column("markedsforingsdato", sa.Date(), nullable=True),
        sa.Column("midl_utgatt_dato", sa.Date(), nullable=True),
        sa.Column("avreg_dato", sa.Date(), nullable=True),
        *_merke(),
        sa.PrimaryKeyConstraint("generasjon", "fest_id", name=op.f("pk_fest_pakning")),
    )
    with op.batch_alter_table("fest_pakning", schema=None) as batch_op:
        batch_op.create_index("ix_fest_pakning_merkevare", ["generasjon", "merkevare_id"], unique=False)
    op.create_table(
        "diagnosekode",
        sa.Column("generasjon", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=20), nullable=False),
        sa.Column("kode", sa.String(length=20), nullable=False),
        sa.Column("versjon", sa.String(length=20), nullable=False),
        sa.Column("tekst", sa.String(length=1000), nullable=False),
        sa.Column("aktiv", sa.Boolean(), nullable=False),
        sa.Column("foreldre", sa.String(length=20), nullable=True),
        sa.Column("kjonn", sa.String(length=1), nullable=True),
        *_merke(),
        sa.PrimaryKeyConstraint("generasjon", "system", "kode", name=op.f("pk_diagnosekode")),
    )
    op.create_table(
        "register_import",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("register", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("kilde", sa.String(length=1000), nullable=False),
        sa.Column("startet_at", shared.platform.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ferdig_at", shared.platform.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("versjon", sa.String(length=40), nullable=True),
        sa.Column("hentet_dato", sa.String(length=40), nullable=True),
        sa.Column("antall", sa.Integer(), nullable=False),
        sa.Column("antall_pakninger", sa.Integer(), nullable=False),
        sa.Column("nye", sa.Integer(), nullable=False),
        sa.Column("endrede", sa.Integer(), nullable=False),
        sa.Column("borte", sa.Integer(), nullable=False),
        sa.Column("feil", sa.Text(), nullable=True),
        sa.Column("etag", sa.String(length=300), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_import")),
    )
    with op.batch_alter_table("register_import", schema=None) as batch_op:
        batch_op.create_index("ix_register_import_register", ["register", "id"], unique=False)
    op.create_table(
        "register_aktiv",
        sa.Column("register", sa.String(length=20), nullable=False),
        sa.Column("generasjon", sa.Integer(), nullable=False),
        sa.Column("byttet_at", shared.platform.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("register", name=op.f("pk_register_aktiv")),
    )


def downgrade() -> None:
    op.drop_table("register_aktiv")
    with op.batch_alter_table("register_import", schema=None) as batch_op:
        batch_op.drop_index("ix_register_import_register")
    op.drop_table("register_import")
    op.drop_table("diagnosekode")
    with op.batch_alter_table("fest_pakning", schema=None) as batch_op:
        batch_op.drop_index("ix_fest_pakning_merkevare")
    op.drop_table("fest_pakning")
    op.drop_table("fest_legemiddel")
