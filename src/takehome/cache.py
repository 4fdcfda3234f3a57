"""The build cache: typeset PDFs stored under a content hash of everything they depend on."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .plan import Typeset

CACHE_DIR = ".takehome-cache"
FORMAT = "1"  # bump when the layout of entries changes


@dataclass
class Entry:
    """A cached PDF's facts, kept in memory while its bytes stay on disk."""

    key: str
    pages: int
    sha256: str


class Cache:
    """Content-addressed PDFs; an entry that does not verify is discarded, never trusted."""

    def __init__(self, root: Path) -> None:
        self.root = root / CACHE_DIR / f"v{FORMAT}"
        self.discarded: list[str] = []

    def _paths(self, key: str) -> tuple[Path, Path]:
        folder = self.root / key[:2]
        return folder / f"{key}.pdf", folder / f"{key}.json"

    def get(self, key: str) -> tuple[Entry, list[str]] | None:
        """The entry and its recorded warnings, or None when absent or corrupt."""
        pdf_path, meta_path = self._paths(key)
        if not meta_path.exists():
            return None
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if file_sha256(pdf_path) != meta["sha256"] or meta["key"] != key:
                raise ValueError("checksum mismatch")
            entry = Entry(key, int(meta["pages"]), meta["sha256"])
            return entry, [str(w) for w in meta.get("warnings", [])]
        except (OSError, ValueError, KeyError, TypeError):
            self.discarded.append(key)
            for path in (pdf_path, meta_path):
                with contextlib.suppress(OSError):
                    path.unlink()
            return None

    def put(self, key: str, result: Typeset) -> Entry:
        """Store a typeset PDF (the metadata file last, so a half-written entry never verifies)."""
        def write(path: Path) -> int:
            path.write_bytes(result.pdf)
            return result.pages

        return self.put_file(key, write, result.warnings)

    def put_file(self, key: str, write: Callable[[Path], int],
                 warnings: list[str] | None = None) -> Entry:
        """Store a PDF that `write` writes to the path it is given (returning its page count),
        so that a large one never has to be held in memory; the metadata file goes last."""
        pdf_path, meta_path = self._paths(key)
        pdf_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=pdf_path.parent)
        os.close(fd)
        try:
            pages = write(Path(tmp))
            digest = file_sha256(Path(tmp))
            os.replace(tmp, pdf_path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        meta = {"key": key, "pages": pages, "sha256": digest, "warnings": warnings or []}
        _atomic_write(meta_path, json.dumps(meta).encode("utf-8"))
        return Entry(key, pages, digest)

    def last_build(self, key: str) -> dict[str, Any] | None:
        """What the last build with these options recorded (see pipeline.build), if anything."""
        try:
            record = json.loads((self.root / "builds" / f"{key}.json").read_text("utf-8"))
            return record if isinstance(record, dict) else None
        except (OSError, ValueError):
            return None

    def record_build(self, key: str, record: dict[str, Any]) -> None:
        (self.root / "builds").mkdir(parents=True, exist_ok=True)
        _atomic_write(self.root / "builds" / f"{key}.json", json.dumps(record).encode("utf-8"))

    def path(self, entry: Entry) -> Path:
        return self._paths(entry.key)[0]

    def read(self, entry: Entry) -> bytes:
        return self.path(entry).read_bytes()

    def clear(self) -> None:
        shutil.rmtree(self.root.parent, ignore_errors=True)


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def file_sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def key_of(*parts: str | bytes) -> str:
    """A content hash of the parts, in order."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()
