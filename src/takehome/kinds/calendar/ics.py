"""iCalendar files: reading district and PTA exports with line numbers; the family export."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import icalendar
from icalendar.parser import Contentline

from ...errors import ContentError
from .repeats import Expanded, Occurrence, expand, when
from .schoolyear import stable_uid

__all__ = ["Expanded", "Occurrence", "Parsed", "expand", "export", "parse", "stable_uid"]

if TYPE_CHECKING:
    from .schoolyear import Event

MAX_TIMES_A_DAY = 24  # a rule may repeat at most this many times a day (BYHOUR x BYMINUTE x ...)
SUB_DAILY = {"HOURLY", "MINUTELY", "SECONDLY"}
_DATE_PROPS = ("DTSTART", "DTEND", "DUE", "RECURRENCE-ID", "EXDATE", "RDATE")


@dataclass
class _Component:
    name: str
    line: int
    props: list[tuple[str, int, str]] = field(default_factory=list)  # (name, line, content line)


@dataclass
class Parsed:
    """A read .ics file: its components (in file order) and where each one sits."""

    path: Path
    components: list[icalendar.Component]
    where: dict[int, _Component]  # id(component) -> its lines
    zone: str | None  # the time zone the file says its events are in, if zoneinfo knows it
    updated: dt.date | None  # the newest LAST-MODIFIED or DTSTAMP


def _content_lines(text: str) -> list[tuple[int, str]]:
    """Unfold the file's lines (RFC 5545 3.1), keeping the line each content line starts on."""
    out: list[tuple[int, str]] = []
    for number, raw in enumerate(re.split(r"\r\n|\n|\r", text), 1):
        if raw[:1] in (" ", "\t") and out:
            out[-1] = (out[-1][0], out[-1][1] + raw[1:])
        elif raw.strip():
            out.append((number, raw))
    return out


def _scan(path: Path, lines: list[tuple[int, str]]) -> tuple[list[_Component], list[ContentError]]:
    """Check the structure line by line: every content line readable, BEGIN and END paired."""
    errors: list[ContentError] = []
    stack: list[_Component] = []
    order: list[_Component] = []
    for number, text in lines:
        try:
            name, _params, value = Contentline(text).parts()  # type: ignore[no-untyped-call]
        except ValueError as exc:
            errors.append(ContentError(f"cannot read {_short(text)!r}: {_reason(exc)}", path,
                                       number))
            continue
        name = name.upper()
        if name == "BEGIN":
            component = _Component(value.upper(), number)
            stack.append(component)
            order.append(component)
        elif name == "END":
            if not stack or stack[-1].name != value.upper():
                expected = f"END:{stack[-1].name}" if stack else "nothing"
                errors.append(ContentError(f"END:{value} where {expected} was expected", path,
                                           number))
                return order, errors
            stack.pop()
        elif stack:
            stack[-1].props.append((name, number, text))
        else:
            errors.append(ContentError(f"{name} outside any BEGIN/END block", path, number))
    if stack:
        errors.append(ContentError(f"BEGIN:{stack[-1].name} is never closed (is the file cut "
                                   "short?)", path, stack[-1].line))
    if not order:
        errors.append(ContentError("not an iCalendar file: no BEGIN:VCALENDAR", path, 1))
    return order, errors


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _reason(exc: Exception) -> str:
    """icalendar's message without the line it repeats."""
    return str(exc).rsplit("': ", 1)[-1] if "could not be parsed" in str(exc) else str(exc)


def _broken_line(component: _Component, prop: str | None) -> int:
    """The line of the property icalendar could not read (trying each line of that name)."""
    for name, number, text in component.props:
        if prop is not None and name != prop.upper():
            continue
        probe = icalendar.Event.from_ical(f"BEGIN:VEVENT\r\n{text}\r\nEND:VEVENT\r\n")
        if probe.errors:
            return number
    return next((n for name, n, _ in component.props if name == (prop or "").upper()),
                component.line)


def parse(path: Path, text: str) -> tuple[Parsed | None, list[ContentError]]:
    """Read one .ics file (its `text`); a malformed one gives errors naming its lines."""
    order, errors = _scan(path, _content_lines(text))
    if errors:
        return None, errors
    try:
        roots = icalendar.Component.from_ical(text, multiple=True)
    except ValueError as exc:  # the scan above catches what we know of; keep the message
        return None, [ContentError(f"not a valid iCalendar file: {exc}", path)]
    components = [c for root in roots for c in root.walk()]
    if len(components) != len(order):  # should not happen: both walk the file in order
        return None, [ContentError("could not match the file's components to its lines", path)]
    where = {id(c): scanned for c, scanned in zip(components, order, strict=True)}
    for component in components:
        scanned = where[id(component)]
        broken = getattr(component, "errors", [])
        for prop, message in broken:
            errors.append(ContentError(f"{prop or 'line'}: {message}", path,
                                       _broken_line(scanned, prop)))
        if component.name == "VEVENT" and not broken:
            errors += _check_event(path, component, scanned)
    if errors:
        return None, errors
    return Parsed(path, components, where, _file_zone(components), _updated(components)), []


def _check_event(path: Path, event: icalendar.Component, scanned: _Component) -> list[ContentError]:
    """What an event needs to be placed on the calendar, and a bound on how often it repeats."""
    errors = []
    if "DTSTART" not in event:
        errors.append(ContentError("event has no DTSTART (start date)", path, scanned.line))
    elif when(event, "DTSTART") is None:
        errors.append(ContentError("the event's DTSTART is not a date", path, scanned.line))
    for rule in event.get("RRULE", []) if isinstance(event.get("RRULE"), list) else \
            [event.get("RRULE")] if event.get("RRULE") is not None else []:
        line = next((n for name, n, _ in scanned.props if name == "RRULE"), scanned.line)
        freq = (rule.get("FREQ") or [""])[0]
        if not freq:
            continue  # an empty RRULE: the event happens once (some exports write one)
        if str(freq).upper() in SUB_DAILY:
            errors.append(ContentError(f"RRULE repeats {str(freq).lower()}; a school calendar "
                                       "event can repeat at most daily", path, line))
        times = 1
        for part in ("BYHOUR", "BYMINUTE", "BYSECOND"):
            times *= max(1, len(rule.get(part, [])))
        if times > MAX_TIMES_A_DAY:
            errors.append(ContentError(f"RRULE repeats {times} times a day; the limit is "
                                       f"{MAX_TIMES_A_DAY}", path, line))
        if _never(rule):
            errors.append(ContentError("RRULE never happens (no month has such a day)", path,
                                       line))
        unknown = sorted(set(rule) - set(icalendar.prop.vRecur.types) - {"RSCALE", "SKIP"})
        if unknown:
            errors.append(ContentError(f"RRULE has unknown part(s) {', '.join(unknown)}", path,
                                       line))
    return errors


def _never(rule: icalendar.prop.vRecur) -> bool:
    """A rule whose days exist in none of its months (February 30): the expander would search
    every year to 9999 for one, since it only stops at UNTIL once something happens."""
    days = [int(d) for d in rule.get("BYMONTHDAY", [])]
    if not days:
        return False
    months = [int(m) for m in rule.get("BYMONTH", [])] or list(range(1, 13))
    longest = {m: 29 if m == 2 else 30 if m in (4, 6, 9, 11) else 31 for m in months}
    return not any(-longest[m] <= d <= longest[m] and d != 0 for m in months for d in days)


def _file_zone(components: list[icalendar.Component]) -> str | None:
    """X-WR-TIMEZONE, or the first VTIMEZONE whose TZID zoneinfo knows."""
    names = [str(c.get("X-WR-TIMEZONE")) for c in components if c.get("X-WR-TIMEZONE")]
    names += [str(c.get("TZID")) for c in components if c.name == "VTIMEZONE"]
    for name in names:
        try:
            zoneinfo.ZoneInfo(name)
            return name
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
    return None


def _updated(components: list[icalendar.Component]) -> dt.date | None:
    stamps = []
    for c in components:
        if c.name != "VEVENT":
            continue
        for prop in ("LAST-MODIFIED", "DTSTAMP"):
            value = c.get(prop)
            if value is not None and isinstance(getattr(value, "dt", None), dt.date):
                stamps.append(value.dt if not isinstance(value.dt, dt.datetime)
                              else value.dt.date())
                break
    return max(stamps) if stamps else None


def export(events: list[Event], *, name: str, lang: str, default: str, zone: str | None,
           stamp: dt.date) -> str:
    """The events as an .ics file for families' phones; reading it back gives the same events."""
    tz = zoneinfo.ZoneInfo(zone) if zone else None
    calendar = icalendar.Calendar()
    calendar.add("PRODID", "-//takehome//School calendar//EN")
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    calendar.add("X-WR-CALNAME", name)
    if zone:
        calendar.add("X-WR-TIMEZONE", zone)
    # A fixed stamp, not the build time: the same calendar gives the same file.
    dtstamp = dt.datetime.combine(stamp, dt.time(), dt.UTC)
    for event in events:
        item = icalendar.Event()
        item.add("UID", event.uid)
        item.add("DTSTAMP", dtstamp)
        item.add("SUMMARY", event.title.get(lang, default))
        if event.start_time is None:
            item.add("DTSTART", event.start)
            item.add("DTEND", event.end + dt.timedelta(days=1))
        else:
            item.add("DTSTART", dt.datetime.combine(event.start, event.start_time, tz))
            if event.end_time is not None:
                item.add("DTEND", dt.datetime.combine(event.end, event.end_time, tz))
        if event.location is not None:
            item.add("LOCATION", event.location.get(lang, default))
        item.add("CATEGORIES", [event.category.label.get(lang, default)])
        item.add("TRANSP", "TRANSPARENT")  # a school day off does not make the parent busy
        calendar.add_component(item)
    if tz is not None:
        calendar.add_missing_timezones()
    return bytes(calendar.to_ical()).decode("utf-8")
