"""audit log: the actor's name and the fields a write changed

Revision ID: 301d72c0cdc8
Revises: d6cc8ed4e18a
Create Date: 2026-11-22 09:00:00
"""
from collections.abc import Sequence

from shared.platform.db.spine_migrations import add_audit_actor_navn_and_felt, drop_audit_actor_navn_and_felt

revision: str = "301d72c0cdc8"
down_revision: str | None = "d6cc8ed4e18a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_audit_actor_navn_and_felt()


def downgrade() -> None:
    drop_audit_actor_navn_and_felt()
