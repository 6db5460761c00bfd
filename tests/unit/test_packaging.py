"""The distribution: every folder and file ships in the wheel, the build is free of warnings, and the
lock files pin every dependency that pyproject.toml declares."""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"


def package_folders() -> dict[str, Path]:
    """Every folder below shared/ and the services' package roots that holds a file, by package name."""
    mapping = {name: ROOT / path for name, path in SETUPTOOLS["package-dir"].items()}
    roots = {"shared": ROOT / "shared", **mapping}
    found: dict[str, Path] = {}
    for name, root in roots.items():
        for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
            if "__pycache__" in folder.parts:
                continue
            files = [f for f in folder.iterdir() if f.is_file() and f.suffix != ".pyc"]
            if files:
                found[".".join([name, *folder.relative_to(root).parts])] = folder
    return found


def test_every_folder_with_files_is_a_listed_package() -> None:
    # A data folder (templates, static, migrations, data) that is not listed is left out of the wheel
    # or, in older setuptools, shipped with an "absent from the `packages` configuration" warning.
    listed = set(SETUPTOOLS["packages"])
    missing = set(package_folders()) - listed
    assert missing == set(), f"add these to [tool.setuptools] packages in pyproject.toml: {sorted(missing)}"
    stale = {name for name in listed - set(package_folders())}
    assert stale == set(), f"listed in pyproject.toml but not in the tree: {sorted(stale)}"


def test_every_data_file_is_matched_by_package_data() -> None:
    patterns = SETUPTOOLS["package-data"]["*"]
    for name, folder in package_folders().items():
        for file in folder.iterdir():
            if file.is_file() and file.suffix not in {".py", ".pyc"}:
                assert any(fnmatch.fnmatch(file.name, p) for p in patterns), (
                    f"{file.relative_to(ROOT)} ({name}) matches no [tool.setuptools.package-data] pattern"
                )


def test_license_is_an_spdx_expression_with_its_file() -> None:
    project = PYPROJECT["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


def test_the_wheel_builds_without_warnings_and_holds_every_file(tmp_path: Path) -> None:
    """What `pip install -e .` prints on a first run: setuptools' warnings, which this build shows too."""
    source = tmp_path / "src"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("pyproject.toml", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    for name in ("shared", "services"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    dist = tmp_path / "dist"
    # The venv's (locked) setuptools, as `make` installs the project: no build isolation, no download.
    build = "import sys, setuptools.build_meta as b; print('WHEEL=' + b.build_wheel(sys.argv[1]))"
    result = subprocess.run(
        [sys.executable, "-W", "default", "-c", build, str(dist)],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        # Byte-compiling on, as pip builds (else distutils says it skips it, which is no warning of ours).
        env={
            **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            "PYTHONWARNINGS": "default",
        },
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    warnings = [
        line for line in output.splitlines() if re.search(r"warning|deprecat|absent from", line, re.I)
    ]
    assert warnings == [], "\n".join(warnings)
    wheel = dist / re.findall(r"^WHEEL=(.+)$", result.stdout, re.M)[-1]
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder_name, folder in package_folders().items():
        prefix = folder_name.replace(".", "/")
        for file in folder.iterdir():
            if file.is_file() and file.suffix != ".pyc":
                assert f"{prefix}/{file.name}" in names, f"{prefix}/{file.name} is not in the wheel"
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


# --- the lock files -------------------------------------------------------------------------------------
def pins(lock: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in lock.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)", line)
        if match:
            found[canonicalize_name(match.group(1))] = match.group(2)
    return found


def hashed(lock: Path) -> bool:
    """Every pin is followed by at least one `--hash=sha256:` line."""
    blocks = re.split(r"\n(?=[A-Za-z0-9])", lock.read_text())
    return all("--hash=sha256:" in block for block in blocks if "==" in block.split("\n", 1)[0])


def test_the_locks_pin_every_declared_dependency_within_its_range() -> None:
    runtime, dev = pins(LOCK), pins(DEV_LOCK)
    assert hashed(LOCK) and hashed(DEV_LOCK)
    declared = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
    dev_declared = [Requirement(r) for r in PYPROJECT["project"]["optional-dependencies"]["dev"]]
    for requirement in declared:
        name = canonicalize_name(requirement.name)
        assert name in runtime, f"{name} is not in requirements.lock: run `make lock`"
        assert requirement.specifier.contains(runtime[name], prereleases=True), (name, runtime[name])
    for requirement in [*declared, *dev_declared]:
        name = canonicalize_name(requirement.name)
        assert name in dev, f"{name} is not in requirements-dev.lock: run `make lock`"
        assert requirement.specifier.contains(dev[name], prereleases=True), (name, dev[name])
    # The image runs what the tests ran.
    assert {name: dev[name] for name in runtime} == runtime
    assert not set(dev) & {"uv", "pip"}


def test_private_api_libraries_are_bounded_and_linters_pinned() -> None:
    declared = {
        canonicalize_name(r.name): r
        for r in map(
            Requirement,
            [*PYPROJECT["project"]["dependencies"], *PYPROJECT["project"]["optional-dependencies"]["dev"]],
        )
    }
    for name in ("aiosqlite", "sqlalchemy", "starlette"):
        assert any(spec.operator in {"<", "<=", "=="} for spec in declared[name].specifier), name
    for name in ("ruff", "mypy"):
        assert [spec.operator for spec in declared[name].specifier] == ["=="], name


def test_make_installs_from_the_lock_and_reinstalls_when_it_changes() -> None:
    makefile = (ROOT / "Makefile").read_text()
    stamp = re.search(r"^\$\(STAMP\):(.*)\n((?:\t.*\n)+)", makefile, re.M)
    assert stamp, "the Makefile has no $(STAMP) rule"
    prerequisites, recipe = stamp.group(1).split(), stamp.group(2)
    assert {"pyproject.toml", "$(DEV_LOCK)"} <= set(prerequisites)
    assert re.search(r"^DEV_LOCK := requirements-dev\.lock$", makefile, re.M)
    assert "--require-hashes -r $(DEV_LOCK)" in recipe
    assert re.search(r"pip install .*--no-deps .*-e \.", recipe)
    assert "make test" in (ROOT / ".ci" / "run").read_text()
