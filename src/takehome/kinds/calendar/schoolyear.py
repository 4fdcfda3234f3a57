"""The project's school calendar: categories, every event of the year, and the key dates list."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError
from babel.core import get_global

from ... import i18n
from ...i18n import N_
from ...models.base import Text
from ...yamlfile import Loaded
from .model import CalendarContent, CategorySpec

if TYPE_CHECKING:
    from ...models.settings import SchoolYear

DAY_OFF_MARKS = ("solid", "hatch")  # the marks of the built-in categories for days without school
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_GLANCE_MONTHS = 12  # the year at a glance is a grid of 12 months


@dataclass(frozen=True)
class Category:
    """A kind of day: how it is named, coloured and marked (so it reads in black and white)."""

    key: str
    label: Text
    colour: str
    mark: str
    key_dates: bool = True
    order: int = 0  # earlier categories win where a day has several


def _t(message: str) -> Text:
    return Text(i18n.catalog_text(message))


def default_categories() -> dict[str, Category]:
    """The built-in categories, in the order they take precedence on a day."""
    specs = [
        ("first_day", N_("First day of school"), "#1d6b48", "box"),
        ("last_day", N_("Last day of school"), "#1d6b48", "box"),
        ("no_school", N_("No school"), "#22313f", "solid"),
        ("holiday", N_("Holiday"), "#8e2b2b", "hatch"),
        ("early_release", N_("Early release"), "#5c6bc0", "shade"),
        ("conference", N_("Conferences"), "#8a4f00", "underline"),
        ("public_holiday", N_("Public holiday"), "#6a3d8f", "corner"),
        ("school_event", N_("School event"), "#2f6f73", "circle"),
    ]
    return {key: Category(key, _t(label), colour, mark, order=i)
            for i, (key, label, colour, mark) in enumerate(specs)}


@dataclass(frozen=True)
class Event:
    """One occurrence of an event: a day or a run of days, maybe with a time."""

    start: dt.date
    end: dt.date  # inclusive; the same as start for one day
    title: Text
    category: Category
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    location: Text | None = None
    key_date: bool = True
    source: str = ""  # "content/calendar.yaml:12" or "content/calendar/district.ics:340"
    uid: str = ""
    public_holiday: bool = False  # from the holidays package


    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @property
    def from_class(self) -> bool:
        """Written by the teacher in calendar.yaml (or the year's first and last day), rather
        than imported from a district or PTA file or the public holidays."""
        return self.source.startswith(("content/calendar.yaml", "settings.yaml"))

    @property
    def day_off(self) -> bool:
        """An event that closes the school (no school, a holiday), from the school's calendar."""
        return self.category.mark in DAY_OFF_MARKS and not self.public_holiday


@dataclass(frozen=True)
class KeyDate:
    """One line of a key dates list: an event's days, with runs and repeats folded together.

    `start`/`end` are its first and last day; `spans` are the exact (first, last) days of each
    occurrence, so a repeated event ("Oct 23, Feb 19, Apr 23") is not mistaken for a range.
    Print one with the `daterange` filter: `{{ key_date|daterange }}`.
    """

    spans: tuple[tuple[dt.date, dt.date], ...]
    title: Text
    category: Category
    time: dt.time | None = None
    weekly: bool = False  # every week on one weekday from start to end, except `skipped`
    skipped: tuple[dt.date, ...] = ()

    @property
    def start(self) -> dt.date:
        return self.spans[0][0]

    @property
    def end(self) -> dt.date:
        return self.spans[-1][1]

    @property
    def repeats(self) -> bool:
        return len(self.spans) > 1


@dataclass
class Calendar:
    """Everything the calendar documents (and others' key dates) read: one copy of the dates."""

    year: SchoolYear
    content: CalendarContent
    categories: dict[str, Category]
    events: list[Event] = field(default_factory=list)
    zone: str | None = None
    country: str | None = None
    updated: dt.date | None = None
    outside: int = 0  # imported events left out because they fall outside the school year
    path: Path | None = None  # content/calendar.yaml (or the calendar/ folder without one)
    loaded: Loaded | None = None
    sources: tuple[str, ...] = ()  # every input file, relative to the project
    _shown: tuple[int, list[Event]] | None = field(default=None, repr=False, compare=False)
    # shown() as it was, and the events on each day asked for (a year's pages ask thousands
    # of times, for a few hundred days)
    _days: tuple[list[Event], dict[dt.date, list[Event]]] | None = field(
        default=None, repr=False, compare=False)

    @property
    def title(self) -> Text:
        return self.content.title or Text(i18n.catalog_text(N_("School calendar")))

    def between(self, start: dt.date, end: dt.date) -> list[Event]:
        """Events touching the days from `start` to `end`, in date order (each day written
        once: see `shown`)."""
        return [e for e in self.shown() if e.end >= start and e.start <= end]

    def on(self, day: dt.date) -> list[Event]:
        shown = self.shown()
        if self._days is None or self._days[0] is not shown:
            self._days = (shown, {})
        found = self._days[1].get(day)
        if found is None:
            found = self._days[1][day] = [e for e in shown if e.covers(day)]
        return found

    def shown(self) -> list[Event]:
        """The events the documents print: a public holiday on days the school's own calendar
        already closes ("Labor Day – No School" and the public "Labor Day") is written once, as
        the school wrote it."""
        if self._shown is None or self._shown[0] != len(self.events):
            closed = {d for e in self.events if e.day_off for d in e.days()}
            kept = [e for e in self.events
                    if not (e.public_holiday and all(d in closed for d in e.days()))]
            self._shown = (len(self.events), kept)
        return self._shown[1]

    def day_categories(self) -> dict[dt.date, list[Category]]:
        """Each day's categories, most important first."""
        out: dict[dt.date, set[str]] = defaultdict(set)
        for event in self.shown():
            for day in event.days():
                out[day].add(event.category.key)
        return {d: sorted((self.categories[k] for k in keys), key=lambda c: c.order)
                for d, keys in out.items()}

    def used_categories(self) -> list[Category]:
        keys = {e.category.key for e in self.shown()}
        return sorted((c for c in self.categories.values() if c.key in keys),
                      key=lambda c: c.order)

    def months(self) -> list[tuple[int, int]]:
        """(year, month) of every month the year at a glance shows, in order: from the last
        `start_month` on or before the school year's first day to the first `end_month` on or
        after its last (see glance_problem for when that is more than 12)."""
        first_month = self.content.start_month or self.year.start.month
        last_month = self.content.end_month or self.year.end.month
        year = self.year.start.year - (1 if first_month > self.year.start.month else 0)
        last = (self.year.end.year + (1 if last_month < self.year.end.month else 0), last_month)
        out = [(year, first_month)]
        while out[-1] < last and len(out) < MAX_GLANCE_MONTHS + 12:
            y, m = out[-1]
            out.append((y + m // 12, m % 12 + 1))
        return out

    def glance_problem(self) -> str | None:
        """Why the year at a glance cannot show the whole school year, if it cannot."""
        months = self.months()
        if len(months) <= MAX_GLANCE_MONTHS:
            return None
        (y1, m1), (y2, m2) = months[0], months[-1]
        hint = ""
        if self.content.start_month and self.content.start_month > self.year.start.month:
            hint = (f" (start_month {self.content.start_month} comes after the month the "
                    f"school year starts in, so it is taken from the year before)")
        return (f"the year at a glance would run from {y1}-{m1:02d} to {y2}-{m2:02d}, "
                f"{len(months)} months, to show the whole school year ({self.year.start} to "
                f"{self.year.end}); it holds at most {MAX_GLANCE_MONTHS}{hint}")

    def week_start(self, lang: str) -> int:
        """The first weekday of a week row (0 Monday ... 6 Sunday), by setting or locale."""
        if self.content.week_start != "auto":
            return WEEKDAYS.index(self.content.week_start)
        territory = self.country
        if territory is None:  # the school is where its default language's likely country is
            likely = get_global("likely_subtags").get(lang, "")
            territory = likely.split("_")[-1] if "_" in likely else None
        try:
            locale = Locale.parse(lang)
            if territory is None:
                return locale.first_week_day
            try:
                return Locale(locale.language, territory).first_week_day
            except UnknownLocaleError:  # no "ar_US": the week is the country's, not the language's
                return Locale("en", territory).first_week_day
        except (UnknownLocaleError, ValueError, TypeError):
            return 6

    def key_dates(self, start: dt.date, end: dt.date, whole: bool = False) -> list[KeyDate]:
        """The key dates from `start` to `end`: runs of days and repeats folded, in date order.

        A run that starts before `start` or ends after `end` is cut to the window, unless
        `whole` (a month's list shows all of a break that runs into the next month).
        """
        groups: dict[tuple[str, str, dt.time | None], list[Event]] = defaultdict(list)
        for event in self.between(start, end):
            if event.key_date:
                groups[(_text_key(event.title), event.category.key, event.start_time)].append(event)
        out = []
        for (_, _, time), events in groups.items():
            spans = _merge_runs([(e.start, e.end) if whole else
                                 (max(e.start, start), min(e.end, end)) for e in events])
            first = events[0]
            out.append(_weekly(KeyDate(tuple(spans), first.title, first.category, time)))
        out.sort(key=lambda k: (k.start, k.category.order, k.time or dt.time(), _text_key(k.title)))
        return out

    def key_dates_by_month(self, start: dt.date, end: dt.date
                           ) -> list[tuple[dt.date, list[KeyDate]]]:
        """The key dates from `start` to `end` month by month: each month lists every key date
        that falls in it (an event that repeats across months is under each of them, with the
        days of that month; a break that runs into the next month is under both, whole)."""
        out = []
        month = start.replace(day=1)
        while month <= end:
            following = (month + dt.timedelta(days=32)).replace(day=1)
            keys = self.key_dates(max(month, start), min(following - dt.timedelta(days=1), end),
                                  whole=True)
            if keys:
                out.append((month, keys))
            month = following
        return out


def _text_key(text: Text) -> str:
    return repr(text.root)


def _merge_runs(spans: list[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    """Join spans that touch, or are only a weekend apart ("Winter break" as two weeks)."""
    merged: list[tuple[dt.date, dt.date]] = []
    for first, last in sorted(set(spans)):
        if merged:
            prev_first, prev_last = merged[-1]
            gap = [prev_last + dt.timedelta(days=n) for n in range(1, (first - prev_last).days)]
            multi = prev_last > prev_first or last > first
            if first <= prev_last + dt.timedelta(days=1) or (
                    multi and gap and all(d.weekday() >= 5 for d in gap)):
                merged[-1] = (prev_first, max(prev_last, last))
                continue
        merged.append((first, last))
    return merged


def _weekly(key: KeyDate) -> KeyDate:
    """Fold a weekly series ("every Wednesday") when it is mostly complete."""
    if len(key.spans) < 4 or any(a != b for a, b in key.spans):
        return key
    days = [a for a, _ in key.spans]
    if len({d.weekday() for d in days}) != 1:
        return key
    expected = [days[0] + dt.timedelta(weeks=n) for n in range((days[-1] - days[0]).days // 7 + 1)]
    skipped = tuple(d for d in expected if d not in set(days))
    if len(skipped) * 4 > len(expected):
        return key
    return KeyDate(key.spans, key.title, key.category, key.time, True, skipped)


def resolve_categories(content: CalendarContent) -> tuple[dict[str, Category], list[str]]:
    """Built-in categories with the content's changes, then its own; and what is wrong."""
    categories = default_categories()
    problems = []
    for key, spec in content.categories.items():
        base = categories.get(key)
        if base is None and spec.label is None:
            problems.append(f"category {key!r} is new, so it needs a `label`")
            continue
        categories[key] = _apply(key, spec, base, len(categories))
    return categories, problems


def _apply(key: str, spec: CategorySpec, base: Category | None, order: int) -> Category:
    return Category(
        key=key,
        label=spec.label or (base.label if base else Text(key)),
        colour=spec.colour or (base.colour if base else "#4a4f57"),
        mark=spec.mark or (base.mark if base else "dot"),
        key_dates=spec.key_dates if spec.key_dates is not None else
        (base.key_dates if base else True),
        order=base.order if base else order,
    )


def _fold(name: str) -> str:
    return re.sub(r"[\W_]+", "", name.casefold())


def find_category(name: str, categories: dict[str, Category]) -> Category | None:
    """The category a name means: its key or its label in any language, ignoring case and spaces."""
    wanted = _fold(name)
    for category in categories.values():
        labels = [category.key] + ([category.label.root] if isinstance(category.label.root, str)
                                   else list(category.label.root.values()))
        if any(_fold(label) == wanted for label in labels):
            return category
    return None


def suggest(name: str, categories: dict[str, Category]) -> str:
    """ "; did you mean 'no_school'?" or the list of categories."""
    close = difflib.get_close_matches(name, list(categories), n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; categories: {', '.join(categories)}"


def stable_uid(*parts: object) -> str:
    """A UID that stays the same from build to build for the same event."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:24]
    return f"{digest}@takehome"
