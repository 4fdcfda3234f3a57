"""Loading the school calendar: content/calendar.yaml, every .ics in content/calendar/, holidays."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ... import i18n
from ...derived import Derived
from ...errors import ContentError, Problems
from ...i18n import N_
from ...models.base import Text
from ...validate import load_model
from ...yamlfile import Loaded, read_text
from .model import CalendarContent, ImportSpec
from .repeats import Expanded, Occurrence
from .schoolyear import (
    Calendar,
    Category,
    Event,
    find_category,
    resolve_categories,
    stable_uid,
    suggest,
)

if TYPE_CHECKING:
    from ...models.settings import Settings
    from . import ics

CALENDAR_FILE = "calendar.yaml"
ICS_FOLDER = "calendar"
MAX_ICS_FILES = 100
MAX_ICS_BYTES = 5_000_000
ICS_LIBRARIES = ("icalendar", "recurring-ical-events")  # what reads them


def ics_files(content: Path) -> list[Path]:
    folder = content / ICS_FOLDER
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".ics")


def read_ics(path: Path, root: Path | None = None) -> str:
    """An .ics file's text (inside `root`, of a bounded size); raises ContentError."""
    return read_text(path, MAX_ICS_BYTES, root)


def load_calendar(root: Path, settings: Settings, problems: Problems,
                  derived: Derived | None = None) -> Calendar | None:
    """The project's calendar, or None when it has neither calendar.yaml nor .ics files.
    `derived`: what earlier builds read from the same .ics files and holiday tables."""
    derived = derived or Derived()
    content_dir = root / "content"
    path = content_dir / CALENDAR_FILE
    files = ics_files(content_dir)
    if not path.is_file() and not files:
        return None
    if len(files) > MAX_ICS_FILES:  # each has a time budget: their number is bounded too
        problems.error(f"{len(files)} .ics files; the limit is {MAX_ICS_FILES}",
                       content_dir / ICS_FOLDER)
        return None
    loaded: Loaded | None = None
    if path.is_file():
        content, loaded = load_model(path, CalendarContent, problems, root)
        if content is None:
            return None
    else:
        content = CalendarContent()
    before = len(problems.errors)
    categories, messages = resolve_categories(content)
    for message in messages:
        _error(problems, path, loaded, ("categories",), message)
    calendar = Calendar(settings.year, content, categories,
                        country=content.holidays.country.upper() if content.holidays else None,
                        path=path if path.is_file() else content_dir / ICS_FOLDER, loaded=loaded)
    glance = calendar.glance_problem()
    if glance:
        key = "start_month" if content.start_month else "end_month" if content.end_month else None
        if key:
            _error(problems, path, loaded, (key,), glance)
        else:
            problems.error(glance, content_dir / "settings.yaml")
    inputs = ([path] if path.is_file() else []) + files
    calendar.sources = tuple(p.relative_to(root).as_posix() for p in inputs)
    _yaml_events(calendar, path, loaded, problems)
    _imports(calendar, root, files, path, loaded, problems, derived)
    _holidays(calendar, path, loaded, problems, derived)
    _first_and_last_day(calendar)
    calendar.events.sort(key=lambda e: (e.start, e.category.order, e.start_time or dt.time(),
                                        e.end))
    return calendar if len(problems.errors) == before else None


def _error(problems: Problems, path: Path, loaded: Loaded | None, loc: tuple[str | int, ...],
           message: str, *, warn: bool = False) -> None:
    line, col = loaded.marks.locate(loc) if loaded else (None, None)
    (problems.warn if warn else problems.error)(message, path, line, col)


def _category(calendar: Calendar, name: str, path: Path, loaded: Loaded | None,
              loc: tuple[str | int, ...], problems: Problems) -> Category | None:
    category = calendar.categories.get(name)
    if category is None:
        _error(problems, path, loaded, loc, f"unknown category {name!r}"
               f"{suggest(name, calendar.categories)}")
    return category


def _yaml_events(calendar: Calendar, path: Path, loaded: Loaded | None,
                 problems: Problems) -> None:
    year = calendar.year
    for i, spec in enumerate(calendar.content.events):
        category = _category(calendar, spec.category, path, loaded, ("events", i, "category"),
                             problems)
        if category is None:
            continue
        line, _ = loaded.marks.locate(("events", i)) if loaded else (None, None)
        for first, last in spec.spans():
            if last < year.start or first > year.end:
                _error(problems, path, loaded, ("events", i),
                       f"{first.isoformat()} is outside the school year "
                       f"({year.start.isoformat()} to {year.end.isoformat()}); it is left out",
                       warn=True)
                continue
            calendar.events.append(Event(
                first, last, spec.title, category, spec.time, spec.end_time, spec.location,
                spec.key_date if spec.key_date is not None else category.key_dates,
                f"content/{CALENDAR_FILE}:{line}",
                stable_uid("yaml", i, first.isoformat())))


@dataclass
class _Read:
    """An .ics file as this build parsed it, or as an earlier one did (the same bytes)."""

    path: Path
    text: str
    asked: list[str]  # what its reading is kept by: the libraries, the file's hash
    zone: str | None  # the time zone the file says its events are in
    updated: dt.date | None
    parsed: ics.Parsed | None = None  # parsed by this build
    failed: bool = False  # could not be parsed (the errors are reported)

    def dump(self) -> dict[str, Any] | None:
        if self.failed:
            return None
        return {"zone": self.zone, "updated": self.updated and self.updated.isoformat()}

    def expanded(self, window: tuple[dt.date, dt.date], zone: str | None) -> Expanded:
        from . import ics  # (and the iCalendar library) only when a file must be read

        parsed = self.parsed or ics.parse(self.path, self.text)[0]  # read cleanly before
        assert parsed is not None
        return ics.expand(parsed, window, zone)


def _read(file: Path, root: Path, derived: Derived, problems: Problems) -> _Read | None:
    """The file's reading, or None if it cannot be used (its problems are reported)."""
    try:
        text = read_ics(file, root)
    except ContentError as exc:
        problems.add(exc.problem)
        return None
    asked = ["ics", *(f"{lib}={version(lib)}" for lib in ICS_LIBRARIES),
             hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()]

    def parse() -> _Read:
        from . import ics

        parsed, errors = ics.parse(file, text)
        for error in errors:
            problems.add(error.problem)
        if parsed is None:
            return _Read(file, text, asked, None, None, failed=True)
        return _Read(file, text, asked, parsed.zone, parsed.updated, parsed)

    def kept(value: Any) -> _Read:
        zone, updated = value["zone"], value["updated"]
        return _Read(file, text, asked, str(zone) if zone else None,
                     dt.date.fromisoformat(updated) if updated else None)

    reading = derived.get(asked, parse, _Read.dump, kept)
    return None if reading.failed else reading


def _imports(calendar: Calendar, root: Path, files: list[Path], path: Path,
             loaded: Loaded | None, problems: Problems, derived: Derived) -> None:
    names = {f.name for f in files}
    for name in calendar.content.imports:
        if name not in names:
            _error(problems, path, loaded, ("imports", name),
                   f"no file {name!r} in content/{ICS_FOLDER}/, so this entry is not used; "
                   f"files there: {', '.join(sorted(names)) or 'none'}", warn=True)
    readings = [r for r in (_read(file, root, derived, problems) for file in files) if r]
    calendar.zone = calendar.content.timezone or next((r.zone for r in readings if r.zone), None)
    stamps = [r.updated for r in readings if r.updated]
    calendar.updated = calendar.content.updated or (max(stamps) if stamps else None)
    window = (calendar.year.start, calendar.year.end)
    for reading in readings:
        spec = calendar.content.imports.get(reading.path.name, ImportSpec())
        default = None
        if spec.category is not None:
            default = _category(calendar, spec.category, path, loaded,
                                ("imports", reading.path.name, "category"), problems)
        mapping = {}
        for theirs, ours in spec.categories.items():
            found = _category(calendar, ours, path, loaded,
                              ("imports", reading.path.name, "categories", theirs), problems)
            if found is not None:
                mapping[_fold(theirs)] = found
        try:
            expanded = derived.get(
                [*reading.asked, "expanded", *(d.isoformat() for d in window), calendar.zone],
                partial(reading.expanded, window, calendar.zone), Expanded.dump, Expanded.load)
        except ContentError as exc:
            problems.add(exc.problem)
            continue
        _add_occurrences(calendar, root, reading.path, expanded, spec, default, mapping, problems)


def _fold(name: str) -> str:
    return "".join(c for c in name.casefold() if c.isalnum())


def _add_occurrences(calendar: Calendar, root: Path, file: Path, expanded: Expanded,
                     spec: ImportSpec, default: Category | None,
                     mapping: dict[str, Category], problems: Problems) -> None:
    relative = file.relative_to(root).as_posix()
    unmapped: dict[str, list[Occurrence]] = defaultdict(list)
    for occ in expanded.occurrences:
        category = next((mapping[_fold(c)] for c in occ.categories if _fold(c) in mapping), None)
        category = category or next((found for c in occ.categories
                                     if (found := find_category(c, calendar.categories))), None)
        if category is None and occ.categories and default is None:
            unmapped[occ.categories[0]].append(occ)
        category = category or default or calendar.categories["school_event"]
        calendar.events.append(Event(
            occ.start, occ.end, Text(occ.summary or "—"), category, occ.start_time,
            occ.end_time, Text(occ.location) if occ.location else None,
            spec.key_dates if spec.key_dates is not None else category.key_dates,
            f"{relative}:{occ.line}", stable_uid(relative, occ.uid, occ.start.isoformat(),
                                                     occ.start_time or "")))
    if unmapped:
        _warn_unmapped(calendar, file, unmapped, problems)
    calendar.outside += expanded.outside
    if expanded.outside:
        problems.warn(f"{expanded.outside} event(s) outside the school year "
                      f"({calendar.year.start.isoformat()} to {calendar.year.end.isoformat()}) "
                      "were left out", file)


def _warn_unmapped(calendar: Calendar, file: Path, unmapped: dict[str, list[Occurrence]],
                   problems: Problems) -> None:
    """One warning for a file's CATEGORIES that name none of the calendar's categories (their
    events are shown as school events), with a mapping to paste into calendar.yaml."""
    keys = list(calendar.categories)
    folded = {_fold(k): k for k in keys}
    ranked = sorted(unmapped.items(), key=lambda x: -len(x[1]))
    # The near miss, if any ("No School Day" -> no_school); else what the events are now.
    mapping = {name: folded.get(next(iter(difflib.get_close_matches(
        _fold(name), folded, n=1, cutoff=0.75)), ""), "school_event") for name, _ in ranked}
    events = sum(len(occs) for occs in unmapped.values())
    values = ", ".join(f"{name!r} ({len(occs)} event{'s' if len(occs) != 1 else ''})"
                       for name, occs in ranked)
    snippet = yaml.safe_dump({"imports": {file.name: {"categories": mapping}}},
                             allow_unicode=True, sort_keys=False, default_flow_style=False)
    first = min((occs[0] for occs in unmapped.values()), key=lambda o: o.line)
    problems.warn(
        f"{len(unmapped)} CATEGORIES value{'s' if len(unmapped) != 1 else ''} of this file "
        f"name{'s' if len(unmapped) == 1 else ''} none of the calendar's categories, so "
        f"{events} event{'s are' if events != 1 else ' is'} shown as school_event: {values}. "
        f"To choose, edit and add to content/{CALENDAR_FILE} (categories: {', '.join(keys)}), "
        f"or give the file a default category there:\n{snippet.rstrip()}", file, first.line)


def _holidays(calendar: Calendar, path: Path, loaded: Loaded | None, problems: Problems,
              derived: Derived) -> None:
    spec = calendar.content.holidays
    if spec is None:
        return
    category = _category(calendar, spec.category, path, loaded, ("holidays", "category"), problems)
    if category is None:
        return
    year = calendar.year
    years = list(range(year.start.year, year.end.year + 1))
    country = spec.country.upper()
    try:
        base, by_language = derived.get(
            ["holidays", version("holidays"), country, spec.subdivision, years,
             i18n.catalog_languages()],
            lambda: _holiday_names(country, spec.subdivision, years), _dump_names, _load_names)
    except NotImplementedError:
        _error(problems, path, loaded, ("holidays", "country"),
               f"the holidays package has no data for country {spec.country!r}")
        return
    except Exception as exc:  # an unknown subdivision, for one
        _error(problems, path, loaded, ("holidays",), f"holidays: {exc}")
        return
    for day, name in sorted(base.items()):
        if not year.start <= day <= year.end:
            continue
        names = {lang: table[day] for lang, table in by_language.items() if day in table}
        title = Text(names) if names else Text(name)
        calendar.events.append(Event(day, day, title, category, key_date=category.key_dates,
                                     source=f"holidays:{country}", public_holiday=True,
                                     uid=stable_uid("holiday", day.isoformat(), name)))


_Names = tuple[dict[dt.date, str], dict[str, dict[dt.date, str]]]


def _holiday_names(country: str, subdivision: str | None, years: list[int]) -> _Names:
    """The country's public holidays in those years, and their names in each catalog language
    the holidays package has them in."""
    import holidays  # imported here: its country data is large and most builds do not need it

    base = holidays.country_holidays(country, subdiv=subdivision, years=years)
    by_language: dict[str, dict[dt.date, str]] = {}
    for lang in i18n.catalog_languages():
        code = next((c for c in (base.supported_languages or ())
                     if c.split("_")[0] == lang), None)
        if code is not None:
            by_language[lang] = dict(holidays.country_holidays(
                country, subdiv=subdivision, years=years, language=code))
    return dict(base), by_language


def _dump_names(names: _Names) -> Any:
    base, by_language = names
    return {"base": _by_iso(base), "names": {k: _by_iso(v) for k, v in by_language.items()}}


def _load_names(kept: Any) -> _Names:
    return _by_date(kept["base"]), {str(k): _by_date(v) for k, v in kept["names"].items()}


def _by_iso(table: dict[dt.date, str]) -> dict[str, str]:
    return {day.isoformat(): name for day, name in table.items()}


def _by_date(table: dict[str, Any]) -> dict[dt.date, str]:
    return {dt.date.fromisoformat(day): str(name) for day, name in table.items()}


def _first_and_last_day(calendar: Calendar) -> None:
    """The school year's first and last days, unless the content already marks them."""
    have = {e.category.key for e in calendar.events}
    for key, day, message in (("first_day", calendar.year.start, N_("First day of school")),
                              ("last_day", calendar.year.end, N_("Last day of school"))):
        if key not in have:
            category = calendar.categories[key]
            calendar.events.append(Event(day, day, Text(i18n.catalog_text(message)), category,
                                         key_date=category.key_dates, source="settings.yaml",
                                         uid=stable_uid(key, day.isoformat())))
