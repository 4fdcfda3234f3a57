"""Pictures of built pages for the browser (pypdfium2), kept on disk under the PDF's hash, so
a page is drawn once for as long as its PDF stays the same."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

from ..products import raster

WIDTHS = {"thumb": 360, "page": 1100}  # pixels: a thumbnail, a page at about 130 dpi


class PageImages:
    """PNG pictures of PDF pages, cached in `folder` by the PDF's sha256, page and size."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()  # PDFium may be used by one thread at a time

    def _path(self, sha: str, index: int, size: str) -> Path:
        return self.folder / sha[:2] / f"{sha}-{index}-{size}.png"

    def png(self, pdf: Path, sha: str, index: int, size: str) -> bytes | None:
        """Page `index` (0-based) of `pdf` as a PNG, or None when the file there no longer has
        the hash `sha` (a newer build replaced it) or has no such page."""
        target = self._path(sha, index, size)
        with contextlib.suppress(OSError):
            return target.read_bytes()
        with self._lock:
            with contextlib.suppress(OSError):
                return target.read_bytes()  # drawn while this request waited
            try:
                data = pdf.read_bytes()
            except OSError:
                return None
            if hashlib.sha256(data).hexdigest() != sha:
                return None
            try:
                picture = raster.draw(data, [index], width=WIDTHS[size])[0]
            except (raster.PdfError, IndexError, ValueError):
                return None
        out = io.BytesIO()
        picture.save(out, format="PNG", compress_level=6)
        png = out.getvalue()
        _store(target, png)
        return png

    def prune(self, keep: Iterable[str]) -> int:
        """Remove the pictures of PDFs no build shows any more; returns how many."""
        wanted = set(keep)
        removed = 0
        for path in self.folder.glob("*/*.png") if self.folder.is_dir() else ():
            if path.name.split("-", 1)[0] not in wanted:
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed += 1
        return removed


def _store(target: Path, data: bytes) -> None:
    """Write a picture so that no reader ever sees half of it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
