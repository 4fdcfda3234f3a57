"""Reading built PDFs back as a teacher at the copier would: each character with its box and
size, each page's lines of text, the horizontal rules drawn on a page, and which files are
documents (rather than class sets joined from them)."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .conftest import MM, run

SPACES = re.compile(r"[\u00a0\u202f\u2009\u2005\u2006\u200a ]+")


@dataclass(frozen=True)
class Char:
    text: str
    left: float  # points from the page's left edge
    bottom: float  # points from the page's bottom edge
    right: float
    top: float
    size: float  # font size in points


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    width: float
    height: float
    chars: list[Char]
    text: str  # lines separated by "\n", every kind of space as " "
    flow: str  # the text as pdfium reads it, one character per index of `sizes` and `bottoms`
    sizes: list[float]
    bottoms: list[float]

    def wraps(self, start: int, end: int) -> bool:
        """Whether the line break within flow[start:end] is a paragraph's line wrapping (the
        same size of type, the next line just below), not the end of a row or a heading."""
        inside = [i for i in range(start, end) if self.flow[i] in "\r\n"]
        if not inside:
            return False
        before = next((i for i in range(inside[0] - 1, -1, -1) if self.flow[i].strip()), None)
        after = next((i for i in range(inside[-1] + 1, len(self.flow)) if self.flow[i].strip()),
                     None)
        if before is None or after is None:
            return False
        size = self.sizes[before]
        drop = self.bottoms[before] - self.bottoms[after]
        return abs(self.sizes[after] - size) < 0.3 and 0.8 * size < drop < 1.7 * size


def pages(path: Path) -> Iterator[Page]:
    """Every page of a PDF with its characters (pdfium: what a viewer would select)."""
    document = pdfium.PdfDocument(path)
    try:
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            chars, flow, sizes, bottoms = [], [], [], []
            for i in range(textpage.count_chars()):
                char = textpage.get_text_range(i, 1)
                left, bottom, right, top = textpage.get_charbox(i)
                size = pdfium_c.FPDFText_GetFontSize(textpage.raw, i)
                flow.append(char[:1] or " ")
                sizes.append(size)
                bottoms.append(bottom)
                if char.strip():
                    chars.append(Char(char, left, bottom, right, top, size))
            text = SPACES.sub(" ", textpage.get_text_range()).replace("\r\n", "\n")
            width, height = page.get_size()
            yield Page(index + 1, width, height, chars, text, "".join(flow), sizes, bottoms)
    finally:
        document.close()


def flat(text: str) -> str:
    """Text with its lines and spaces run together, for finding a phrase that wraps."""
    return SPACES.sub(" ", text.replace("\n", " "))


def documents(output: Path) -> list[Path]:
    """Every PDF a build typeset, not the class sets and packets joined from them."""
    return sorted(p for p in output.rglob("*.pdf")
                  if p.name != "class-set.pdf" and not (p.parts[-4:-3] == ("packets",)
                                                        and p.parent.name == "students"))


def rules_y(path: Path, page: int, min_width_mm: float = 30.0) -> list[float]:
    """The y (points from the top) of every horizontal rule on a page at least this wide,
    found in its pixels (however the PDF draws it)."""
    scale = 2.0  # 144 dpi
    document = pdfium.PdfDocument(path)
    try:
        image = document[page - 1].render(scale=scale).to_pil().convert("L")
    finally:
        document.close()
    width, height = image.size
    pixels = image.load()
    need = min_width_mm * MM * scale
    found: list[float] = []
    for y in range(height):
        run_length = best = 0
        for x in range(0, width, 2):
            run_length = run_length + 2 if pixels[x, y] < 200 else 0
            best = max(best, run_length)
        if best >= need and (not found or y / scale - found[-1] > 2):
            found.append(y / scale)
    return found


def shared_build(tmp_path_factory: object, name: str,
                 make: Callable[[Path], None]) -> Path:
    """A project made by `make` and built once for all test workers (they share a folder)."""
    base = tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]
    if os.environ.get("PYTEST_XDIST_WORKER"):  # each worker has a folder in the session's
        base = base.parent
    root = base / name
    with (base / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "built").exists():
            shutil.rmtree(root, ignore_errors=True)
            make(root)
            result = run("build", str(root))
            assert result.exit_code == 0, result.output
            (root / "built").touch()
    return root / "output"
