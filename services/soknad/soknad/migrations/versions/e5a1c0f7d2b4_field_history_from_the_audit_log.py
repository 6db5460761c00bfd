"""field history from the audit log: the audit row of a save names the fields it changed, so the
separate endring table goes (its rows move into the audit log); joins the two branches

Revision ID: e5a1c0f7d2b4
Revises: b297e8881ebb, c2ac5124af9a
Create Date: 2026-11-22 09:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.platform.db.types
from shared.platform.db.spine_migrations import add_audit_actor_navn_and_felt, drop_audit_actor_navn_and_felt

revision: str = "e5a1c0f7d2b4"
down_revision: str | tuple[str, ...] | None = ("b297e8881ebb", "c2ac5124af9a")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    add_audit_actor_navn_and_felt()
    one_field = "json_build_array(e.sporsmal_id)" if _postgres() else "json_array(e.sporsmal_id)"
    # Only applicants and co-authors write answers: the role of every moved row is soker. The audit rows
    # those saves wrote stay as they were (without fields); the moved rows say which fields changed.
    op.execute(
        "INSERT INTO revisjonslogg (at, actor_id, actor_role, hf, case_ref, action, what, purpose, "
        "actor_navn, felt) "
        f"SELECT e.at, e.actor_id, 'soker', s.hf, e.soknad_id, 'skriv', 'soknad.lagre', 'Skrive søknad', "
        f"e.actor_navn, {one_field} FROM endring e JOIN soknad s ON s.id = e.soknad_id"
    )
    with op.batch_alter_table("endring", schema=None) as batch_op:
        batch_op.drop_index("ix_endring_soknad_at")
    op.drop_table("endring")


def downgrade() -> None:
    op.create_table(
        "endring",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("soknad_id", sa.String(length=36), nullable=False),
        sa.Column("at", shared.platform.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(length=100), nullable=False),
        sa.Column("actor_navn", sa.String(length=200), nullable=False),
        sa.Column("sporsmal_id", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(["soknad_id"], ["soknad.id"], name=op.f("fk_endring_soknad_id_soknad")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_endring")),
    )
    with op.batch_alter_table("endring", schema=None) as batch_op:
        batch_op.create_index("ix_endring_soknad_at", ["soknad_id", "at"], unique=False)
    fields = (
        "CROSS JOIN LATERAL json_array_elements_text(r.felt) AS f(value)"
        if _postgres()
        else "CROSS JOIN json_each(r.felt) AS f"
    )
    op.execute(
        "INSERT INTO endring (soknad_id, at, actor_id, actor_navn, sporsmal_id) "
        "SELECT r.case_ref, r.at, r.actor_id, COALESCE(r.actor_navn, r.actor_id), f.value "
        f"FROM revisjonslogg r JOIN soknad s ON s.id = r.case_ref {fields} "
        "WHERE r.what IN ('soknad.opprett', 'soknad.lagre') AND r.felt IS NOT NULL"
    )
    drop_audit_actor_navn_and_felt()
