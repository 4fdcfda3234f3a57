"""The calendar's key dates are complete for every month an event touches, checked against an
expansion of the .ics made here with recurring_ical_events itself (not takehome's reader), on
the sample and on the calendar the tests make up; and the calendar's priorities: a holiday from
two sources is written once, and the class's own events are written in the day's cell first."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from pathlib import Path

import icalendar
import pypdfium2 as pdfium
import pytest
import recurring_ical_events
import yaml
from babel.dates import format_date, format_skeleton

from .generated import make_project
from .printed import flat, pages, shared_build

# The built-in categories whose days are key dates, by key and English label.
KEY_CATEGORIES = {"first_day", "last_day", "no_school", "holiday", "early_release", "conference",
                  "school_event", "first day of school", "last day of school", "no school",
                  "early release", "conferences", "school event"}
MONTHS = {m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug",
                                      "sep", "oct", "nov", "dec"], 1)}


def _fold(name: str) -> str:
    return re.sub(r"[\W_]+", " ", name.casefold()).strip()


def expected_days(root: Path) -> dict[str, set[dt.date]]:
    """Every day of every key date of the school year, by title, from calendar.yaml and each
    .ics expanded by recurring_ical_events."""
    settings = yaml.safe_load((root / "content/settings.yaml").read_text(encoding="utf-8"))
    start, end = settings["year"]["start"], settings["year"]["end"]
    config = yaml.safe_load((root / "content/calendar.yaml").read_text(encoding="utf-8"))
    own = {key for key, spec in config.get("categories", {}).items()
           if spec.get("key_dates", True)}
    keys = {_fold(k) for k in KEY_CATEGORIES | own}
    days: dict[str, set[dt.date]] = defaultdict(set)
    for event in config.get("events", []):
        if _fold(event.get("category", "school_event")) not in keys:
            continue
        title = event["title"]["en"] if isinstance(event["title"], dict) else event["title"]
        first = event.get("date") or event.get("start")
        spans = [(d, d) for d in event["dates"]] if "dates" in event else \
            [(first, event.get("end", first))]
        for a, b in spans:
            days[title] |= {a + dt.timedelta(n) for n in range((b - a).days + 1)}
    for path in sorted((root / "content/calendar").glob("*.ics")):
        spec = config.get("imports", {}).get(path.name, {})
        mapping = {_fold(k): _fold(v) for k, v in spec.get("categories", {}).items()}
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        for event in recurring_ical_events.of(calendar).between(start, end + dt.timedelta(1)):
            names = event.get("CATEGORIES")
            names = [str(c) for c in names.cats] if names is not None else []
            known = [mapping.get(_fold(n), _fold(n)) for n in names]
            category = next((c for c in known if c in keys),
                            _fold(spec.get("category", "school_event")))
            if category not in keys:
                continue
            first = event["DTSTART"].dt
            last = event["DTEND"].dt if "DTEND" in event else first
            first = first if not isinstance(first, dt.datetime) else first.date()
            if isinstance(last, dt.datetime):
                last = last.date()
            else:
                last = last - dt.timedelta(1) if last > first else first
            days[str(event["SUMMARY"])] |= {first + dt.timedelta(n)
                                           for n in range((last - first).days + 1)
                                           if start <= first + dt.timedelta(n) <= end}
    return days


def sections(text: str, year: tuple[dt.date, dt.date]) -> dict[tuple[int, int], str]:
    """The key dates list's text under each month's heading ("October 2026")."""
    out: dict[tuple[int, int], list[str]] = {}
    current: list[str] | None = None
    heading = {format_skeleton("yMMMM", dt.date(y, m, 1), locale="en"): (y, m)
               for y in range(year[0].year, year[1].year + 1) for m in range(1, 13)}
    for line in text.split("\n"):
        if line.strip() in heading:
            current = out.setdefault(heading[line.strip()], [])
        elif current is not None:
            current.append(line)
    return {k: "\n".join(v) for k, v in out.items()}


def covered(line: str, year: int, month: int) -> set[dt.date]:
    """The days a line of the list names: single days and ranges ("Dec 21 – Jan 1",
    "Sep 2 – 30", "Nov 4, Nov 11, and Nov 18")."""
    days: set[dt.date] = set()
    pattern = re.compile(r"\b([A-Z][a-z]{2}) (\d{1,2})"
                         r"(?: ?– ?(?:[A-Z][a-z]{2}, )?(?:([A-Z][a-z]{2}) )?(\d{1,2}))?")
    for match in pattern.finditer(line):
        if match[1].lower() not in MONTHS:
            continue
        m1 = MONTHS[match[1].lower()]
        # "Dec 21" under January is last year's; "Jan 1" under December next year's
        y1 = year - 1 if m1 - month > 6 else year + 1 if month - m1 > 6 else year
        first = dt.date(y1, m1, int(match[2]))
        last = first
        if match[4]:
            m2 = MONTHS[match[3].lower()] if match[3] else m1
            y2 = y1 + (1 if m2 < m1 else 0)
            last = dt.date(y2, m2, int(match[4]))
        days |= {first + dt.timedelta(n) for n in range((last - first).days + 1)}
    return days


def _check(text: str, root: Path, window: tuple[dt.date, dt.date]) -> list[str]:
    """Every (month, title, day) of the window that the list's month sections leave out."""
    missing = []
    by_month = sections(text, window)
    for title, days in expected_days(root).items():
        head = " ".join(flat(title).split()[:2])  # a long title may wrap after its first words
        for day in sorted(d for d in days if window[0] <= d <= window[1]):
            lines = [flat(line) for line in by_month.get((day.year, day.month), "").split("\n")]
            # A title's days are before it on its line, or (a long one, wrapped) just above.
            whens = [line.split(head)[0] or " ".join(lines[max(0, i - 2):i])
                     for i, line in enumerate(lines) if head in line]
            if not any(day in covered(when, day.year, day.month) for when in whens):
                missing.append(f"{day.isoformat()} {title}")
    return missing


@pytest.fixture(scope="session", params=["sample", "generated"])
def calendar_build(request: pytest.FixtureRequest,
                   tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(project, output) of the sample and of the made-up project."""
    if request.param == "sample":
        output = request.getfixturevalue("sample_build")
    else:
        output = shared_build(tmp_path_factory, "rules-generated", lambda r: make_project(r))
    return output.parent, output


def columns(path: Path) -> list[str]:
    """Each page's text column by column (left half, then right half): a newsletter's list of
    dates runs down one column and on into the next."""
    out = []
    document = pdfium.PdfDocument(path)
    try:
        for index in range(len(document)):
            page = document[index]
            width, height = page.get_size()
            textpage = page.get_textpage()
            for left, right in ((0, width / 2), (width / 2, width)):
                out.append(flat_lines(textpage.get_text_bounded(left, 0, right, height)))
    finally:
        document.close()
    return out


def flat_lines(text: str) -> str:
    return "\n".join(flat(line) for line in text.replace("\r\n", "\n").split("\n"))


def _year(root: Path) -> tuple[dt.date, dt.date]:
    settings = yaml.safe_load((root / "content/settings.yaml").read_text(encoding="utf-8"))
    return settings["year"]["start"], settings["year"]["end"]


def test_key_dates_list_every_day_under_every_month_it_touches(calendar_build) -> None:
    root, output = calendar_build
    text = "\n".join(p.text for p in pages(output / "calendar/key-dates.en.pdf"))
    assert expected_days(root)  # not a vacuous comparison
    assert _check(text, root, _year(root)) == []


def test_the_newsletter_lists_its_two_months_dates_under_each_month(calendar_build) -> None:
    root, output = calendar_build
    issue = next(output.glob("newsletters/*.en.pdf"))
    first = dt.date.fromisoformat(issue.name[:7] + "-01")
    last = (first + dt.timedelta(days=62)).replace(day=1) - dt.timedelta(days=1)
    text = "\n".join(columns(issue))
    text = text[text.index("Dates to remember"):]
    # The newsletter's month headings are the month alone ("December").
    for year, month in ((first.year, first.month), (last.year, last.month)):
        name = format_date(dt.date(year, month, 1), "LLLL", locale="en")
        text = re.sub(rf"^{name}$", format_skeleton("yMMMM", dt.date(year, month, 1),
                                                    locale="en"), text, flags=re.M)
    assert _check(text, root, (first, last)) == []


def test_a_holiday_from_two_sources_is_written_once(sample_build: Path) -> None:
    """The district's "Labor Day – No School" and the public holiday "Labor Day" on one day."""
    september = next(p for p in pages(sample_build / "calendar/months.en.pdf")
                     if "September 2026" in p.text)
    assert flat(september.text).count("Labor Day") == 1
    key_dates = "\n".join(p.text for p in pages(sample_build / "calendar/key-dates.en.pdf"))
    assert flat(key_dates).count("Labor Day") == 1


def test_the_class_events_are_written_in_the_cell_before_district_ones(
        sample_build: Path) -> None:
    """October 7: the class's field trip, the district's early release (its day is marked
    too): the field trip is in the cell, not in the list below the grid."""
    october = next(p for p in pages(sample_build / "calendar/months.en.pdf")
                   if "October 2026" in p.text)
    listed = october.text[october.text.index("More in October"):]
    assert "Field trip" in flat(october.text) and "Field trip" not in flat(listed)
