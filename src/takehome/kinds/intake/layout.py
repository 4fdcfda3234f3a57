"""Which questions go on which page of the intake sheet, and how much writing room each open
question gets: at least its own `lines`, plus the page's free room shared out in whole lines, so
that no page ends in a blank third. Heights follow templates/intake/sheet.css; widths come from
the font (textwidth), a little generous, so a page planned to fit does fit."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...paper import PageBox, Paper
from ...textwidth import line_count, width_mm
from .model import Question

PT = 25.4 / 72
LINE_MM = 9.0  # one writing line (sheet.css .line, and a textarea's line)
FIELD_MM = 8.0  # a fillable one-line field
H1 = (20 * 1.15 * PT, 2.0)  # (per line, margin below)
FOR_LINE = 13 * 1.35 * PT + 1.0
INTRO_LINE = 11.5 * 1.35 * PT
# The interpreter line (base.css .interpreter): 11 pt lines, 1 mm padding above and below, its
# text 3 mm and a rule in from the side; its 3 mm margin below falls within the lead's.
INTERPRETER = (11 * 1.35 * PT, 2.0, 3.0 + 1.2 * PT)
LEAD_GAP = 4.0
WHO_LINE = 9.0 + 4.0
ROW_GAP = 4.5
LABEL = (12.5 * 1.35 * PT, 1.5)
HELP_LINE = 10.5 * 1.35 * PT
CHOICE_ROW = 6.0 + 2.0  # the line, and the gap under each row of choices
CHOICE_GAP = 6.0  # after each choice
BOX = 4.5 + 1.5  # its box and the space after it
OTHER = 8.0
TABLE_HEAD = 10 * 1.35 * PT + 1.0 + 0.35 + 1.0  # heading, its padding and rule, the gap above
HALF = 0.48
RESERVE_MM = 3.0  # left free on every page: rounding, and a word wider than measured


@dataclass(frozen=True)
class Texts:
    """A sheet's words in one language, as the planner needs them."""

    title: str
    intro: str
    labels: dict[str, str]  # question id -> "12. What kind of learner is your child?"
    helps: dict[str, str]
    options: dict[str, list[str]]  # the choices of choice and yes/no questions
    personal: bool  # the "For the family of ..." line
    fillable: bool
    interpreter: str = ""  # how to ask for an interpreter (settings), under the intro
    lang: str = ""  # the document's language: which fonts set its words


@dataclass
class Page:
    """One page: its rows of questions, and the extra writing lines of its open questions."""

    rows: list[list[Question]] = field(default_factory=list)
    extra: dict[str, int] = field(default_factory=dict)


def question_mm(q: Question, texts: Texts, width: float, font: str) -> float:
    """The height of one question with its least writing room."""
    label = line_count(texts.labels[q.id], width, 12.5, font, True, texts.lang)
    height = label * LABEL[0] + LABEL[1]
    if q.id in texts.helps:
        height += line_count(texts.helps[q.id], width, 10.5, font, lang=texts.lang) * HELP_LINE
    if q.type == "short":
        height += FIELD_MM if texts.fillable else LINE_MM
    elif q.type == "long":
        height += q.lines * LINE_MM
    elif q.type in ("choice", "yesno"):
        rows, used = 1, 0.0
        for option in texts.options[q.id]:
            size = BOX + width_mm(option, 11.5, font, lang=texts.lang) + CHOICE_GAP
            if used and used + size > width:
                rows, used = rows + 1, 0.0
            used += size
        height += 1.0 + rows * CHOICE_ROW + (OTHER if q.other else 0.0)
    elif q.type == "table":
        height += TABLE_HEAD + q.rows * LINE_MM
    return height


def plan_pages(rows: list[list[Question]], texts: Texts, paper: Paper, font: str) -> list[Page]:
    """Rows of questions onto pages, whole rows only; then each page's free room, in whole
    writing lines, shared among its open questions."""
    width, height = PageBox(paper).content_mm
    room = height - RESERVE_MM
    first = (line_count(texts.title, width, 20, font, True, texts.lang) * H1[0] + H1[1]
             + (FOR_LINE if texts.personal else 0.0)
             + (line_count(texts.intro, width, 11.5, font, lang=texts.lang) * INTRO_LINE
                if texts.intro else 0.0)
             + _interpreter_mm(texts.interpreter, width, font, texts.lang) + LEAD_GAP)
    pages = [Page()]
    used = first
    free: list[float] = []
    for row in rows:
        column = width * HALF if len(row) > 1 or row[0].width == "half" else width
        need = max(question_mm(q, texts, column, font) for q in row) + ROW_GAP
        if pages[-1].rows and used + need - ROW_GAP > room:  # a page's last gap may go
            free.append(room - used + ROW_GAP)
            pages.append(Page())
            used = WHO_LINE
        pages[-1].rows.append(row)
        used += need
    free.append(room - used + ROW_GAP)
    for page, left in zip(pages, free, strict=True):
        _share(page, int(left // LINE_MM))
    return pages


def _interpreter_mm(text: str, width: float, font: str, lang: str) -> float:
    """The height of the interpreter line, if the sheet has one."""
    if not text:
        return 0.0
    per_line, padding, inset = INTERPRETER
    return line_count(text, width - inset, 11, font, lang=lang) * per_line + padding


def _share(page: Page, lines: int) -> None:
    """Give a page's spare lines to its open questions a line at a time, in turn from the top.

    Two open questions side by side have as many lines (their row is as tall as the taller)
    and grow together.
    """
    groups = [[q for q in row if q.type == "long"] for row in page.rows]
    groups = [g for g in groups if g]
    for group in groups:  # side by side, as many lines as the other: the row is that tall
        for q in group:
            page.extra[q.id] = max(other.lines for other in group) - q.lines
    while groups and lines > 0:
        for group in groups:
            if lines <= 0:
                break
            for q in group:
                page.extra[q.id] += 1
            lines -= 1
