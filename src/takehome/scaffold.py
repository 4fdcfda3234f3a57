"""`takehome new`: a fresh project with commented sample content to edit."""

from __future__ import annotations

import shutil
from pathlib import Path

from .errors import ContentError

STARTER = Path(__file__).parent / "starter"
GITIGNORE = "output/\ndist/\n.takehome-cache/\n"


def create(directory: Path) -> Path:
    """Copy the starter project into `directory`, which must be new or empty."""
    if directory.exists() and any(directory.iterdir()):
        raise ContentError(f"{directory} is not empty; choose a new folder")
    shutil.copytree(STARTER, directory, dirs_exist_ok=True)
    (directory / "templates").mkdir(exist_ok=True)
    (directory / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    return directory
