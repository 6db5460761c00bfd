"""audit log: the actor's name and the fields a write changed

Revision ID: 1ff964c479a9
Revises: 54d41655985c
Create Date: 2026-11-22 09:00:00
"""
from collections.abc import Sequence

from shared.platform.db.spine_migrations import add_audit_actor_navn_and_felt, drop_audit_actor_navn_and_felt

revision: str = "1ff964c479a9"
down_revision: str | None = "54d41655985c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_audit_actor_navn_and_felt()


def downgrade() -> None:
    drop_audit_actor_navn_and_felt()
