"""Reading .ics files: real exports, malformed ones, hostile rules, and an independent check."""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo
from pathlib import Path

import icalendar
import pytest
from dateutil.rrule import rruleset, rrulestr

from takehome.build import load
from takehome.build.incremental import Cache
from takehome.errors import ContentError, Problems
from takehome.kinds.calendar import data, ics
from takehome.kinds.calendar.data import read_ics

from .conftest import CORPUS, SAMPLE, run

WIDE = (dt.date(2000, 1, 1), dt.date(2030, 12, 31))
MALFORMED = {  # file -> the line its error names
    "bad_rrule_missing_until_event.ics": 9,  # UNTL: a misspelt UNTIL
    "broken_ical.ics": 4,  # DTSTART;;VALUE=...
    "issue_165_missing_event.ics": 25,  # BYDAY=MO, TU, ... with spaces
    "parsing_error.ics": 19,  # an empty EXDATE
    "small_bad_calendar.ics": 1,  # cut short: no END:VCALENDAR
}
IMPORTS = {"Germany_Holidays.ics": 34, "ferien_bayern.ics": 83, "example.ics": 3,
           "each_week_but_one_deleted.ics": 7, "issue_62_moved_event.ics": 110,
           "event_with_recurrence_exdates_on_different_lines.ics": 10,
           "issue_112_missing_tzinfo_on_exdate.ics": 11, "bom_calendar.ics": 0,
           "calendar_with_unicode.ics": 0, "event_with_unicode_fields.ics": 1,
           "issue_201_mixed_datetime_and_date.ics": 1, "x_location.ics": 3698,
           "issue_237_fail_to_parse_timezone_with_non_ascii_tzid.ics": 1,
           "issue_53_description_parsed_properly.ics": 1}


def read(path: Path, window: tuple[dt.date, dt.date] = WIDE,
         zone: str | None = None) -> ics.Expanded:
    parsed, errors = ics.parse(path, read_ics(path))
    assert not errors, [str(e.problem) for e in errors]
    assert parsed is not None
    return ics.expand(parsed, window, zone)


def test_every_corpus_file_is_covered() -> None:
    assert {p.name for p in (CORPUS / "ics").glob("*.ics")} == set(MALFORMED) | set(IMPORTS)


@pytest.mark.parametrize("name, count", sorted(IMPORTS.items()))
def test_real_exports_import(name: str, count: int) -> None:
    assert len(read(CORPUS / "ics" / name).occurrences) == count


@pytest.mark.parametrize("name, line", sorted(MALFORMED.items()))
def test_malformed_files_name_the_file_and_line(name: str, line: int) -> None:
    path = CORPUS / "ics" / name
    parsed, errors = ics.parse(path, read_ics(path))
    if not errors:  # a rule only its expansion finds wrong
        assert parsed is not None
        with pytest.raises(ContentError) as caught:
            ics.expand(parsed, WIDE, None)
        errors = [caught.value]
    assert parsed is None or errors
    first = errors[0].problem
    assert first.path == path and first.line == line
    assert "Traceback" not in first.message and first.message


def test_details_of_real_exports() -> None:
    bavaria = read(CORPUS / "ics/ferien_bayern.ics").occurrences
    summer = next(o for o in bavaria if o.summary == "Sommerferien 2015 Bayern")
    # DTEND is the day after the last one.
    assert (summer.start, summer.end) == (dt.date(2015, 8, 1), dt.date(2015, 9, 14))
    # An EXDATE in UTC removes the Berlin-time occurrence it falls on across midnight.
    weekly = read(CORPUS / "ics/each_week_but_one_deleted.ics", zone="Europe/Berlin").occurrences
    assert dt.date(2019, 3, 11) not in {o.start for o in weekly} and len(weekly) == 7
    moved = read(CORPUS / "ics/issue_62_moved_event.ics").occurrences
    assert len({o.start for o in moved}) == len(moved)  # the override replaces, not duplicates
    unicode = read(CORPUS / "ics/event_with_unicode_fields.ics").occurrences[0]
    assert "ÄÖÜ äöü €" in unicode.summary and "Tribstrül" in unicode.location


def test_events_outside_the_window_are_counted() -> None:
    bavaria = read(CORPUS / "ics/ferien_bayern.ics", (dt.date(2025, 8, 1), dt.date(2026, 7, 31)))
    assert 0 < len(bavaria.occurrences) < 20 and bavaria.outside == 83 - len(bavaria.occurrences)


def _hostile(tmp_path: Path, rule: str) -> Path:
    path = tmp_path / "hostile.ics"
    path.write_text("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\nSUMMARY:Again\n"
                    f"DTSTART:20260901T100000\nRRULE:{rule}\nEND:VEVENT\nEND:VCALENDAR\n")
    return path


@pytest.mark.parametrize("rule, message", [
    ("FREQ=SECONDLY", "repeats secondly"),
    ("FREQ=DAILY;BYHOUR=1,2,3,4,5,6,7,8,9,10;BYMINUTE=1,2,3", "30 times a day"),
    ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "never happens"),
])
def test_hostile_rules_are_refused(tmp_path: Path, rule: str, message: str) -> None:
    hostile = _hostile(tmp_path, rule)
    _, errors = ics.parse(hostile, read_ics(hostile))
    assert errors and message in errors[0].problem.message and errors[0].problem.line == 6


@pytest.mark.parametrize("rule", ["FREQ=DAILY", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
                                  "FREQ=DAILY;INTERVAL=1;COUNT=100000000"])
def test_endless_rules_stop_with_the_year(tmp_path: Path, rule: str) -> None:
    started = time.perf_counter()
    expanded = read(_hostile(tmp_path, rule), (dt.date(2026, 8, 24), dt.date(2027, 6, 10)))
    assert time.perf_counter() - started < 5
    assert len(expanded.occurrences) <= 290


def independent(path: Path, zone: str, window: tuple[dt.date, dt.date]) -> set[tuple]:
    """The sample district file expanded with dateutil directly, without our importer."""
    tz = zoneinfo.ZoneInfo(zone)
    events = [c for c in icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")]
    moved = {(str(e["UID"]), e["RECURRENCE-ID"].dt) for e in events if "RECURRENCE-ID" in e}
    found = set()
    for event in events:
        start = event["DTSTART"].dt
        all_day = not isinstance(start, dt.datetime)
        first = dt.datetime.combine(start, dt.time()) if all_day else start
        if "RRULE" in event and "RECURRENCE-ID" not in event:
            rules = rruleset()
            rules.rrule(rrulestr(event["RRULE"].to_ical().decode(), dtstart=first))
            for prop, add in (("EXDATE", rules.exdate), ("RDATE", rules.rdate)):
                values = event.get(prop, [])
                for value in values if isinstance(values, list) else [values]:
                    for item in value.dts:
                        d = item.dt
                        add(dt.datetime.combine(d, dt.time()) if all_day else d)
            starts = list(rules)
        else:
            starts = [first]
        for when in starts:
            if "RECURRENCE-ID" not in event and (str(event["UID"]), when if not all_day
                                                 else when.date()) in moved:
                continue
            local = when.date() if all_day else when.astimezone(tz)
            day = local if all_day else local.date()
            if window[0] <= day <= window[1]:
                found.add((day, None if all_day else local.time(), str(event["SUMMARY"])))
    return found


def test_sample_district_file_matches_an_independent_expansion() -> None:
    path = SAMPLE / "calendar/district.ics"
    window = (dt.date(2026, 8, 24), dt.date(2027, 6, 10))
    ours = read(path, window, "America/Chicago").occurrences
    theirs = independent(path, "America/Chicago", window)
    assert len(ours) >= 100 and len(theirs) == len(ours)
    assert {(o.start, o.start_time, o.summary) for o in ours} == theirs
    early = [o for o in ours if o.summary.startswith("Early Release")]
    assert len(early) == 41 - 5  # every Wednesday from Sep 2 to Jun 9, less five EXDATEs
    board = sorted(o.start for o in ours if o.summary.startswith("Board of Education"))
    assert dt.date(2027, 1, 14) in board and dt.date(2027, 1, 12) not in board  # moved
    assert dt.date(2027, 6, 8) in board  # an RDATE


def test_a_malformed_file_stops_the_build_naming_its_line(project: Path) -> None:
    path = project / "content/calendar/district.ics"
    lines = path.read_text().splitlines()
    where = lines.index("DTSTART;VALUE=DATE:20261221")
    lines[where] = "DTSTART;;VALUE=DATE:20261221"
    path.write_text("\r\n".join(lines) + "\r\n")
    result = run("check", str(project))
    assert result.exit_code == 1
    assert f"district.ics:{where + 1}: error: cannot read" in result.output


def _events(project: Path, cache: Cache) -> list[tuple[str, str, str]]:
    calendar = load.load(project, Problems(), cache).calendar
    assert calendar is not None
    return [(e.start.isoformat(), e.title.get("en", "en"), e.source) for e in calendar.events]


def test_what_was_read_from_unchanged_files_is_kept_and_a_changed_file_is_read_again(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild takes the events of .ics files it read before, and the holidays it looked up,
    from what the last build kept (signed), without parsing or expanding them again."""
    cache = Cache(project)
    first = _events(project, cache)
    assert any(source.startswith("holidays:") for *_, source in first)

    def read_again(*_: object, **__: object) -> None:
        raise AssertionError("read again")

    with monkeypatch.context() as patch:
        for name in ("parse", "expand"):
            patch.setattr(ics, name, read_again)
        patch.setattr(data, "_holiday_names", read_again)
        assert _events(project, cache) == first
    district = project / "content" / "calendar" / "district.ics"
    text = district.read_text(encoding="utf-8")
    district.write_text(text.replace("SUMMARY:Labor Day", "SUMMARY:Labour Day", 1),
                        encoding="utf-8")
    changed = _events(project, cache)
    assert [e for e in changed if e not in first] == [
        next((day, "Labour Day" + title[len("Labor Day"):], source)
             for day, title, source in first
             if title.startswith("Labor Day") and source.startswith("content/calendar/"))]
