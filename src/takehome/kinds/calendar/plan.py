"""School calendars: the year at a glance, month pages, the key dates list and the .ics export."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ... import i18n
from ...build.plan import File, Job, Step
from ...dates import format_clock, format_key_date, format_span
from ...i18n import N_
from ...paper import PageBox
from ...project import Document
from ...translations import report
from ...yamlfile import Loaded, Marks
from ..base import Jobs, Kind, edition_path
from .data import load_calendar
from .layout import (
    FILLS,
    LINE_MM_PER_PT,
    DayMark,
    Measured,
    Month,
    build_month,
    chars_per_line,
    day_mark,
    fill_cells,
    measure_cells,
    month_title,
    weekday_names,
    wrapped_lines,
)
from .model import CalendarContent
from .schoolyear import Calendar, Event, KeyDate

if TYPE_CHECKING:
    from ...build.plan import Planning
    from ...errors import Problems
    from ...project import Project

STYLESHEETS = ("base.css", "calendar/calendar.css")
GLANCE_PT = 8.5  # the key dates beside the year at a glance
CELL_PT = 9.5  # event names in month cells
CELL_TOP_MM = 8.6  # a cell's padding and day number
MONTH_TITLE_MM = 15.0  # month page: the title line, and the legend's room beside it
LEGEND_PT = 8.5
LEGEND_MM = 98.0
WEEKDAY_ROW_MM = 7.0
MIN_ROW_MM = 20
NOTES_MIN_MM = 4.0  # month page: kept below the grid
NOTES_HEAD_MM = 8.0
NOTE_LINE_MM = 9.0
OVERFLOW_HEAD_MM = 11.0
LIST_PT = 11.0
LIST_LINE_MM = LIST_PT * LINE_MM_PER_PT + 0.9


@dataclass(frozen=True)
class GlanceItem:
    """One line of the list beside the year at a glance."""

    key: KeyDate
    when: str
    time: str
    mark: DayMark


def _swatches(calendar: Calendar) -> dict[str, DayMark]:
    return {c.key: day_mark([c]) for c in calendar.categories.values()}


def _time_text(event: Event, lang: str, style: str | None = None) -> str:
    return "" if event.start_time is None else format_clock(event.start_time, lang, style)


def _glance_list(calendar: Calendar, lang: str, default: str, paper: str,
                 orientation: str, style: str | None = None) -> tuple[list[GlanceItem], bool]:
    """The key dates beside the grids; only the days that change the school day if all won't fit."""
    width, height = PageBox(paper, orientation).content_mm  # type: ignore[arg-type]
    if orientation == "portrait":
        columns, column_mm = 3, (width - 8) / 3 - 4
        room_mm = height - 20 - 3 * (6 * 4.6 + 10) - 14
    else:
        columns, column_mm = 2, width * 0.36 / 2 - 5
        room_mm = height - 24
    # Column breaks and bold dates wrap earlier than the estimate: keep a margin.
    capacity = int(0.85 * columns * int(room_mm / (GLANCE_PT * LINE_MM_PER_PT)))
    chars = chars_per_line(column_mm - 6, GLANCE_PT)
    swatches = _swatches(calendar)
    keys = calendar.key_dates(calendar.year.start, calendar.year.end)

    def items(selected: list[KeyDate]) -> list[GlanceItem]:
        return [GlanceItem(k, format_key_date(k, lang, "Md"),
                           format_clock(k.time, lang, style) if k.time else "",
                           swatches[k.category.key]) for k in selected]

    def lines(selected: list[GlanceItem]) -> int:
        return sum(wrapped_lines(f"{i.when} {i.time} {i.key.title.get(lang, default)}", chars)
                   for i in selected)

    everything = items(keys)
    if lines(everything) <= capacity:
        return everything, False
    schedule = [k for k in keys if k.category.mark in (*FILLS, "box")]
    return items(schedule), True


def _months(calendar: Calendar, lang: str, marks: dict[dt.date, DayMark]) -> list[Month]:
    start = calendar.week_start(lang)
    return [build_month(calendar, y, m, lang, start, marks) for y, m in calendar.months()]


def _month_pages(calendar: Calendar, lang: str, default: str, paper: str,
                 marks: dict[dt.date, DayMark], style: str | None = None) -> list[dict[str, Any]]:
    """Each month with its events in the cells: the tallest rows that leave room for the list
    of what did not fit in them (a busy month's list may continue on a page of its own)."""
    width, height = PageBox(paper).content_mm  # type: ignore[arg-type]
    list_chars = chars_per_line(width / 2 - 12, LIST_PT)
    cell_chars = chars_per_line(width / 7 - 2.6, CELL_PT)
    pages = []
    swatches = _swatches(calendar)

    def fill(month: Month, measured: Measured, row_mm: float) -> None:
        fill_cells(month, measured, (row_mm - CELL_TOP_MM) / (CELL_PT * LINE_MM_PER_PT))

    in_list: dict[tuple[dt.date, int], int] = {}  # lines of an event listed under its day

    def list_lines(day: dt.date, e: Event) -> int:
        if (day, id(e)) not in in_list:
            in_list[day, id(e)] = wrapped_lines(f"{format_span(day, day, lang)} "
                                                f"{_time_text(e, lang, style)} "
                                                f"{e.title.get(lang, default)}", list_chars)
        return in_list[day, id(e)]

    for month in _months(calendar, lang, marks):
        if not any(c.day and c.in_year for week in month.weeks for c in week):
            continue  # no school day in it: the year at a glance shows it, no page of its own
        weeks = len(month.weeks)
        last = (month.first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        used = {e.category.key for e in calendar.between(month.first, last)}
        legend = [c for c in calendar.used_categories() if c.key in used]
        # Each entry: its label, a swatch and a gap (about five letters' width).
        legend_lines = wrapped_lines(" ".join(c.label.get(lang, default).replace(" ", "_")
                                              + "_____" for c in legend),
                                     chars_per_line(LEGEND_MM, LEGEND_PT))
        head_mm = max(MONTH_TITLE_MM, legend_lines * LEGEND_PT * LINE_MM_PER_PT + 3.5)
        grid_mm = height - head_mm - 2 - WEEKDAY_ROW_MM
        best: tuple[float, float, float] | None = None  # (overflow rows, -row_mm, below)
        measured = measure_cells(month, calendar, lang, default, cell_chars,
                                 lambda e: _time_text(e, lang, style))
        for row_mm in [x / 2 for x in range(int(2 * (grid_mm - NOTES_MIN_MM) / weeks),
                                            2 * MIN_ROW_MM - 1, -1)]:
            fill(month, measured, row_mm)
            rows = sum(list_lines(day, e) for day, events in month.overflow for e in events)
            listed = OVERFLOW_HEAD_MM + (rows + 1) // 2 * LIST_LINE_MM if rows else 0.0
            below = grid_mm - weeks * row_mm
            if listed + NOTES_MIN_MM <= below:
                best = (rows, -row_mm, below - listed)
                break
            if best is None or rows < best[0]:
                best = (rows, -row_mm, 0.0)
        assert best is not None
        row_mm, room = -best[1], best[2]
        fill(month, measured, row_mm)
        notes = int((room - NOTES_HEAD_MM) // NOTE_LINE_MM) if room else 0
        pages.append({"month": month, "row_mm": row_mm, "notes": notes if notes >= 2 else 0,
                      "legend": [(c, swatches[c.key]) for c in legend]})
    return pages


def _key_date_groups(calendar: Calendar, lang: str) -> list[tuple[str, list[KeyDate]]]:
    """The key dates month by month: under every month each one touches."""
    return [(month_title(month.year, month.month, lang), keys)
            for month, keys in calendar.key_dates_by_month(calendar.year.start, calendar.year.end)]


class CalendarKind(Kind):
    """The school calendar is project data, like the settings and the roster (other kinds print
    its key dates): this kind loads it, and plans its documents when there is one."""

    name = "calendar"
    pattern = "calendar.yaml"
    model = CalendarContent

    def load(self, project: Project, problems: Problems) -> list[Document]:
        calendar = project.calendar = load_calendar(project.root, project.settings, problems,
                                                    project.derived)
        if calendar is None or calendar.path is None:
            return []
        loaded = calendar.loaded or Loaded({}, Marks(calendar.path))
        return [Document("calendar", self, calendar.path, calendar.content, loaded)]

    def plan(self, doc: Document, planning: Planning) -> list[Step]:
        project = planning.project
        calendar = project.calendar
        assert calendar is not None
        steps: list[Step] = []
        for lang in project.editions:
            steps += _edition(project, doc, calendar, lang)
        return steps

    def check_texts(self, doc: Document, steps: list[Step], planning: Planning) -> None:
        """One warning per edition: the calendar's title, events and categories."""
        project = planning.project
        calendar = project.calendar
        assert calendar is not None
        texts = report.document_texts(project, doc, calendar.content.title, ("title",))
        texts += report.event_texts(calendar.events)
        origin = project.relative(calendar.path) if calendar.path else "content/calendar.yaml"
        texts += [(c.label, f"{origin} (category {c.key})") for c in calendar.used_categories()]
        languages = {s.lang for s in steps if isinstance(s, Job)}
        report.check(project, planning.problems, doc, report.same_texts(languages, texts))


def _edition(project: Project, doc: Document, calendar: Calendar, lang: str) -> list[Step]:
    """The year at a glance, the month pages, the key dates and the .ics in one language."""
    default = project.default_language
    paper = project.settings.paper
    orientation = calendar.content.glance.orientation
    marks = {d: day_mark(cats) for d, cats in calendar.day_categories().items()}
    swatches = _swatches(calendar)
    legend = [(c, swatches[c.key]) for c in calendar.used_categories()]
    gettext = i18n.translations(lang).gettext
    title = calendar.title.get(lang, default)
    style = project.settings.time_style
    glance_items, shortened = _glance_list(calendar, lang, default, paper, orientation, style)
    common = {"calendar": calendar, "legend": legend, "swatches": swatches,
              "url": calendar.content.publish_url, "updated": calendar.updated,
              "calendar_title": title}

    def job(name: str, template: str, doc_title: str, extra: tuple[str, ...] = (),
            max_pages: int | None = None, **context: Any) -> Job:
        jobs = Jobs(project, doc, template, STYLESHEETS + extra)
        made = jobs.job(edition_path(doc.name, name, lang), lang, doc_title,
                        project.context(lang, title=doc_title, **common, **context),
                        tagged=True, max_pages=max_pages, numbered=max_pages != 1)
        return replace(made, sources=calendar.sources)

    year_label = project.settings.year.label
    key_title = gettext(N_("Key dates %(year)s")) % {"year": year_label}
    return [
        job("year", "calendar/year.html", f"{title} {year_label}",
            ("calendar/landscape.css",) if orientation == "landscape" else (), max_pages=1,
            months=_months(calendar, lang, marks), orientation=orientation,
            weekdays=weekday_names(lang, calendar.week_start(lang), "narrow"),
            items=glance_items, shortened=shortened),
        job("months", "calendar/months.html", f"{title} {year_label}",
            pages=_month_pages(calendar, lang, default, paper, marks, style),
            weekdays=weekday_names(lang, calendar.week_start(lang), "wide"),
            time_text=lambda e: _time_text(e, lang, style)),
        job("key-dates", "calendar/key-dates.html", key_title,
            groups=_key_date_groups(calendar, lang)),
        File(output=edition_path(doc.name, "calendar", lang, "ics"), document=doc.name,
             kind=doc.kind.name, title=f"{title} {year_label}", lang=lang,
             sources=calendar.sources,
             make=_export, context={
                 "events": calendar.events, "name": f"{project.settings.school.name}: {title}",
                 "lang": lang, "default": default, "zone": calendar.zone,
                 "stamp": calendar.updated or calendar.year.start}),
    ]


def _export(events: list[Event], **how: Any) -> str:
    """ics.export; the iCalendar library is imported only by a build that writes an .ics."""
    from . import ics

    return ics.export(events, **how)


KIND = CalendarKind()
