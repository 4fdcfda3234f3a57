"""The connection log: blank sheets, and the report's counts against a count of the sample log."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
import yaml

from takehome.kinds.log.data import FamilyStats, first_month_end, ratio, rotation
from takehome.roster import Student

from .conftest import DATA, SAMPLE, all_text, page_size_mm, page_text, read_pdf, run


def fold(name: str) -> str:
    name = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(c for c in name if not unicodedata.combining(c)).split())


def independent_count() -> tuple[dict[str, Counter[str]], dict[str, dt.date], list[str]]:
    """Positive and concern contacts per printed name, read straight from the sample files."""
    with (SAMPLE / "roster.csv").open(encoding="utf-8") as fh:
        roster = list(csv.DictReader(fh))
    printed, names = {}, []
    for row in roster:
        name = f"{row['Preferred Name'] or row['Student First Name']} {row['Student Last Name']}"
        names.append(name)
        for first in (row["Student First Name"], row["Preferred Name"]):
            if first:
                printed[fold(f"{first} {row['Student Last Name']}")] = name
    entries = []
    with (SAMPLE / "connection-log.csv").open(encoding="utf-8") as fh:
        entries += [(r["Date"], r["Student"], r["Positive/Concern"]) for r in csv.DictReader(fh)]
    log = yaml.safe_load((SAMPLE / "log.yaml").read_text(encoding="utf-8"))
    entries += [(str(e["date"]), e["student"], e["tone"]) for e in log["entries"]]
    counts: dict[str, Counter[str]] = {n: Counter() for n in names}
    last: dict[str, dt.date] = {}
    for day, student, tone in entries:
        name = printed[fold(student)]
        counts[name][tone] += 1
        last[name] = max(last.get(name, dt.date.min), dt.date.fromisoformat(day))
    return counts, last, names


def test_report_counts_match_the_log(sample_build: Path) -> None:
    counts, last, names = independent_count()
    text = all_text(sample_build / "log/report.pdf")
    total = sum(sum(c.values()) for c in counts.values())
    positive = sum(c["positive"] for c in counts.values())
    assert f"{total}contacts" in text and f"{positive}positive" in text
    assert f"{total - positive}concerns" in text
    assert f"{positive / (total - positive):.1f} : 1".replace(".0 ", " ") + "positive to" in text
    as_of = max(last.values())
    for name in names:
        c = counts[name]
        row = re.search(rf"^{re.escape(name)} (\d+) (\d+) (\d+) (\S+ : \d+)(.*)$", text, re.M)
        assert row, name
        assert [int(row[1]), int(row[2]), int(row[3])] == [
            c["positive"] + c["concern"], c["positive"], c["concern"]], name
        stale = name not in last or (as_of - last[name]).days >= 14
        assert ("Not reached" in row[5]) == stale, name
    reached = sum(1 for n in names if counts[n])
    assert f"{reached}/{len(names)}families reached" in text


def test_who_to_contact_this_week(sample_build: Path) -> None:
    counts, last, names = independent_count()
    text = all_text(sample_build / "log/report.pdf")
    week = text[text.index("Who to contact this week"):text.index("The weeks after")]
    never = [n for n in names if not counts[n]]
    waiting = sorted((n for n in names if counts[n]), key=lambda n: (last[n], names.index(n)))
    expected = (never + waiting)[:5]  # per_week: 5
    found = [n for n in names if n.split()[0] in week and n.split()[-1] in week]
    assert sorted(found) == sorted(expected)
    assert "Lucas Silva" in week and "Positive phone" in week  # never reached: good news first


def test_blank_log_sheets(sample_build: Path) -> None:
    class_log = sample_build / "log/class-log.pdf"
    assert len(read_pdf(class_log).pages) == 1
    assert page_size_mm(class_log) == (279.4, 215.9)  # landscape, for the binder
    text = page_text(class_log)
    for heading in ("Date", "Student / family", "How", "Positive or concern", "Notes", "Follow-up"):
        assert heading in text
    families = sample_build / "log/family-logs.pdf"
    reader = read_pdf(families)
    assert len(reader.pages) == 24
    assert "Connection log: Minh Anh Nguyễn" in reader.pages[2].extract_text()


def small_log_project(project: Path) -> Path:
    for name in ("cards.yaml", "packets.yaml", "welcome.yaml", "intake.yaml"):
        (project / "content" / name).unlink()
    return project


def test_students_not_on_the_roster_are_history(project: Path) -> None:
    """A student who moved away (or a typo) does not stop the build: their entries are listed
    apart in the report and not counted, with one warning per name and its lines."""
    small_log_project(project)
    log = project / "content/connection-log.csv"
    lines = log.read_text(encoding="utf-8").splitlines()
    lines.insert(5, "2026-09-01,Ana Lopes,note,positive,Lovely drawing,")
    lines.insert(6, "2026-09-02,Tomás Herrera,phone,concern,Moving to Denver,Send records")
    lines.insert(7, "2026-09-03,Tomás Herrera,email,positive,Farewell card from the class,")
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = run("build", str(project), "--only", "log")
    assert before.exit_code == 0, before.output
    assert ("content/connection-log.csv:6: warning: 'Ana Lopes' is not on the roster; did you "
            "mean 'Ana López'? 1 log entry (line 6) kept as history: listed in the report, not "
            "counted") in before.output
    assert ("content/connection-log.csv:7: warning: 1 student in the log is not on the roster "
            "(moved away, or another class); their 2 entries are kept as history, listed in the "
            "report and not counted: 'Tomás Herrera' (line 7; line 8)") in before.output
    text = all_text(project / "output/log/report.pdf")
    history = text[text.index("Not on the current roster"):]
    assert "Tomás Herrera" in history and "Moving to Denver · Send records" in history
    assert "Farewell card from the class" in history and "Ana Lopes" in history
    counts, _, _ = independent_count()
    total = sum(sum(c.values()) for c in counts.values())
    assert f"{total}contacts" in text  # the history is not counted
    # --strict: the same warnings stop the build, and nothing is written.
    strict = run("build", str(project), "--only", "log", "--strict")
    assert strict.exit_code == 1
    assert "content/connection-log.csv:7: error: 1 student in the log is not on the roster" \
        in strict.output


def test_malformed_entries_and_ambiguous_names_are_errors(project: Path) -> None:
    small_log_project(project)
    log = project / "content/connection-log.csv"
    lines = log.read_text(encoding="utf-8").splitlines()
    lines.insert(5, "2026-09-01,Nobody Here,fax,positive,,")
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    roster = project / "content/roster.csv"
    roster.write_text(roster.read_text(encoding="utf-8")
                      + "Ana,López,,20269999,2,,,,,Spanish\n", encoding="utf-8")
    result = run("check", str(project))
    assert result.exit_code == 1
    assert "content/connection-log.csv:6: error: method: unknown method 'fax'" in result.output
    assert "error: log entry: 'Ana López' matches more than one student on the roster; use the " \
        "student id" in result.output


def test_the_sample_log_with_another_roster(project: Path) -> None:
    """Every entry of the sample's log names a student of the sample roster: with another
    class, they are all history, and the report still lists the new class."""
    small_log_project(project)
    shutil.copy(DATA / "rosters/aspen.csv", project / "content/roster.csv")
    result = run("build", str(project), "--only", "log")
    assert result.exit_code == 0, result.output
    [history] = [line for line in result.output.splitlines()
                 if "students in the log are not on the roster" in line]
    assert "'Ana López'" not in history  # she is on both rosters
    assert "'Isabella Rossi' (line 18; content/log.yaml:9)" in history
    text = all_text(project / "output/log/report.pdf")
    assert "Chloé Dubois" in text.split("Not on the current roster")[0]  # the new class
    assert "Isabella Rossi" in text.split("Not on the current roster")[1]


def test_report_with_as_of_and_a4(project: Path) -> None:
    small_log_project(project)
    settings = project / "content/settings.yaml"
    settings.write_text(settings.read_text().replace("paper: letter", "paper: a4"))
    log = project / "content/log.yaml"
    log.write_text(log.read_text().replace("# as_of: 2026-10-16", "as_of: 2026-09-04"))
    assert run("build", str(project)).exit_code == 0
    report = project / "output/log/report.pdf"
    assert page_size_mm(report) == (210.0, 297.0)
    text = all_text(report)
    assert "to September 4, 2026" in text
    assert "First month of school: positive phone calls first." in text
    assert "Check in" not in text.split("Who to contact this week")[1].split("The weeks after")[0]
    assert len(read_pdf(project / "output/log/class-log.pdf").pages) == 1


def family(number: int, last: dt.date | None, positive: int = 1, concern: int = 0) -> FamilyStats:
    student = Student(number=number, line=number + 1, first_name=f"S{number}", last_name="X")
    return FamilyStats(student, positive + concern, positive, concern, last, None, False)


def test_rotation_reaches_everyone_in_turn() -> None:
    start = dt.date(2026, 8, 24)
    stats = [family(1, dt.date(2026, 10, 1)), family(2, None, 0), family(3, dt.date(2026, 9, 1)),
             family(4, dt.date(2026, 10, 5), 1, 2), family(5, dt.date(2026, 9, 1))]
    weeks = rotation(stats, dt.date(2026, 10, 7), start, per_week=2)  # a Wednesday
    assert [w.start for w in weeks] == [dt.date(2026, 10, 5), dt.date(2026, 10, 12),
                                        dt.date(2026, 10, 19)]
    order = [s.family.student.number for w in weeks for s in w.families]
    assert order == [2, 3, 5, 1, 4]
    calls = {s.family.student.number: s.positive_call for w in weeks for s in w.families}
    assert calls == {2: True, 3: False, 5: False, 1: False, 4: True}
    first = rotation(stats, dt.date(2026, 9, 2), start, per_week=5)[0]
    assert all(s.positive_call for s in first.families)  # first month: positive calls first
    assert first_month_end(start) == dt.date(2026, 9, 24)


@pytest.mark.parametrize("positive, concern, printed", [
    (3, 1, "3 : 1"), (5, 2, "2.5 : 1"), (4, 0, "4 : 0"), (0, 0, "0 : 0"), (1, 3, "0.3 : 1")])
def test_ratio(positive: int, concern: int, printed: str) -> None:
    assert ratio(positive, concern) == printed
