"""the director's workbench: triage and deadlines, the decision's scope and conditions, amendments and
revocations, invoicing, the phrase library, notifications

Revision ID: 7d3e5a9c2b61
Revises: 1ff964c479a9
Create Date: 2026-12-03 13:45:00
"""
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import op

import shared.platform.db.types

revision: str = "7d3e5a9c2b61"
down_revision: str | None = "1ff964c479a9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DT = shared.platform.db.types.UtcDateTime(timezone=True)
APNE = (
    "status IN ('til_triage', 'venter_pa_anbefaling', 'klar_for_vedtak', "
    "'venter_pa_svar', 'hos_interregional')"
)


def _date_of(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    return date.today()


def upgrade() -> None:
    # Plain ADD COLUMN, not a batch copy: on SQLite a copy of `sak` would drop the table that the
    # history and the decisions refer to.
    for column in (
        sa.Column("vurderingsflyt", sa.String(length=20), nullable=True),
        sa.Column("enhet", sa.String(length=40), nullable=False, server_default=""),
        sa.Column("virkestoff", sa.String(length=200), nullable=False, server_default=""),
        sa.Column("icd10", sa.String(length=20), nullable=False, server_default=""),
        # Filled below from each case's anchoring; the placeholder default only lets the column be added.
        sa.Column("frist", sa.Date(), nullable=False, server_default="2000-01-01"),
        sa.Column("forfalt_varslet", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("triagert_at", UTC_DT, nullable=True),
        sa.Column("triagert_av_navn", sa.String(length=200), nullable=True),
        sa.Column("komite", sa.JSON(), nullable=True),
        sa.Column("komite_sendt_at", UTC_DT, nullable=True),
        sa.Column("interregional", sa.JSON(), nullable=True),
        sa.Column("videresendt_at", UTC_DT, nullable=True),
        sa.Column("sporsmal", sa.JSON(), nullable=True),
        sa.Column("status_for_sporsmal", sa.String(length=30), nullable=True),
        sa.Column("nye_felt", sa.JSON(), nullable=True),
        sa.Column("vedtatt_at", UTC_DT, nullable=True),
    ):
        op.add_column("sak", column)

    with op.batch_alter_table("vedtak", schema=None) as batch_op:
        batch_op.drop_constraint("uq_vedtak_sak_id", type_="unique")
        batch_op.create_index(batch_op.f("ix_vedtak_sak_id"), ["sak_id"], unique=False)
        batch_op.add_column(sa.Column("forste_for_sak", sa.String(length=36), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_vedtak_forste_for_sak"), ["forste_for_sak"])
        batch_op.add_column(sa.Column("art", sa.String(length=20), nullable=False, server_default="vedtak"))
        batch_op.add_column(sa.Column("erstatter_vedtak_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("gjeldende", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column("vilkar_liste", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("omfang", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("gyldig_fra", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("kostnadssted", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("resept_merknad", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("faktureringsrutine", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("interregional_referanse", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("fakturert_at", UTC_DT, nullable=True))
        batch_op.add_column(sa.Column("fakturert_av_navn", sa.String(length=200), nullable=True))

    # Cases and decisions made before: their columns from the snapshot, a deadline from the default
    # target, the first decision marked as such; a case no one has triaged is the director's to triage.
    conn = op.get_bind()
    sak = sa.table(
        "sak",
        sa.column("id", sa.String),
        sa.column("snapshot", sa.JSON),
        sa.column("status", sa.String),
        sa.column("forankret_at", UTC_DT),
        sa.column("enhet", sa.String),
        sa.column("virkestoff", sa.String),
        sa.column("icd10", sa.String),
        sa.column("frist", sa.Date),
        sa.column("vurderingsflyt", sa.String),
        sa.column("vedtatt_at", UTC_DT),
    )
    vedtak = sa.table(
        "vedtak",
        sa.column("id", sa.String),
        sa.column("sak_id", sa.String),
        sa.column("forste_for_sak", sa.String),
        sa.column("vurderingsflyt", sa.String),
        sa.column("fattet_at", UTC_DT),
        sa.column("vilkar_liste", sa.JSON),
    )
    decided = {row.sak_id: row for row in conn.execute(sa.select(vedtak.c.sak_id, vedtak.c.vurderingsflyt, vedtak.c.fattet_at))}
    for row in conn.execute(sa.select(sak.c.id, sak.c.snapshot, sak.c.status, sak.c.forankret_at)).all():
        snap = row.snapshot or {}
        d = decided.get(row.id)
        status = row.status
        if status == "venter_pa_anbefaling":
            status = "til_triage"
        conn.execute(
            sa.update(sak)
            .where(sak.c.id == row.id)
            .values(
                enhet=str(snap.get("enhet") or ""),
                virkestoff=str((snap.get("legemiddel") or {}).get("virkestoff") or "").strip().lower(),
                icd10=str((snap.get("indikasjon") or {}).get("kode") or "").strip().upper(),
                frist=_date_of(row.forankret_at) + timedelta(days=14),
                vurderingsflyt=d.vurderingsflyt if d else ("komplett" if status == "klar_for_vedtak" else None),
                vedtatt_at=d.fattet_at if d else None,
                status=status,
            )
        )
    conn.execute(sa.update(vedtak).values(forste_for_sak=vedtak.c.sak_id, vilkar_liste=[]))

    if conn.dialect.name == "postgresql":
        # SQLite cannot drop a column default without copying the table; there it stays, unused.
        op.alter_column("sak", "frist", server_default=None)
    op.create_index("ix_sak_innboks", "sak", ["hf", "status", "frist"], unique=False)
    op.create_index(
        "ix_sak_apne",
        "sak",
        ["hf", "frist", "forankret_at"],
        unique=False,
        postgresql_where=sa.text(APNE),
        sqlite_where=sa.text(APNE),
    )

    op.create_table(
        "frase",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hf", sa.String(length=20), nullable=False),
        sa.Column("felt", sa.String(length=40), nullable=False),
        sa.Column("tittel", sa.String(length=200), nullable=False),
        sa.Column("tekst", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("aktiv", sa.Boolean(), nullable=False),
        sa.Column("versjon", sa.Integer(), nullable=False),
        sa.Column("endret_at", UTC_DT, nullable=False),
        sa.Column("endret_av_navn", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frase")),
    )
    with op.batch_alter_table("frase", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_frase_hf"), ["hf"], unique=False)
    op.create_table(
        "varsel",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hf", sa.String(length=20), nullable=False),
        sa.Column("sak_id", sa.String(length=36), nullable=False),
        sa.Column("art", sa.String(length=30), nullable=False),
        sa.Column("tekst", sa.String(length=500), nullable=False),
        sa.Column("opprettet_at", UTC_DT, nullable=False),
        sa.Column("lest_at", UTC_DT, nullable=True),
        sa.ForeignKeyConstraint(["sak_id"], ["sak.id"], name=op.f("fk_varsel_sak_id_sak")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_varsel")),
    )
    with op.batch_alter_table("varsel", schema=None) as batch_op:
        batch_op.create_index("ix_varsel_hf_lest", ["hf", "lest_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("varsel", schema=None) as batch_op:
        batch_op.drop_index("ix_varsel_hf_lest")
    op.drop_table("varsel")
    with op.batch_alter_table("frase", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_frase_hf"))
    op.drop_table("frase")
    conn = op.get_bind()
    # Only first decisions fit the older one-decision-per-case table.
    conn.execute(sa.text("DELETE FROM vedtak WHERE forste_for_sak IS NULL"))
    conn.execute(sa.text("UPDATE sak SET status = 'venter_pa_anbefaling' WHERE status IN ('til_triage', 'venter_pa_svar', 'hos_interregional')"))
    conn.execute(sa.text("UPDATE sak SET status = 'vedtatt' WHERE status = 'opphevet'"))
    with op.batch_alter_table("vedtak", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_vedtak_forste_for_sak"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_vedtak_sak_id"))
        for name in (
            "fakturert_av_navn", "fakturert_at", "interregional_referanse", "faktureringsrutine", "resept_merknad",
            "kostnadssted", "gyldig_fra", "omfang", "vilkar_liste", "gjeldende", "erstatter_vedtak_id", "art",
            "forste_for_sak",
        ):
            batch_op.drop_column(name)
        batch_op.create_unique_constraint("uq_vedtak_sak_id", ["sak_id"])
    op.drop_index("ix_sak_apne", table_name="sak")
    op.drop_index("ix_sak_innboks", table_name="sak")
    # Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch copy of `sak` would have to drop the table
    # that the history and the decisions refer to.
    for name in (
        "vedtatt_at", "nye_felt", "status_for_sporsmal", "sporsmal", "videresendt_at", "interregional",
        "komite_sendt_at", "komite", "triagert_av_navn", "triagert_at", "forfalt_varslet", "frist", "icd10",
        "virkestoff", "enhet", "vurderingsflyt",
    ):
        op.execute(f"ALTER TABLE sak DROP COLUMN {name}")
