"""Imported events' repeats: expanded within the school year, with bounded work whatever the
rule says (an RRULE from year 1, a COUNT of a billion, a rule that never happens)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...budget import OutOfTime, time_budget
from ...errors import ContentError

if TYPE_CHECKING:
    import icalendar

    from .ics import Parsed

MAX_OCCURRENCES = 20_000  # per file, within the school year
# Steps a rule may take from its first day to the end of the school year (days for a daily
# rule, weeks for a weekly one, ... times its times a day): an RRULE starting in year 1 that
# repeats every hour is refused at once, whatever its COUNT says.
MAX_RULE_STEPS = 200_000
FILE_SECONDS = 5.0  # processor time for one file's repeats (a rule that never happens stops)
_PERIOD_DAYS = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 28, "YEARLY": 365}


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of an imported event, on the school's days and clock."""

    start: dt.date
    end: dt.date  # inclusive
    start_time: dt.time | None
    end_time: dt.time | None
    summary: str
    categories: tuple[str, ...]
    location: str
    line: int  # where its VEVENT begins
    uid: str


def _bound(event: icalendar.Component, until: dt.date) -> None:
    """Stop an open-ended rule soon after the school year, so expanding it always ends."""
    rule = event.get("RRULE")
    if rule is None or isinstance(rule, list) or "COUNT" in rule or not rule.get("FREQ"):
        return
    start = when(event, "DTSTART")
    if start is None:
        return
    limit: dt.date | dt.datetime = until
    if isinstance(start, dt.datetime):
        limit = dt.datetime.combine(until, dt.time())
        if start.tzinfo is not None:
            limit = limit.replace(tzinfo=dt.UTC)
    current = (rule.get("UNTIL") or [None])[0]
    if current is None or _as_date(current) > until:
        rule["UNTIL"] = [limit]


def when(event: icalendar.Component, name: str) -> dt.date | None:
    """A date or date-time property's value (a datetime is a date too), or None."""
    value = getattr(event.get(name), "dt", None)
    return value if isinstance(value, dt.date) else None


def _as_date(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _local(value: dt.date, zone: zoneinfo.ZoneInfo | None) -> dt.date | dt.datetime:
    if isinstance(value, dt.datetime) and value.tzinfo is not None and zone is not None:
        return value.astimezone(zone)
    return value


def _occurrence(event: icalendar.Component, zone: zoneinfo.ZoneInfo | None,
                line: int) -> Occurrence:
    first = when(event, "DTSTART")
    assert first is not None  # _check_event refused events without one
    start = _local(first, zone)
    end_value = when(event, "DTEND")
    end = _local(end_value, zone) if end_value is not None else start
    if isinstance(start, dt.datetime):
        last = end if isinstance(end, dt.datetime) else dt.datetime.combine(end, dt.time())
        # An evening event ending at midnight still belongs to its own day.
        last_day = (last - dt.timedelta(microseconds=1)).date() if last > start else start.date()
        start_time = start.time().replace(tzinfo=None)
        end_time = last.time().replace(tzinfo=None) if last > start else None
        first_day = start.date()
    else:  # all-day: DTEND is the day after the last one
        first_day, start_time, end_time = start, None, None
        last_day = _as_date(end) - dt.timedelta(days=1) if _as_date(end) > start else start
    categories: list[str] = []
    raw = event.get("CATEGORIES")
    for item in raw if isinstance(raw, list) else [raw] if raw is not None else []:
        categories += [str(c) for c in getattr(item, "cats", [item])]
    return Occurrence(first_day, last_day, start_time, end_time,
                      str(event.get("SUMMARY", "")).strip(), tuple(categories),
                      str(event.get("LOCATION", "")).strip(), line, str(event.get("UID", "")))


@dataclass
class Expanded:
    occurrences: list[Occurrence]
    outside: int  # events (or whole series) with no day in the window

    def dump(self) -> dict[str, Any]:
        """As JSON values (kept between builds: derived.py)."""
        return {"outside": self.outside, "occurrences": [
            [o.start.isoformat(), o.end.isoformat(), _clock(o.start_time), _clock(o.end_time),
             o.summary, list(o.categories), o.location, o.line, o.uid] for o in self.occurrences]}

    @classmethod
    def load(cls, kept: Any) -> Expanded:
        """What dump() gave."""
        return cls([Occurrence(dt.date.fromisoformat(start), dt.date.fromisoformat(end),
                               _time(start_time), _time(end_time), str(summary),
                               tuple(str(c) for c in categories), str(location), int(line),
                               str(uid))
                    for start, end, start_time, end_time, summary, categories, location, line, uid
                    in kept["occurrences"]], int(kept["outside"]))


def _clock(value: dt.time | None) -> str | None:
    return value.isoformat() if value is not None else None


def _time(value: str | None) -> dt.time | None:
    return dt.time.fromisoformat(value) if value is not None else None


def _steps(event: icalendar.Component, until: dt.date) -> tuple[int, dt.date | None]:
    """About how many steps expanding the event's rules up to `until` takes, and its start."""
    start = when(event, "DTSTART")
    raw = event.get("RRULE")
    rules = raw if isinstance(raw, list) else [raw] if raw is not None else []
    if start is None or not rules:
        return 0, None
    days = max(0, (until - _as_date(start)).days)
    steps = 0
    for rule in rules:
        freq = str((rule.get("FREQ") or [""])[0]).upper()
        interval = max(1, int((rule.get("INTERVAL") or [1])[0]))
        cycles = days // (_PERIOD_DAYS.get(freq, 1) * interval) + 1
        if rule.get("COUNT"):
            cycles = min(cycles, max(0, int(rule["COUNT"][0])))
        times = 1
        for part in ("BYHOUR", "BYMINUTE", "BYSECOND"):
            times *= max(1, len(rule.get(part, [])))
        steps += cycles * times
    return steps, _as_date(start)


def expand(parsed: Parsed, window: tuple[dt.date, dt.date], zone: str | None) -> Expanded:
    """Every occurrence that touches the window, recurring events expanded (bounded: a rule
    that would take too many steps is refused, and the file's expansion has a time budget)."""
    # Imported here: a build whose .ics files have not changed takes their events from what the
    # last build derived (derived.py), and needs neither.
    import icalendar
    import recurring_ical_events

    tz = zoneinfo.ZoneInfo(zone) if zone else None
    groups: dict[str, list[icalendar.Component]] = defaultdict(list)
    for i, c in enumerate(parsed.components):
        if c.name == "VEVENT":
            groups[str(c.get("UID") or f"#{i}")].append(c)
    start, end = window
    # A day's margin each side: the school's day may differ from the file's by a time zone.
    query_from, query_to = start - dt.timedelta(days=1), end + dt.timedelta(days=2)
    found: list[Occurrence] = []
    outside = 0
    zones = [c for c in parsed.components if c.name == "VTIMEZONE"]
    master_line = 1
    try:
        with time_budget(FILE_SECONDS):
            for events in groups.values():
                calendar = icalendar.Calendar()
                for component in zones:
                    calendar.add_component(component)
                for event in events:
                    _bound(event, query_to)
                    calendar.add_component(event)
                lines = {str(e.get("RECURRENCE-ID").dt if e.get("RECURRENCE-ID") else ""):
                         parsed.where[id(e)].line for e in events}
                master_line = lines.get("", min(lines.values()))
                for event in events:
                    steps, first = _steps(event, query_to)
                    if steps > MAX_RULE_STEPS:
                        raise ContentError(
                            f"RRULE repeats from {first}: about {steps:,} times before the "
                            f"school year ends; the limit is {MAX_RULE_STEPS:,} (start it "
                            "nearer the school year)", parsed.path, parsed.where[id(event)].line)
                try:
                    series = recurring_ical_events.of(calendar).between(query_from, query_to)
                except OutOfTime:
                    raise
                except Exception as exc:  # the library's own errors for a rule it cannot follow
                    raise ContentError(f"cannot expand this event's repeats: {exc}",
                                       parsed.path, master_line) from None
                kept = [o for o in (_occurrence(e, tz, master_line) for e in series)
                        if o.end >= start and o.start <= end]
                if not kept:
                    outside += 1
                found += kept
                if len(found) > MAX_OCCURRENCES:
                    raise ContentError(f"more than {MAX_OCCURRENCES:,} events in one school "
                                       "year", parsed.path)
    except OutOfTime:
        raise ContentError(f"expanding this file's repeating events took more than "
                           f"{FILE_SECONDS:.0f} s; stopped at this event (does its RRULE ever "
                           "happen?)", parsed.path, master_line) from None
    found.sort(key=lambda o: (o.start, o.start_time or dt.time(), o.summary))
    return Expanded(found, outside)
