"""The body of every service's `migrations/env.py`: online migrations on a given connection."""

from __future__ import annotations

from alembic import context
from sqlalchemy import MetaData, create_engine


def run_migrations(target_metadata: MetaData) -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        # `alembic revision --autogenerate` from the command line: use a sync URL.
        url = context.config.get_main_option("sqlalchemy.url") or "sqlite://"
        engine = create_engine(url)
        with engine.connect() as conn:
            _run(conn, target_metadata)
        return
    _run(connection, target_metadata)


def _run(connection: object, target_metadata: MetaData) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table.
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
