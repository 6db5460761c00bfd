"""Generate an Alembic migration for one service: `python scripts/new_migration.py soknad "message" [head]`.

Autogenerate compares the models with the migrated schema: review the file and keep only your change."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    service, message = sys.argv[1], sys.argv[2]
    # With parallel branches (several heads), name the one to build on: a third argument.
    head = sys.argv[3] if len(sys.argv) > 3 else "head"
    migrations = ROOT / "services" / service / service / "migrations"
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "autogen.sqlite"
        config = Config()
        config.set_main_option("script_location", str(migrations))
        config.set_main_option("sqlalchemy.url", f"sqlite:///{db}")
        command.upgrade(config, "heads")
        command.revision(config, message=message, autogenerate=True, head=head)


if __name__ == "__main__":
    main()
