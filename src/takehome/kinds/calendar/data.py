"""Loading the school calendar: content/calendar.yaml, every .ics in content/calendar/, holidays."""

from __future__ import annotations

import datetime as dt
import difflib
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ... import i18n
from ...errors import ContentError, Problems
from ...i18n import N_
from ...models.base import Text
from ...validate import load_model
from ...yamlfile import Loaded
from . import ics
from .model import CalendarContent, ImportSpec
from .schoolyear import Calendar, Category, Event, find_category, resolve_categories, suggest

if TYPE_CHECKING:
    from ...models.settings import Settings

CALENDAR_FILE = "calendar.yaml"
ICS_FOLDER = "calendar"
MAX_ICS_FILES = 100


def ics_files(content: Path) -> list[Path]:
    folder = content / ICS_FOLDER
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".ics")


def load_calendar(root: Path, settings: Settings, problems: Problems) -> Calendar | None:
    """The project's calendar, or None when it has neither calendar.yaml nor .ics files."""
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
    _imports(calendar, root, files, path, loaded, problems)
    _holidays(calendar, path, loaded, problems)
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
                ics.stable_uid("yaml", i, first.isoformat())))


def _imports(calendar: Calendar, root: Path, files: list[Path], path: Path,
             loaded: Loaded | None, problems: Problems) -> None:
    names = {f.name for f in files}
    for name in calendar.content.imports:
        if name not in names:
            _error(problems, path, loaded, ("imports", name),
                   f"no file {name!r} in content/{ICS_FOLDER}/, so this entry is not used; "
                   f"files there: {', '.join(sorted(names)) or 'none'}", warn=True)
    parsed: list[ics.Parsed] = []
    for file in files:
        try:
            result, errors = ics.parse(file, root)
        except ContentError as exc:
            result, errors = None, [exc]
        for error in errors:
            problems.add(error.problem)
        if result is not None:
            parsed.append(result)
    calendar.zone = calendar.content.timezone or next((p.zone for p in parsed if p.zone), None)
    stamps = [p.updated for p in parsed if p.updated]
    calendar.updated = calendar.content.updated or (max(stamps) if stamps else None)
    for result in parsed:
        spec = calendar.content.imports.get(result.path.name, ImportSpec())
        default = None
        if spec.category is not None:
            default = _category(calendar, spec.category, path, loaded,
                                ("imports", result.path.name, "category"), problems)
        mapping = {}
        for theirs, ours in spec.categories.items():
            found = _category(calendar, ours, path, loaded,
                              ("imports", result.path.name, "categories", theirs), problems)
            if found is not None:
                mapping[_fold(theirs)] = found
        try:
            expanded = ics.expand(result, (calendar.year.start, calendar.year.end), calendar.zone)
        except ContentError as exc:
            problems.add(exc.problem)
            continue
        _add_occurrences(calendar, root, result.path, expanded, spec, default, mapping, problems)


def _fold(name: str) -> str:
    return "".join(c for c in name.casefold() if c.isalnum())


def _add_occurrences(calendar: Calendar, root: Path, file: Path, expanded: ics.Expanded,
                     spec: ImportSpec, default: Category | None,
                     mapping: dict[str, Category], problems: Problems) -> None:
    relative = file.relative_to(root).as_posix()
    unmapped: dict[str, list[ics.Occurrence]] = defaultdict(list)
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
            f"{relative}:{occ.line}", ics.stable_uid(relative, occ.uid, occ.start.isoformat(),
                                                     occ.start_time or "")))
    if unmapped:
        _warn_unmapped(calendar, file, unmapped, problems)
    calendar.outside += expanded.outside
    if expanded.outside:
        problems.warn(f"{expanded.outside} event(s) outside the school year "
                      f"({calendar.year.start.isoformat()} to {calendar.year.end.isoformat()}) "
                      "were left out", file)


def _warn_unmapped(calendar: Calendar, file: Path, unmapped: dict[str, list[ics.Occurrence]],
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


def _holidays(calendar: Calendar, path: Path, loaded: Loaded | None, problems: Problems) -> None:
    spec = calendar.content.holidays
    if spec is None:
        return
    import holidays  # imported here: its country data is large and most builds do not need it

    category = _category(calendar, spec.category, path, loaded, ("holidays", "category"), problems)
    if category is None:
        return
    year = calendar.year
    years = list(range(year.start.year, year.end.year + 1))
    by_language: dict[str, dict[dt.date, str]] = {}
    try:
        base = holidays.country_holidays(spec.country.upper(), subdiv=spec.subdivision, years=years)
    except NotImplementedError:
        _error(problems, path, loaded, ("holidays", "country"),
               f"the holidays package has no data for country {spec.country!r}")
        return
    except Exception as exc:  # an unknown subdivision, for one
        _error(problems, path, loaded, ("holidays",), f"holidays: {exc}")
        return
    for lang in i18n.catalog_languages():
        code = next((c for c in (base.supported_languages or ())
                     if c.split("_")[0] == lang), None)
        if code is not None:
            by_language[lang] = dict(holidays.country_holidays(
                spec.country.upper(), subdiv=spec.subdivision, years=years, language=code))
    for day, name in sorted(base.items()):
        if not year.start <= day <= year.end:
            continue
        names = {lang: table[day] for lang, table in by_language.items() if day in table}
        title = Text(names) if names else Text(name)
        calendar.events.append(Event(day, day, title, category, key_date=category.key_dates,
                                     source=f"holidays:{spec.country.upper()}", public_holiday=True,
                                     uid=ics.stable_uid("holiday", day.isoformat(), name)))


def _first_and_last_day(calendar: Calendar) -> None:
    """The school year's first and last days, unless the content already marks them."""
    have = {e.category.key for e in calendar.events}
    for key, day, message in (("first_day", calendar.year.start, N_("First day of school")),
                              ("last_day", calendar.year.end, N_("Last day of school"))):
        if key not in have:
            category = calendar.categories[key]
            calendar.events.append(Event(day, day, Text(i18n.catalog_text(message)), category,
                                         key_date=category.key_dates, source="settings.yaml",
                                         uid=ics.stable_uid(key, day.isoformat())))
