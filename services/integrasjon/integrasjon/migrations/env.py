from integrasjon.store import Base
from shared.platform.db.alembic_env import run_migrations

run_migrations(Base.metadata)
