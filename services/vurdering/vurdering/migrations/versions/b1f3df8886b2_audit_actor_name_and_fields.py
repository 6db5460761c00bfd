"""audit log: the actor's name and the fields a write changed

Revision ID: b1f3df8886b2
Revises: a9990048d432
Create Date: 2026-11-22 09:00:00
"""
from collections.abc import Sequence

from shared.platform.db.spine_migrations import add_audit_actor_navn_and_felt, drop_audit_actor_navn_and_felt

revision: str = "b1f3df8886b2"
down_revision: str | None = "a9990048d432"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_audit_actor_navn_and_felt()


def downgrade() -> None:
    drop_audit_actor_navn_and_felt()
