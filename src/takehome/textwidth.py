"""How wide a text is set in the theme's font, and how many lines it takes in a column: for kinds
that plan a page in Python before it is laid out (how much writing room the intake's last page
has). The font's own advance widths (from the pinned font package), a little generous so that
what we think fits does fit."""

from __future__ import annotations

from functools import cache, lru_cache

import fontpkg
from fontTools.ttLib import TTFont

from . import fonts

PT_MM = 25.4 / 72
SAFETY = 1.03  # kerning and rounding aside, a word is never narrower than this thinks
FALLBACK_EM = 0.62  # a character the theme's font lacks (set in a wider fallback)


@cache
def _advances(family: str, bold: bool) -> tuple[dict[int, float], float]:
    """Each character's advance in em, and the space's, for one weight of `family`."""
    files = [f for f in fontpkg.family(family).files if f.style == "normal"]
    weight = 700 if bold else 400
    chosen = min(files, key=lambda f: abs((f.weight or 400) - weight))
    with TTFont(chosen.path, lazy=True) as font:
        units = font["head"].unitsPerEm
        metrics = font["hmtx"].metrics
        cmap = font.getBestCmap() or {}
        widths = {code: metrics[name][0] / units for code, name in cmap.items() if name in metrics}
    scale = 1.0 if chosen.weight is not None or not bold else 1.06  # a variable file's default
    return {c: w * scale for c, w in widths.items()}, widths.get(32, 0.25) * scale


@lru_cache(maxsize=8192)  # the same questions and words on every family's sheet
def width_mm(text: str, size_pt: float, font: str, bold: bool = False, lang: str = "") -> float:
    """The width of `text` on one line, each word in the font that sets it in a document in
    `lang` (fonts.document_stack: Vietnamese in the family that has all its letters; a word
    with a letter the first family lacks, whole in one that has it; Arabic in its own)."""
    families = fonts.document_stack(lang, font) if lang else fonts.stack(font)
    ems = 0.0
    for i, word in enumerate(text.split(" ")):
        whole = fonts.word_family(word, families)
        for c in word:
            family = whole or fonts.drawn_by(c, families) or families[0]
            ems += _advances(family, bold)[0].get(ord(c), FALLBACK_EM)
        if i:
            ems += _advances(families[0], bold)[1]
    return ems * size_pt * PT_MM * SAFETY


def line_count(text: str, column_mm: float, size_pt: float, font: str,
               bold: bool = False, lang: str = "") -> int:
    """How many lines `text` takes in a column `column_mm` wide, broken between words."""
    return runs_line_count([(text, bold)], column_mm, size_pt, font, lang)


def runs_line_count(runs: list[tuple[str, bool]], column_mm: float, size_pt: float, font: str,
                    lang: str = "") -> int:
    """As line_count, for a text of runs, each in bold or not ("Mon, Aug 24 – First day")."""
    families = fonts.document_stack(lang, font) if lang else fonts.stack(font)
    lines, used = 1, 0.0
    for word, bold in ((w, bold) for text, bold in runs for w in text.split()):
        space = _advances(families[0], bold)[1] * size_pt * PT_MM * SAFETY
        size = width_mm(word, size_pt, font, bold, lang)
        if used and used + space + size > column_mm:
            lines += 1
            used = 0.0
        while size > column_mm:  # a word longer than the column breaks anywhere
            lines += 1
            size -= column_mm
        used += (space if used else 0.0) + size
    return lines
