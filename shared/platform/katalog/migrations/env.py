from shared.platform.db.alembic_env import run_migrations
from shared.platform.katalog.tables import metadata

run_migrations(metadata)
