"""How many ruled rows a generic welcome sheet has for the school's dates, and how tall: the
rows fill the page from under the two columns down to the bottom margin, so that the space the
school's calendar dates would take is room to write them in, on Letter and A4 alike. And where
the school's key dates go on to their second column.

Heights follow templates/welcome/sheet.css and base.css, measured on the sheet as laid out;
text heights come from the font's own widths (textwidth), a little generous, so that a page
planned to fit does fit. Only a generic sheet is planned here: its teacher's and school's
values are writing lines of fixed height, and only the sheet's words wrap.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate

from ...paper import PageBox, Paper
from ...textwidth import line_count, runs_line_count

PT = 25.4 / 72
TITLE = (20 * 1.15 * PT, 2.0)  # h1: per line, margin below
BODY_LINE = 11.5 * 1.35 * PT
INTRO_GAP = 3.0  # under the intro
MAIN_MM = 118.1  # the main column without the closing: about, hopes, school, signature
CLOSING_GAP = 2.0 + 2.5  # above and below the closing
MAIN_SHARE = 0.56  # sheet.css .main
SIDE_SHARE, SIDE_PADDING = 0.40, 9.0  # sheet.css .side, its padding left and right
SIDE_MM = 46.5  # the side box without its headings and channels: padding, teacher, contacts
SIDE_HEADING = 13.5 * 1.35 * PT
CHANNEL = (7.0, 1.6)  # a channel's indent (its icon), and the gap under it
DATES_HEAD = 3.0 + 17.34  # the section's margin, rule, heading and the table's column heads
ROW_MM = 9.25  # a row: 9 mm and its rule
MAX_ROW_MM = 11.5  # rows are stretched to fill the page, up to this
RESERVE_MM = 2.5  # left free: rounding, and a word wider than measured
DATES_SHARE = 0.48  # sheet.css .dates ul: each of the key dates' two columns


@dataclass(frozen=True)
class Words:
    """The words of one edition of the sheet that wrap, as the planner needs them."""

    title: str
    intro: str
    closing: str
    reach: str  # the side box's heading ("How to reach me")
    answer: str  # the channels' heading ("Ways I answer best")
    channels: list[str]
    lang: str


@dataclass(frozen=True)
class Rows:
    """The ruled rows for the dates: how many, and how tall each (in mm)."""

    count: int
    height_mm: float


def columns_mm(words: Words, width: float, font: str) -> float:
    """The height of the two columns: the taller of the main column and the side box."""
    lang = words.lang
    main = MAIN_MM
    if words.closing:
        main += CLOSING_GAP + line_count(words.closing, width * MAIN_SHARE, 11.5, font,
                                         lang=lang) * BODY_LINE
    inner = width * SIDE_SHARE - SIDE_PADDING
    side = SIDE_MM + line_count(words.reach, inner, 13.5, font, True, lang) * SIDE_HEADING
    if words.channels:
        side += line_count(words.answer, inner, 11.5, font, True, lang) * BODY_LINE
        side += sum(line_count(c, inner - CHANNEL[0], 11.5, font, lang=lang) * BODY_LINE
                    + CHANNEL[1] for c in words.channels)
    return max(main, side)


def date_rows(words: Words, paper: Paper, font: str) -> Rows:
    """Rows for the dates under the columns, as many as fit, stretched to end at the bottom
    margin (none when not one fits: long texts, and the section is left out)."""
    width, height = PageBox(paper).content_mm
    used = line_count(words.title, width, 20, font, True, words.lang) * TITLE[0] + TITLE[1]
    if words.intro:
        used += line_count(words.intro, width, 11.5, font, lang=words.lang) * BODY_LINE
        used += INTRO_GAP
    used += columns_mm(words, width, font) + DATES_HEAD
    room = height - used - RESERVE_MM
    count = max(0, int(room // ROW_MM))
    if not count:
        return Rows(0, 0.0)
    pitch = min(MAX_ROW_MM, max(ROW_MM, room / count))
    return Rows(count, round(pitch - (ROW_MM - 9.0), 2))  # a cell's height, under its rule


def dates_split(items: list[tuple[str, str]], paper: Paper, font: str, lang: str) -> int:
    """How many of the key dates (each as its line prints it: its days in bold, its title) go
    in the first of two columns, as CSS columns would balance them (two lists side by side lay
    out in a fraction of the time balanced columns take: the sheet in 0.11 s instead of 0.21):
    the most even split whose first column is the taller, as CSS fills the first column first,
    unless that makes it more than a line taller than the most even split of all (the
    estimates are generous by a line where a line just fits)."""
    width = PageBox(paper).content_mm[0] * DATES_SHARE
    lines = [runs_line_count([(when, True), (what, False)], width, 11.5, font, lang)
             for when, what in items]
    above = list(accumulate(lines, initial=0))
    total = above[-1]
    taller = [max(first, total - first) for first in above]  # for each split
    best = min(taller)
    fuller = [k for k, first in enumerate(above)
              if first >= total - first and taller[k] <= best + 1]
    return fuller[0] if fuller else taller.index(best)
