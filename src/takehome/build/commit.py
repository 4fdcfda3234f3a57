"""The safe part of writing output: folders reached without following a link, one writer per
folder (a lock), and staged files renamed into place with the previous ones put back if one
cannot be (so a failure leaves output/ as it was, or says exactly what changed)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import stat
import tempfile
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from .. import files
from ..errors import BuildError, Problem, display_path

if TYPE_CHECKING:
    from filelock import FileLock

log = logging.getLogger(__name__)

LOCK = ".takehome.lock"  # in the output folder: one build writes it at a time
LOCK_WAIT_SECONDS = 300.0
TEMPORARY = ".tmp-"
MANIFEST = "manifest.json"
MAX_MANIFEST_BYTES = 50_000_000



class OutputProblem(BuildError):
    """The output folder cannot be written safely (a link in it, another build, a failed commit);
    the message says what state it is in."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__([Problem(message, path)])

    def report(self) -> str:
        return str(self.problems[0])


def lstat_or_none(path: Path) -> os.stat_result | None:
    try:
        return path.lstat()
    except FileNotFoundError:
        return None


def real_folder(trusted: Path, folder: Path, create: bool = True) -> Path:
    """`folder` (inside `trusted`, the folder the user chose), made if missing, with no symbolic
    link and nothing but folders on the way from `trusted`: a link is never followed."""
    path = trusted
    for part in (folder.relative_to(trusted).parts if folder != trusted else ()):
        path = path / part
        info = lstat_or_none(path)
        if info is None and create:
            with contextlib.suppress(FileExistsError):
                path.mkdir()
            info = lstat_or_none(path)
        if info is not None and stat.S_ISLNK(info.st_mode):
            raise OutputProblem(f"{display_path(path)} is a symbolic link; takehome never "
                                "writes through one: remove it (or choose another folder "
                                "with --output)", path)
        if info is not None and not stat.S_ISDIR(info.st_mode):
            raise OutputProblem(f"{display_path(path)} is not a folder; remove it", path)
    return folder


def lock(root: Path) -> FileLock:
    """The output folder's lock: a second build waits for the first, then stops if it must."""
    from filelock import FileLock, Timeout  # only a build that writes needs it

    path = root / LOCK
    info = lstat_or_none(path)
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise OutputProblem(f"{display_path(path)} is not a plain file; remove it", path)
    lock = FileLock(path)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        log.warning("another takehome build is writing %s; waiting for it to finish",
                    display_path(root))
        try:
            lock.acquire(timeout=LOCK_WAIT_SECONDS)
        except Timeout:
            raise OutputProblem(
                f"another takehome build has been writing {display_path(root)} for more than "
                f"{LOCK_WAIT_SECONDS:.0f} s; nothing was written: build again once it has "
                "finished", root) from None
    return lock


def replace_all(staged: list[tuple[Path, Path]]) -> None:
    """Rename every staged file into place; if one cannot be, put back the ones already done."""
    done: list[tuple[Path, Path | None]] = []  # (target, its previous version, if any)
    current: Path | None = None
    try:
        for tmp, target in staged:
            current = target
            previous = _keep_previous(target)
            try:
                os.replace(tmp, target)
            except OSError:
                if previous is not None:
                    previous.unlink(missing_ok=True)
                raise
            done.append((target, previous))
    except OSError as exc:
        stuck = _put_back(done)
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                tmp.unlink()
        why = (f"{display_path(current) if current else 'a file'} could not be replaced "
               f"({exc.strerror or exc})")
        if not stuck:
            raise OutputProblem(f"{why}: nothing was changed, the previous output is as it was "
                                "(is the file open in another program?)", current) from None
        names = ", ".join(display_path(p) for p in stuck)
        raise OutputProblem(f"{why}, and {len(stuck)} file(s) already replaced could not be put "
                            f"back: {names} are new, every other file is as before; build "
                            "again once the file can be written", current) from None
    for _, previous in done:
        if previous is not None:
            with contextlib.suppress(OSError):
                previous.unlink()


def _keep_previous(target: Path) -> Path | None:
    """A second name for the file about to be replaced, so it can be put back (a hard link;
    a copy where the disk has none)."""
    if lstat_or_none(target) is None:
        return None
    fd, name = tempfile.mkstemp(prefix=TEMPORARY, dir=target.parent)
    os.close(fd)
    keep = Path(name)
    try:
        keep.unlink()
        os.link(target, keep)
    except OSError:
        shutil.copyfile(target, keep)
    return keep


def _put_back(done: list[tuple[Path, Path | None]]) -> list[Path]:
    """Undo renames, newest first; the files that could not be put back."""
    stuck = []
    for target, previous in reversed(done):
        try:
            if previous is None:
                target.unlink()
            else:
                os.replace(previous, target)
        except OSError:
            stuck.append(target)
    return stuck


def safe_target(root: Path, relative: str) -> Path:
    """`relative` (a manifest's path) under `root`; ValueError if it would lead outside."""
    rel = PurePosixPath(relative)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts or "\\" in relative:
        raise ValueError(f"refusing to write outside the output folder: {relative!r}")
    return root.joinpath(*rel.parts)


def read_manifest(root: Path, name: str = MANIFEST) -> list[dict[str, Any]]:
    """The manifest's entries (none if it is missing, unreadable, a link or too large)."""
    try:
        data = json.loads(files.read_bytes(root / name, root, MAX_MANIFEST_BYTES))
        return list(data["documents"])
    except (files.Refused, ValueError, KeyError, TypeError):
        return []


def published(root: Path) -> list[Path]:
    """The files the manifest lists that are where it says: a safe path inside `root`, reached
    without a link, a regular file (a planted manifest names nothing else)."""
    found = []
    folders: dict[Path, bool] = {}  # a class's files share a folder: checked once
    for entry in read_manifest(root):
        try:
            target = safe_target(root, str(entry.get("path", "")))
        except (ValueError, TypeError, AttributeError):
            continue
        if target.parent not in folders:
            try:
                folders[real_folder(root, target.parent, create=False)] = True
            except OutputProblem:
                folders[target.parent] = False
        if not folders[target.parent]:
            continue
        info = lstat_or_none(target)
        if info is not None and stat.S_ISREG(info.st_mode):
            found.append(target)
    return found
