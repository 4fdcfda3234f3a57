"""Laying out the school calendar: month grids, day marks, and what fits in a cell or a page."""

from __future__ import annotations

import calendar as stdcalendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from babel.dates import format_skeleton, get_day_names

from .schoolyear import Calendar, Category, Event

FILLS = ("solid", "hatch", "shade")
OUTLINES = ("box", "circle")
# Average advance of the default font's letters, in mm per point of font size (about 0.48 em):
# a slight overestimate, so a text we think fits does fit.
CHAR_MM_PER_PT = 0.175
LINE_MM_PER_PT = 0.3528 * 1.22  # one line of text at line-height 1.22, per point


def tint(colour: str, amount: float) -> str:
    """`colour` mixed with white: amount 1 is the colour, 0 is white."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - (255 - c) * amount):02x}" for c in rgb)


@dataclass(frozen=True)
class DayMark:
    """How a day number is marked: classes and colours for the template."""

    classes: str = ""
    style: str = ""
    signs: tuple[tuple[str, str], ...] = ()  # (mark, colour) drawn as small shapes

    @property
    def marked(self) -> bool:
        return bool(self.classes or self.signs)


def day_mark(categories: list[Category]) -> DayMark:
    """Combine a day's categories: the first fill, the first outline, and every sign."""
    fill = next((c for c in categories if c.mark in FILLS), None)
    outline = next((c for c in categories if c.mark in OUTLINES), None)
    classes, style = [], []
    if fill is not None:
        # a fill carries the day's meaning: the ink-saver version keeps it (in grey)
        classes += [f"fill-{fill.mark}", "keep-ink"]
        if fill.mark == "solid":
            style.append(f"background-color:{fill.colour}")
        elif fill.mark == "shade":
            style.append(f"background-color:{tint(fill.colour, 0.38)}")
        else:
            style.append(f"background-image:repeating-linear-gradient(135deg,{fill.colour} 0,"
                         f"{fill.colour} 0.45mm,#fff 0.45mm,#fff 1.25mm)")
    if outline is not None:
        classes.append(f"out-{outline.mark}")
        style.append(f"border-color:{outline.colour}")
    seen: set[str] = set()
    signs = []
    for c in categories:
        if c.mark not in FILLS + OUTLINES and c.mark not in seen:
            seen.add(c.mark)
            signs.append((c.mark, c.colour))
    return DayMark(" ".join(classes), ";".join(style), tuple(signs))


def wrapped_lines(text: str, chars: int) -> int:
    """How many lines `text` takes, wrapped at word boundaries `chars` characters wide."""
    lines, used = 1, 0
    for word in text.split():
        size = len(word)
        while size > chars:  # a word longer than the line breaks anywhere (overflow-wrap)
            lines += 1 if used else 0
            size -= chars
            used = 0
        if used and used + 1 + size > chars:
            lines += 1
            used = size
        else:
            used += size + (1 if used else 0)
    return lines


def chars_per_line(width_mm: float, size_pt: float) -> int:
    return max(4, int(width_mm / (size_pt * CHAR_MM_PER_PT)))


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def month_title(year: int, month: int, lang: str) -> str:
    return capitalised(format_skeleton("yMMMM", dt.date(year, month, 1), locale=lang))


def weekday_names(lang: str, week_start: int,
                  width: Literal["abbreviated", "narrow", "short", "wide"]) -> list[str]:
    names = get_day_names(width, "stand-alone", locale=lang)
    return [capitalised(names[(week_start + i) % 7]) for i in range(7)]


@dataclass
class Cell:
    day: dt.date | None  # None: a day of the month before or after
    weekend: bool
    in_year: bool
    mark: DayMark
    items: list[Item] = field(default_factory=list)
    more: int = 0  # events that did not fit, listed below the grid


@dataclass
class Month:
    first: dt.date
    title: str
    weeks: list[list[Cell]]
    overflow: list[tuple[dt.date, list[Event]]] = field(default_factory=list)


def build_month(calendar: Calendar, year: int, month: int, lang: str, week_start: int,
                marks: dict[dt.date, DayMark]) -> Month:
    """One month's weeks of cells (no events in them yet)."""
    weeks = []
    for week in stdcalendar.Calendar(week_start).monthdatescalendar(year, month):
        weeks.append([Cell(d if d.month == month else None, d.weekday() >= 5,
                           calendar.year.start <= d <= calendar.year.end,
                           marks.get(d, DayMark()) if d.month == month else DayMark())
                      for d in week])
    return Month(dt.date(year, month, 1), month_title(year, month, lang), weeks)


def event_text(event: Event, lang: str, default: str, time: str) -> str:
    return f"{time} {event.title.get(lang, default)}".strip()


@dataclass(frozen=True)
class Item:
    """An event written in a day cell; `cont` when it only continues a run begun earlier."""

    event: Event
    cont: bool = False


CONT_LINES = 1.0  # a continuing run: its title again on one line, cut short if it must be


def priority(item: Item) -> tuple[int, int, int, dt.time]:
    """Which of a day's events a full cell keeps first: the class's own events (calendar.yaml,
    and the year's first and last day); then imported ones that change the school day (no
    school, a holiday, early release: the day's mark says so too); then other imported district
    and PTA events; each by its category's order and time. A run of days that only continues
    comes after everything that starts or happens that day."""
    event = item.event
    source = 0 if event.from_class else 1 if event.category.mark in (*FILLS, "box") else 2
    return (int(item.cont), source, event.category.order, event.start_time or dt.time())


# Each day cell with its events, most important first (`priority`), and the lines each takes
Measured = list[tuple[Cell, list[Item], list[float]]]


def measure_cells(month: Month, calendar: Calendar, lang: str, default: str, chars: int,
                  time_text: Callable[[Event], str]) -> Measured:
    """What filling a month's cells at any row height needs: worked out once a month, while
    the planner tries row heights."""
    measured: Measured = []
    for week in month.weeks:
        for column, cell in enumerate(week):
            if cell.day is None:
                continue
            day = cell.day
            items = sorted((Item(e, e.start < day and column > 0 and day.day > 1)
                            for e in calendar.on(day)), key=priority)
            needs = [CONT_LINES if item.cont else wrapped_lines(
                event_text(item.event, lang, default, time_text(item.event)), chars)
                for item in items]
            measured.append((cell, items, needs))
    return measured


def fill_cells(month: Month, measured: Measured, lines: float) -> None:
    """Write each day's events in its cell (`measured` by measure_cells), most important first,
    in `lines` lines; what does not fit continues in a list below.

    A run of days (a break, a testing window) is written on its first day and at the start of
    each week; on its other days its title is written again on one line, in grey.
    """
    month.overflow = []
    for cell, items, needs in measured:
        used: float = 0
        kept: list[Item] = []
        for i, (item, need) in enumerate(zip(items, needs, strict=True)):
            room = lines - (1 if i < len(items) - 1 else 0)  # keep a line for "more"
            if used + need > room:
                break
            used += need
            kept.append(item)
        # In the cell, in the day's order: all-day events, then by time.
        cell.items = sorted(kept, key=lambda i: (i.event.start_time is not None,
                                                 i.event.start_time or dt.time(),
                                                 priority(i)))
        rest = [i.event for i in items[len(kept):] if not i.cont]
        cell.more = len(rest)
        if rest:
            assert cell.day is not None
            month.overflow.append((cell.day, rest))
