"""cases waiting for an answer: a case with the committee and an open question to the applicant gets
the status venter_pa_svar (data only; the status column is a string)

Revision ID: d4b8e1f20a37
Revises: c7d2e4a1f905
Create Date: 2026-12-04 16:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "d4b8e1f20a37"
down_revision: str | None = "c7d2e4a1f905"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Questions asked before this status existed left their cases «til vurdering»; they wait from now.
    op.execute(
        "UPDATE sak SET status = 'venter_pa_svar' WHERE status = 'til_vurdering' AND EXISTS "
        "(SELECT 1 FROM sporsmal WHERE sporsmal.sak_id = sak.id AND sporsmal.besvart_at IS NULL)"
    )


def downgrade() -> None:
    op.execute("UPDATE sak SET status = 'til_vurdering' WHERE status = 'venter_pa_svar'")
