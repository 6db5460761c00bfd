"""Every Python package in the tree is listed for the wheel the Docker images install."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_is_in_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    mapping = {Path(path): name for name, path in config["package-dir"].items()}
    found = set()
    for init in ROOT.glob("**/__init__.py"):
        folder = init.parent.relative_to(ROOT)
        if folder.parts[0] not in ("shared", "services"):
            continue
        for root, name in mapping.items():
            if folder == root or root in folder.parents:
                found.add(".".join([name, *folder.relative_to(root).parts]))
                break
        else:
            found.add(".".join(folder.parts))
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
