from shared.platform.db.alembic_env import run_migrations
from vurdering.store import Base

run_migrations(Base.metadata)
