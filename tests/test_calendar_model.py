"""The project's calendar: YAML events, imported .ics, holidays, and the folded key dates list."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from takehome.build.jinja import Renderer
from takehome.build.load import load_project
from takehome.errors import Problems
from takehome.kinds.calendar.schoolyear import Calendar

from .conftest import run

D = dt.date


def load(root: Path) -> tuple[Calendar | None, Problems]:
    problems = Problems()
    project = load_project(root, problems)
    assert project is not None
    return project.calendar, problems


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Calendar:
    from .conftest import SAMPLE

    root = tmp_path_factory.mktemp("cal")
    shutil.copytree(SAMPLE, root / "content")
    calendar, problems = load(root)
    assert not problems.errors, problems.errors
    assert calendar is not None
    return calendar


def titles(calendar: Calendar, day: dt.date, lang: str = "en") -> list[str]:
    return [e.title.get(lang, "en") for e in calendar.on(day)]


def test_yaml_events_in_both_languages(sample: Calendar) -> None:
    assert "Field trip: Springfield Nature Center" in titles(sample, D(2026, 10, 7))
    assert "Excursión: Centro de la Naturaleza" in titles(sample, D(2026, 10, 7), "es")
    trip = next(e for e in sample.on(D(2026, 10, 7)) if e.title.get("en", "en").startswith("Field"))
    assert trip.start_time == dt.time(9) and trip.end_time == dt.time(13, 30)
    assert trip.source.startswith("content/calendar.yaml:")
    assert [e.start for e in sample.events if e.title.get("en", "en") == "Family reading night"] \
        == [D(2026, 11, 19), D(2027, 2, 18), D(2027, 4, 22)]


def test_imported_events_take_mapped_categories(sample: Calendar) -> None:
    by_title = {e.title.get("en", "en"): e for e in sample.events}
    assert by_title["Winter Break"].category.key == "no_school"  # CATEGORIES:No School = label
    assert by_title["Winter Break"].end == D(2027, 1, 1)  # DTEND is exclusive
    assert by_title["Labor Day – No School"].category.key == "holiday"
    assert by_title["First Day of School – Grades 1–12"].category.key == "first_day"  # mapped
    assert by_title["Varsity Football vs. Riverside"].category.key == "district"  # file default
    assert by_title["Family Lotería Night"].category.key == "pta"  # a bilingual title, split
    # The built-in "first day" event is not added when the content has one.
    assert [e.category.key for e in sample.on(D(2026, 8, 24))].count("first_day") == 1


def test_times_are_on_the_school_clock(sample: Calendar) -> None:
    # 23:00 UTC on Oct 15 is 6 pm in Chicago; 04:00 UTC on Mar 3 is 10 pm on Mar 2.
    webinar = next(e for e in sample.events if "Webinar" in e.title.get("en", "en"))
    assert (webinar.start, webinar.start_time) == (D(2026, 10, 15), dt.time(18))
    tickets = next(e for e in sample.events if "Ticket" in e.title.get("en", "en"))
    assert (tickets.start, tickets.start_time) == (D(2027, 3, 2), dt.time(22))
    assert sample.outside == 7


def test_public_holidays_are_their_own_category(sample: Calendar) -> None:
    holidays = [e for e in sample.events if e.category.key == "public_holiday"]
    assert D(2026, 11, 26) in {e.start for e in holidays}  # Thanksgiving
    assert all(sample.year.start <= e.start <= sample.year.end for e in holidays)


def test_key_dates_fold_runs_and_repeats(sample: Calendar) -> None:
    keys = sample.key_dates(sample.year.start, sample.year.end)
    assert [k.start for k in keys] == sorted(k.start for k in keys)
    by_title = {k.title.get("en", "en"): k for k in keys}
    winter = by_title["Winter Break"]
    assert (winter.start, winter.end, winter.repeats) == (D(2026, 12, 21), D(2027, 1, 1), False)
    institute = by_title["Teacher Institute Day – No School for Students"]
    assert institute.spans == ((D(2026, 10, 9),) * 2, (D(2027, 1, 4),) * 2)
    early = by_title["Early Release Wednesday – Dismissal 1:15 pm"]
    assert early.weekly and D(2026, 11, 25) in early.skipped and early.end == D(2027, 6, 9)
    # Not listed: district events (key_dates: false), and a public holiday on a day off anyway.
    assert "Varsity Football vs. Riverside" not in by_title
    assert "Thanksgiving Day" not in by_title and "Election Day" in by_title


def test_key_dates_within_a_window(sample: Calendar) -> None:
    keys = sample.key_dates(D(2026, 12, 28), D(2027, 1, 10))
    winter = next(k for k in keys if k.title.get("en", "en") == "Winter Break")
    assert (winter.start, winter.end) == (D(2026, 12, 28), D(2027, 1, 1))  # clipped to the window
    assert all(k.end >= D(2026, 12, 28) and k.start <= D(2027, 1, 10) for k in keys)


@pytest.mark.parametrize("lang, expected", [
    ("en", ["Mon, Dec 21 – Fri, Jan 1", "Oct 9 and Jan 4", "Every Wednesday, Sep 2 – Jun 9"]),
    ("es", ["lun, 21 dic – vie, 1 ene", "9 oct y 4 ene", "Cada miércoles, 2 sept – 9 jun"]),
])
def test_daterange_filter(sample: Calendar, lang: str, expected: list[str]) -> None:
    year = sample.year
    keys = {k.title.get("en", "en"): k for k in sample.key_dates(year.start, year.end)}
    env = Renderer().env(lang)
    template = env.from_string("{{ a|daterange }}|{{ b|daterange }}|{{ c|daterange }}|"
                               "{{ d|daterange(e, 'yMMMd') }}|{{ t|time }}")
    out = template.render(lang=lang, a=keys["Winter Break"],
                          b=keys["Teacher Institute Day – No School for Students"],
                          c=keys["Early Release Wednesday – Dismissal 1:15 pm"],
                          d=D(2027, 3, 22), e=D(2027, 3, 26), t=dt.time(18, 30))
    # No-break spaces keep each date on one line and a time with its "PM"; Babel's narrow and
    # thin spaces (missing from fonts of the stack) are not left in.
    assert "Dec\u00a021" in out or "21\u00a0dic" in out
    out = out.replace("\u00a0", " ").split("|")
    assert out[0] == expected[0] and out[1] == expected[1]
    assert out[2].startswith(expected[2])
    assert out[3] == ("Mar 22 – 26, 2027" if lang == "en" else "22–26 mar 2027")
    assert out[4] == ("6:30 PM" if lang == "en" else "18:30")


def test_no_calendar_content_means_none(project: Path) -> None:
    (project / "content/calendar.yaml").unlink()
    shutil.rmtree(project / "content/calendar")
    calendar, problems = load(project)
    assert calendar is None and not problems.errors


def test_ics_alone_makes_a_calendar(project: Path) -> None:
    (project / "content/calendar.yaml").unlink()
    (project / "content/calendar/district.ics").write_text(
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nSUMMARY:Winter Break\nCATEGORIES:No School\n"
        "DTSTART;VALUE=DATE:20261221\nDTEND;VALUE=DATE:20270102\nEND:VEVENT\nBEGIN:VEVENT\n"
        "UID:b\nSUMMARY:Bake sale\nDTSTART:20261002T150000\nEND:VEVENT\nEND:VCALENDAR\n")
    calendar, problems = load(project)
    assert not problems.errors and calendar is not None
    assert [(e.title.get("en", "en"), e.category.key) for e in calendar.events
            if e.uid.endswith("takehome")
            and e.source.endswith(("district.ics:2", "district.ics:9"))] == [
        ("Bake sale", "school_event"), ("Winter Break", "no_school")]


def test_unknown_category_fails_naming_the_row(project: Path) -> None:
    path = project / "content/calendar.yaml"
    path.write_text(path.read_text().replace("    category: pta\n", "    category: ptta\n"))
    result = run("check", str(project))
    assert result.exit_code == 1
    line = path.read_text().splitlines().index("    category: ptta") + 1
    assert f"calendar.yaml:{line}:15: error: unknown category 'ptta'; did you mean 'pta'?" \
        in result.output


def test_unmapped_ics_categories_warn_once_with_a_mapping_to_paste(project: Path) -> None:
    """A district file whose CATEGORIES nobody mapped builds: its events are school events,
    with one warning listing the values and a mapping that, pasted in, silences it."""
    path = project / "content/calendar.yaml"
    original = path.read_text()
    path.write_text(original.replace("    category: district ", "    # "))
    calendar, problems = load(project)
    assert not problems.errors and calendar is not None
    football = next(e for e in calendar.events
                    if e.title.get("en", "en") == "Varsity Football vs. Riverside")
    assert football.category.key == "school_event"
    [warning] = [w for w in problems.warnings if "CATEGORIES" in w.message]
    ics = (project / "content/calendar/district.ics").read_text().splitlines()
    assert warning.path == project / "content/calendar/district.ics"
    assert ics[warning.line - 1] == "BEGIN:VEVENT"
    assert "'Athletics' (" in warning.message and "shown as school_event" in warning.message
    snippet = yaml.safe_load(warning.message.split("\n", 1)[1])
    mapping = snippet["imports"]["district.ics"]["categories"]
    assert mapping["Athletics"] == "school_event"
    # Pasted (here: merged) into calendar.yaml, the mapping leaves nothing to warn about.
    pasted = original.replace("    category: district ", "    # ").replace(
        "      PTA: pta\n", "      PTA: pta\n" + "".join(
            f"      {yaml.safe_dump(k).splitlines()[0].removesuffix(' ...')}: district\n"
            for k in mapping))
    path.write_text(pasted)
    calendar, problems = load(project)
    assert calendar is not None and not [w for w in problems.warnings if "CATEGORIES" in w.message]
    assert next(e for e in calendar.events
                if e.title.get("en", "en") == "Varsity Football vs. Riverside"
                ).category.key == "district"
    # --strict makes the warning an error, and the build writes nothing.
    path.write_text(original.replace("    category: district ", "    # "))
    result = run("check", "--strict", str(project))
    assert result.exit_code == 1 and "district.ics:" in result.output
    assert "CATEGORIES value" in result.output and "errors with --strict" in result.output


def test_week_start_by_setting_or_locale(sample: Calendar) -> None:
    assert sample.week_start("en") == 6 and sample.week_start("es") == 6  # the US: Sunday
    spain = sample.__class__(sample.year, sample.content.model_copy(update={"holidays": None}),
                             sample.categories)
    assert spain.week_start("es") == 0  # no country given: Spanish weeks start on Monday
    monday = sample.__class__(sample.year, sample.content.model_copy(
        update={"week_start": "monday"}), sample.categories, country="US")
    assert monday.week_start("en") == 0
