"""Stage: write. The only code that touches output/: staged atomic writes under a lock, the
manifest, a record of what was written, and class sets joined from their parts as they are
written."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from ..errors import BuildError, Problem, display_path
from .classsets import join_ahead, joined, lenders
from .commit import (
    MANIFEST,
    TEMPORARY,
    OutputProblem,
    lock,
    lstat_or_none,
    read_manifest,
    real_folder,
    replace_all,
    safe_target,
)
from .digest import file_sha256, key_of, learn, sha256
from .plan import Assembly, File, Plan

if TYPE_CHECKING:
    from .incremental import Cache, Cached
    from .typeset import Workers

log = logging.getLogger(__name__)

def _file_mode() -> int:
    """What open() would give a new file: mkstemp makes 0600, too private for a shared folder."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


FILE_MODE = _file_mode()


def output_key(output: Path, project: Path) -> str:
    """The output folder as a project's record names it: relative to the project when inside
    it, so that a project moved elsewhere still knows what it wrote."""
    try:
        return "project:" + output.resolve().relative_to(project.resolve()).as_posix()
    except ValueError:
        return str(output.resolve())


def record_path(records: Path, output: Path, project: Path) -> Path:
    """Where a project keeps what it wrote into `output` (in its own cache folder)."""
    return records / f"{key_of(output_key(output, project))[:24]}.json"


class Writer:
    """Writes output so that a failed or killed build leaves the previous output as it was.

    `add` writes each file in full to a temporary name beside its target as soon as it is
    ready (so memory stays bounded); `commit` renames them all into place (renames are atomic
    and need no space), the manifest last, and puts every file back if one cannot be renamed.
    One writer holds the output folder's lock from start to end. It never follows a symbolic
    link, and deletes only files that its record says this project wrote there and that are
    still what it wrote. `abort` removes the temporary files.
    """

    def __init__(self, root: Path, manifest: str = MANIFEST, *, records: Path, project: Path,
                 trusted: Path | None = None, lock_in: Path | None = None) -> None:
        self.root, self.manifest = root, manifest
        self.trusted = trusted or root
        self.trusted.mkdir(parents=True, exist_ok=True)  # the folder the user chose
        real_folder(self.trusted, root)
        self.entries: dict[str, dict[str, Any]] = {}
        self.published: dict[str, str] = {}  # once committed: what it wrote or found (sha256)
        self.staged: list[tuple[Path, Path]] = []
        self._folders: set[Path] = set()  # folders staged into, checked once (real_folder)
        self.lock = lock(real_folder(self.trusted, lock_in) if lock_in else root)
        try:
            self.key = output_key(root, project)
            self.record = record_path(records, root, project)
            self.written = self._read_record()
            self.old = read_manifest(root, manifest)
            self._remove_temporary()  # left by a build that was killed before it finished
        except BaseException:
            self.close()
            raise

    def _read_record(self) -> dict[str, str]:
        try:
            data = json.loads(self.record.read_text(encoding="utf-8"))
            if data.get("output") == self.key:
                return {str(k): str(v) for k, v in data["files"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass
        return {}

    def _remove_temporary(self) -> None:
        for top, _dirs, names in os.walk(self.root):  # never descends into a linked folder
            for name in names:
                path = Path(top, name)
                info = lstat_or_none(path)
                if name.startswith(TEMPORARY) and info and stat.S_ISREG(info.st_mode):
                    path.unlink(missing_ok=True)

    def add(self, path: str, digest: str, source: Path, entry: Mapping[str, Any]) -> None:
        """Stage the file at `source` (its sha256 is `digest`) to be published as `path`."""
        def copy(out: BinaryIO) -> None:
            with source.open("rb") as fh:
                shutil.copyfileobj(fh, out)

        self._stage(path, digest, source.stat().st_size, copy, entry)

    def add_data(self, path: str, data: bytes, entry: Mapping[str, Any]) -> None:
        """Stage bytes made in memory (a web page) to be published as `path`."""
        self._stage(path, sha256(data), len(data), lambda out: out.write(data), entry)

    def _stage(self, path: str, digest: str, size: int, write: Callable[[BinaryIO], object],
               entry: Mapping[str, Any]) -> None:
        if path in self.entries:
            raise ValueError(f"two documents would write the same file: {path}")
        target = safe_target(self.root, path)
        self.entries[path] = dict(entry, sha256=digest, path=path)
        folder = target.parent
        if folder not in self._folders:  # a class's copies share a folder: checked once
            self._folders.add(real_folder(self.trusted, folder))
        info = lstat_or_none(target)
        if info is not None and not stat.S_ISREG(info.st_mode):
            kind = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "not a file"
            raise OutputProblem(f"{display_path(target)} is {kind}; takehome never writes "
                                "through one: remove it", target)
        # A file this project last wrote with other bytes is written again without reading
        # it first (a class set is tens of MB): only one that may already be as this build
        # would write it is read, and left alone (and its date) if it is.
        if info is not None and info.st_size == size and self.written.get(path, digest) == \
                digest and file_sha256(target) == digest:
            return
        fd, tmp = tempfile.mkstemp(prefix=TEMPORARY, dir=folder)
        os.fchmod(fd, FILE_MODE)
        self.staged.append((Path(tmp), target))
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())

    def commit(self, replaces: set[str] | None = None) -> None:
        """Put everything in place. `replaces`: documents rebuilt (None: all of them)."""
        try:
            kept = [e for e in self.old if replaces is not None and
                    e.get("document") not in replaces and e.get("path") not in self.entries]
            entries = sorted([*kept, *self.entries.values()], key=lambda e: e["path"])
            manifest = (json.dumps({"documents": entries}, indent=2, ensure_ascii=False)
                        + "\n").encode("utf-8")
            try:
                self._stage_manifest(manifest)
            except OSError as exc:
                self.abort()
                raise OutputProblem(f"could not write the output: {exc.strerror or exc}; the "
                                    "previous output is unchanged") from None
            except BaseException:
                self.abort()
                raise
            staged, self.staged = self.staged, []
            replace_all(staged)
            made = {p: e["sha256"] for p, e in self.entries.items()}
            self.published = {**made, self.manifest: sha256(manifest)}
            for _tmp, target in staged:  # renamed whole: the next build need not read them
                learn(target, "sha256", self.published[target.relative_to(self.root).as_posix()])
            wanted = {e["path"] for e in entries}
            self._save_record({**{p: d for p, d in self.written.items() if p in wanted}, **made})
            for path, digest in self.written.items():
                if path not in wanted:
                    self._remove(path, digest)
        finally:
            self.close()

    def _save_record(self, written: dict[str, str]) -> None:
        data = json.dumps({"output": self.key, "files": written}).encode()
        try:
            self.record.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=TEMPORARY, dir=self.record.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, self.record)
        except OSError as exc:
            log.warning("the output was written, but what was written could not be recorded "
                        "(%s): the next build will leave files this one made", exc)
        for other in self.record.parent.glob("*.json"):  # folders gone (a package's staging)
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError, AttributeError):
                folder = str(json.loads(other.read_text(encoding="utf-8"))["output"])
                if not folder.startswith("project:") and not Path(folder).exists():
                    other.unlink()

    def _remove(self, path: str, digest: str) -> None:
        """Delete a file an earlier build wrote, if it is still what that build wrote."""
        with contextlib.suppress(OSError, ValueError, OutputProblem):
            target = safe_target(self.root, path)
            real_folder(self.trusted, target.parent, create=False)
            info = lstat_or_none(target)
            if info is not None and stat.S_ISREG(info.st_mode) and \
                    file_sha256(target) == digest:
                target.unlink()

    def _stage_manifest(self, data: bytes) -> None:
        target = self.root / self.manifest
        info = lstat_or_none(target)
        if info is not None and not stat.S_ISREG(info.st_mode):
            raise OutputProblem(f"{display_path(target)} is not a file; remove it", target)
        fd, tmp = tempfile.mkstemp(prefix=TEMPORARY, dir=self.root)
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        self.staged.append((Path(tmp), target))

    def abort(self) -> None:
        for tmp, _ in self.staged:
            with contextlib.suppress(OSError):
                tmp.unlink()
        self.staged = []
        self.close()

    def close(self) -> None:
        self.lock.release()


@dataclass
class Written:
    files: int = 0
    pages: int = 0
    # Each file this build wrote or found as it would write it, and the manifest: its sha256
    # (the build record need not read back the tens of MB of a class set it has just written)
    digests: dict[str, str] = field(default_factory=dict)


def write(plan: Plan, entries: Mapping[str, Cached], files: Mapping[str, bytes], cache: Cache,
          output: Path, replaces: set[str] | None, *, project: Path,
          trusted: Path | None = None, workers: Workers | None = None) -> Written:
    """Join class sets and write every file of `plan` into `output` through the staged writer.
    `replaces`: the documents this build remade (None: all; the others' files are kept).
    `trusted`: the folder the user chose, from which down to `output` no link is followed.
    `workers`: the build's typesetting processes, which join the class sets it lacks."""
    writer = Writer(output, MANIFEST, records=cache.root / "written", project=project,
                    trusted=trusted)
    written = Written()
    try:
        assemblies = [s for s in plan.steps if isinstance(s, Assembly)]
        lending = lenders(assemblies)
        join_ahead(assemblies, entries, cache, workers, lending)
        for step in plan.steps:
            entry = {"kind": step.kind, "document": step.document, "title": step.title,
                     "part": step.part, "language": step.lang, "paper": step.paper,
                     "student": step.student, "personal": step.personal,
                     "sources": list(step.sources)}
            if isinstance(step, File):
                writer.add_data(step.output, files[step.output], {**entry, "pages": 0})
                written.files += 1
                continue
            made = (joined(step, entries, cache, lending[step.output])
                    if isinstance(step, Assembly)
                    else entries[step.output])
            writer.add(step.output, made.sha256, cache.path(made), {**entry, "pages": made.pages})
            written.files += 1
            written.pages += made.pages
    except OSError as exc:
        writer.abort()
        where = Path(exc.filename) if exc.filename else None
        raise BuildError([Problem(f"could not write the output: {exc.strerror or exc}; the "
                                  "previous output is unchanged", where)]) from None
    except BaseException:
        writer.abort()
        raise
    writer.commit(replaces)
    written.digests = writer.published
    return written
