"""The only code that touches output/: staged atomic writes, the manifest, joined class sets."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from pypdf import PdfReader, PdfWriter

MANIFEST = "manifest.json"


def join_pdfs(parts: list[bytes], duplex: bool) -> tuple[bytes, int]:
    """Join PDFs in order; with duplex, a blank page after each odd-length part."""
    writer = PdfWriter()
    for data in parts:
        reader = PdfReader(io.BytesIO(data))
        for page in reader.pages:
            writer.add_page(page)
        if duplex and len(reader.pages) % 2:
            box = reader.pages[-1].mediabox
            writer.add_blank_page(width=box.width, height=box.height)
    writer.add_metadata({"/Producer": "takehome"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue(), len(writer.pages)


@dataclass(frozen=True)
class OutputFile:
    """A finished file and its manifest entry."""

    path: str  # relative to the output folder, posix
    data: bytes
    entry: Mapping[str, Any]


def _safe_target(root: Path, relative: str) -> Path:
    rel = PurePosixPath(relative)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise ValueError(f"refusing to write outside the output folder: {relative!r}")
    return root.joinpath(*rel.parts)


def read_manifest(root: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
        return list(data["documents"])
    except (OSError, ValueError, KeyError, TypeError):
        return []


def commit(root: Path, files: list[OutputFile], replaces: set[str] | None = None) -> None:
    """Write `files` under `root` so that a failure leaves the previous output as it was.

    Every file is first written in full beside its target; only when all are on disk are they
    renamed into place (renames are atomic and need no space), and the manifest goes last.
    `replaces`: documents this build rebuilt; other documents of the old manifest are kept.
    """
    paths = [f.path for f in files]
    if len(set(paths)) != len(paths):
        dupes = sorted({p for p in paths if paths.count(p) > 1})
        raise ValueError(f"two documents would write the same file: {', '.join(dupes)}")
    old = read_manifest(root)
    kept = [e for e in old if replaces is not None and e.get("document") not in replaces
            and e.get("path") not in paths]
    entries = kept + [dict(f.entry, path=f.path) for f in files]
    entries.sort(key=lambda e: e["path"])
    manifest = json.dumps({"documents": entries}, indent=2, ensure_ascii=False) + "\n"
    staged: list[tuple[Path, Path]] = []
    try:
        for relative, data in [*((f.path, f.data) for f in files),
                               (MANIFEST, manifest.encode("utf-8"))]:
            target = _safe_target(root, relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
            staged.append((Path(tmp), target))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
    except BaseException:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise
    for tmp, target in staged:
        os.replace(tmp, target)
    wanted = {e["path"] for e in entries}
    for entry in old:
        if entry.get("path") not in wanted:
            with contextlib.suppress(OSError, ValueError):
                _safe_target(root, entry["path"]).unlink()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
