"""Build-time check of a service image: every service imports and finds the files it reads at run time.

Run by docker/Dockerfile in the builder stage, with the venv's python; a missing template folder,
static file, migration or data file fails the build instead of the first request or the start-up.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

SERVICES = ("soknad", "vurdering", "beslutning", "oversikt", "integrasjon")


def package_dir(name: str) -> Path:
    module = importlib.import_module(name)
    assert module.__file__ is not None, name
    return Path(module.__file__).parent


def problems() -> list[str]:
    found: list[str] = []

    def need(path: Path, what: str) -> None:
        if not path.exists():
            found.append(f"missing {what}: {path}")

    shared_web = package_dir("shared.platform.web")
    need(shared_web / "templates" / "base.html", "shared layout")
    need(shared_web / "static" / "style.css", "shared static files")
    need(shared_web / "static" / "favicon.ico", "favicon")
    for service in SERVICES:
        app = importlib.import_module(f"{service}.app")
        if not callable(getattr(app, "create_standalone_app", None)):
            found.append(f"{service}.app has no create_standalone_app")
        here = package_dir(service)
        need(here / "migrations" / "env.py", f"{service} Alembic env")
        if not any((here / "migrations" / "versions").glob("*.py")):
            found.append(f"{service}: no migration revisions in {here / 'migrations' / 'versions'}")
        if not any((here / "templates").glob("*.html")):
            found.append(f"{service}: no templates in {here / 'templates'}")
    need(package_dir("integrasjon") / "data" / "fest251_eksempel.xml", "integrasjon sample FEST file")
    return found


if __name__ == "__main__":
    errors = problems()
    for error in errors:
        print(f"verify_install: {error}", file=sys.stderr)
    sys.exit(1 if errors else 0)
