"""delegation comment between leaders: an earlier delegation line «Forankringen er delegert til X:
comment» becomes the public «Forankringen er delegert til X.» and a leaders-only line with the comment

Revision ID: f4c2b7d9e1a3
Revises: e5a1c0f7d2b4
Create Date: 2026-12-03 10:15:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.platform.db.types import UtcDateTime

revision: str = "f4c2b7d9e1a3"
down_revision: str | tuple[str, ...] | None = "e5a1c0f7d2b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PREFIX = "Forankringen er delegert til "
COMMENT = "Kommentar til lederen som overtar: "

# Only the columns used here.
HISTORIKK = sa.table(
    "historikk",
    sa.column("id", sa.Integer()),
    sa.column("soknad_id", sa.String()),
    sa.column("at", UtcDateTime()),
    sa.column("actor_id", sa.String()),
    sa.column("actor_navn", sa.String()),
    sa.column("hendelse", sa.String()),
    sa.column("detalj", sa.Text()),
)


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(HISTORIKK).where(HISTORIKK.c.hendelse == "delegert", HISTORIKK.c.detalj.like(f"{PREFIX}%: %"))
    ).all()
    for row in rows:
        # Unit names hold no «: »; the comment may.
        unit, comment = row.detalj.removeprefix(PREFIX).split(": ", 1)
        conn.execute(
            HISTORIKK.update().where(HISTORIKK.c.id == row.id).values(detalj=f"{PREFIX}{unit}.")
        )
        conn.execute(
            HISTORIKK.insert().values(
                soknad_id=row.soknad_id,
                at=row.at,
                actor_id=row.actor_id,
                actor_navn=row.actor_navn,
                hendelse="delegert_kommentar",
                detalj=f"{COMMENT}{comment}",
            )
        )


def downgrade() -> None:
    conn = op.get_bind()
    comments = conn.execute(sa.select(HISTORIKK).where(HISTORIKK.c.hendelse == "delegert_kommentar")).all()
    for comment in comments:
        line = conn.execute(
            sa.select(HISTORIKK)
            .where(
                HISTORIKK.c.hendelse == "delegert",
                HISTORIKK.c.soknad_id == comment.soknad_id,
                HISTORIKK.c.at == comment.at,
            )
            .limit(1)
        ).first()
        if line is not None and (line.detalj or "").endswith("."):
            text = (comment.detalj or "").removeprefix(COMMENT)
            conn.execute(
                HISTORIKK.update().where(HISTORIKK.c.id == line.id).values(detalj=f"{line.detalj[:-1]}: {text}")
            )
        conn.execute(HISTORIKK.delete().where(HISTORIKK.c.id == comment.id))
