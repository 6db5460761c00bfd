from alembic import context
from sqlalchemy import create_engine

from shared.platform.katalog.tables import VERSION_TABLE, metadata


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
        # Its own name: the directory never mixes with a service's migrations, even in one database.
        version_table=VERSION_TABLE,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    # `alembic revision --autogenerate` from the command line: use a sync URL.
    with create_engine(context.config.get_main_option("sqlalchemy.url") or "sqlite://").connect() as conn:
        _run(conn)
else:
    _run(connection)
