from shared.platform.db.alembic_env import run_migrations
from soknad.store import Base

run_migrations(Base.metadata)
