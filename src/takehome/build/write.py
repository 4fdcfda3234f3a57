"""Stage: write. The only code that touches output/: staged atomic writes, the manifest, and
class sets joined from their parts as they are written."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, BinaryIO

from ..errors import BuildError, Problem
from .digest import key_of, sha256
from .join import join_pdfs
from .plan import Assembly, File, Plan

if TYPE_CHECKING:
    from .incremental import Cache, Cached

MANIFEST = "manifest.json"


def _file_mode() -> int:
    """What open() would give a new file: mkstemp makes 0600, too private for a shared folder."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


FILE_MODE = _file_mode()


def _safe_target(root: Path, relative: str) -> Path:
    rel = PurePosixPath(relative)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise ValueError(f"refusing to write outside the output folder: {relative!r}")
    return root.joinpath(*rel.parts)


def read_manifest(root: Path, name: str = MANIFEST) -> list[dict[str, Any]]:
    try:
        data = json.loads((root / name).read_text(encoding="utf-8"))
        return list(data["documents"])
    except (OSError, ValueError, KeyError, TypeError):
        return []


class Writer:
    """Writes output so that a failed or killed build leaves the previous output as it was.

    `add` writes each file in full to a temporary name beside its target as soon as it is
    ready (so memory stays bounded); `commit` renames them all into place (renames are atomic
    and need no space) and writes the manifest last. `abort` removes the temporary files.
    """

    def __init__(self, root: Path, manifest: str = MANIFEST) -> None:
        self.root = root
        self.manifest = manifest
        self.old = read_manifest(root, manifest)
        self.published = {e.get("path"): e.get("sha256") for e in self.old}
        for stale in root.rglob(".tmp-*") if root.is_dir() else ():
            stale.unlink(missing_ok=True)  # left by a build that was killed before it finished
        self.entries: dict[str, dict[str, Any]] = {}
        self.staged: list[tuple[Path, Path]] = []

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
        target = _safe_target(self.root, path)
        self.entries[path] = dict(entry, sha256=digest, path=path)
        if self.published.get(path) == digest and target.is_file() and \
                target.stat().st_size == size:
            return  # unchanged since the last build: leave the file (and its date) alone
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        os.fchmod(fd, FILE_MODE)
        self.staged.append((Path(tmp), target))
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())

    def commit(self, replaces: set[str] | None = None) -> None:
        """Put everything in place. `replaces`: documents rebuilt (None: all of them)."""
        kept = [e for e in self.old if replaces is not None and e.get("document") not in replaces
                and e.get("path") not in self.entries]
        entries = sorted([*kept, *self.entries.values()], key=lambda e: e["path"])
        text = json.dumps({"documents": entries}, indent=2, ensure_ascii=False) + "\n"
        self._stage_manifest(text.encode("utf-8"))
        for tmp, target in self.staged:
            os.replace(tmp, target)
        self.staged = []
        wanted = {e["path"] for e in entries}
        for entry in self.old:
            if entry.get("path") not in wanted:
                with contextlib.suppress(OSError, ValueError):
                    _safe_target(self.root, entry["path"]).unlink()

    def _stage_manifest(self, data: bytes) -> None:
        target = self.root / self.manifest
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.root)
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        self.staged.append((Path(tmp), target))

    def abort(self) -> None:
        for tmp, _ in self.staged:
            with contextlib.suppress(OSError):
                tmp.unlink()
        self.staged = []


@dataclass
class Written:
    files: int = 0
    pages: int = 0


def write(plan: Plan, entries: Mapping[str, Cached], files: Mapping[str, bytes], cache: Cache,
          output: Path, replaces: set[str] | None) -> Written:
    """Join class sets and write every file of `plan` into `output` through the staged writer.
    `replaces`: the documents this build remade (None: all; the others' files are kept)."""
    writer = Writer(output, MANIFEST)
    written = Written()
    try:
        for step in plan.steps:
            entry = {"kind": step.kind, "document": step.document, "language": step.lang,
                     "paper": step.paper, "sources": list(step.sources)}
            if isinstance(step, File):
                writer.add_data(step.output, files[step.output], {**entry, "pages": 0})
                written.files += 1
                continue
            made = (_joined(step, entries, cache) if isinstance(step, Assembly)
                    else entries[step.output])
            writer.add(step.output, made.sha256, cache.path(made), {**entry, "pages": made.pages})
            written.files += 1
            written.pages += made.pages
        writer.commit(replaces)
    except OSError as exc:
        writer.abort()
        where = Path(exc.filename) if exc.filename else None
        raise BuildError([Problem(f"could not write the output: {exc.strerror or exc}; the "
                                  "previous output is unchanged", where)]) from None
    except BaseException:
        writer.abort()
        raise
    return written


def _joined(step: Assembly, entries: Mapping[str, Cached], cache: Cache) -> Cached:
    """An assembly's joined PDF, from the cache or joined now (and cached)."""
    parts = [entries[p] for p in step.parts]
    backs = [p in step.backs for p in step.parts]
    key = key_of("join", str(step.duplex), step.title, step.lang, str(backs),
                 *(p.sha256 for p in parts))
    hit = cache.get(key)
    if hit is not None:
        return hit[0]
    return cache.put_file(key, partial(join_pdfs, [cache.path(p) for p in parts], step.duplex,
                                       title=step.title, lang=step.lang, backs=backs))
