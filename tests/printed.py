"""Reading built PDFs back as a teacher at the copier would: each character with its box and
size, each page's lines of text, the horizontal rules drawn on a page, and which files are
documents (rather than class sets joined from them)."""

from __future__ import annotations

import fcntl
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


def pages(path: Path) -> Iterator[Page]:
    """Every page of a PDF with its characters (pdfium: what a viewer would select)."""
    document = pdfium.PdfDocument(path)
    try:
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            chars = []
            for i in range(textpage.count_chars()):
                char = textpage.get_text_range(i, 1)
                if not char.strip():
                    continue
                left, bottom, right, top = textpage.get_charbox(i)
                size = pdfium_c.FPDFText_GetFontSize(textpage.raw, i)
                chars.append(Char(char, left, bottom, right, top, size))
            text = SPACES.sub(" ", textpage.get_text_range()).replace("\r\n", "\n")
            width, height = page.get_size()
            yield Page(index + 1, width, height, chars, text)
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
    base = tmp_path_factory.getbasetemp().parent  # type: ignore[attr-defined]
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
