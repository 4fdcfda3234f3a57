"""The connection log as data: entries read from YAML or CSV, matched to the roster, summarised."""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from ...errors import ContentError, Problems
from ...roster import Roster, Student, fold_header
from ...yamlfile import Marks, read_text
from .model import Entry, Log, Method, Tone

MAX_LOG_BYTES = 5_000_000
COLUMNS = {  # log column -> header names spreadsheets use, folded like roster headers
    "date": ("date", "day", "when", "fecha"),
    "student": ("student", "studentname", "name", "family", "child", "estudiante"),
    "method": ("method", "how", "contact", "contacttype", "via", "medio"),
    "tone": ("tone", "type", "positiveconcern", "positiveorconcern", "kind", "tipo"),
    "note": ("note", "notes", "comment", "comments", "summary", "nota", "notas"),
    "follow_up": ("followup", "nextstep", "nextsteps", "todo", "seguimiento"),
}
REQUIRED = ("date", "student", "method", "tone")


@dataclass(frozen=True)
class Contact:
    """One log entry, matched to its student."""

    date: dt.date
    student: Student
    method: Method
    tone: Tone
    note: str
    follow_up: str


@dataclass(frozen=True)
class Past:
    """A log entry for a student who is not on the roster (moved away, or from another year):
    kept as history, listed in the report, never counted."""

    date: dt.date
    student: str  # as the log writes it
    method: Method
    tone: Tone
    note: str
    follow_up: str


@dataclass
class Found:
    """Every entry of the log: matched to the roster, or history."""

    contacts: list[Contact]
    history: list[Past]

    def __bool__(self) -> bool:
        return bool(self.contacts or self.history)

    @property
    def last_date(self) -> dt.date:
        return max([c.date for c in self.contacts] + [p.date for p in self.history])


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


class StudentIndex:
    """Finds a student by the names a teacher writes: full, preferred, with or without accents."""

    def __init__(self, roster: Roster) -> None:
        self.keys: dict[str, set[int]] = {}
        self.students = {s.number: s for s in roster.students}
        for s in roster.students:
            for key in {s.full_name, s.name, f"{s.last_name}, {s.first_name}", s.student_id}:
                if key.strip():
                    self.keys.setdefault(_fold(key), set()).add(s.number)

    def find(self, name: str) -> Student | str | None:
        """The student; why the name is ambiguous (an error); or None: not on the roster."""
        numbers = self.keys.get(_fold(name), set())
        if len(numbers) == 1:
            return self.students[next(iter(numbers))]
        if numbers:
            return f"{name!r} matches more than one student on the roster; use the student id"
        return None

    def near(self, name: str) -> str:
        """A hint naming the student on the roster whose name is closest, if one is close."""
        close = difflib.get_close_matches(_fold(name), list(self.keys), n=1, cutoff=0.75)
        if close:
            return f"; did you mean {self.students[min(self.keys[close[0]])].full_name!r}?"
        return ""


def csv_columns(header: list[str]) -> dict[str, int]:
    """Which column of a log CSV holds each log field (the first header that names it)."""
    folded = [fold_header(h) for h in header]
    columns: dict[str, int] = {}
    for field, names in COLUMNS.items():
        for i, h in enumerate(folded):
            if h in names and field not in columns:
                columns[field] = i
    return columns


def _csv_rows(path: Path, problems: Problems) -> list[tuple[int, dict[str, str]]]:
    """The CSV's rows as log fields, each with its line number."""
    try:
        text = read_text(path, MAX_LOG_BYTES)
    except ContentError as exc:
        problems.add(exc.problem)
        return []
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    columns = csv_columns(header)
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        problems.error(f"the log needs the column(s) {', '.join(missing)}; found: "
                       f"{', '.join(header) or 'no header'}", path, 1)
        return []
    rows = []
    line = reader.line_num
    for record in reader:
        start, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        rows.append((start, {f: record[i] if i < len(record) else ""
                             for f, i in columns.items()}))
    return rows


def read_log(log: Log, doc_path: Path, root: Path, roster: Roster,
             problems: Problems, marks: Marks | None = None) -> Found:
    """Every entry of the log (CSV file, then YAML), matched to the roster; entries for students
    not on it are history, with one warning per name; errors have lines."""
    index = StudentIndex(roster)
    found: list[tuple[Entry, Path, int | None]] = []
    if log.file is not None:
        path = root / log.file
        for line, row in _csv_rows(path, problems):
            try:
                found.append((Entry.model_validate(row), path, line))
            except ValidationError as exc:
                for error in exc.errors():
                    field = str(error["loc"][0]) if error["loc"] else ""
                    message = str(error["msg"]).removeprefix("Value error, ")
                    problems.error(f"{field}: {message}" if field else message, path, line)
    for i, entry in enumerate(log.entries):
        where = marks.locate(("entries", i, "student"))[0] if marks is not None else None
        found.append((entry, doc_path, where))
    contacts, history = [], []
    absent: dict[str, list[tuple[Path, int | None]]] = {}
    for entry, path, at in found:
        student = index.find(entry.student)
        if isinstance(student, str):
            problems.error(f"log entry: {student}", path, at)
        elif student is None:
            absent.setdefault(entry.student, []).append((path, at))
            history.append(Past(entry.date, entry.student, entry.method, entry.tone, entry.note,
                                entry.follow_up))
        else:
            contacts.append(Contact(entry.date, student, entry.method, entry.tone, entry.note,
                                    entry.follow_up))
    _warn_history(absent, index, root, problems)
    contacts.sort(key=lambda c: (c.date, c.student.number))
    history.sort(key=lambda p: (p.date, _fold(p.student)))
    return Found(contacts, history)


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _warn_history(absent: dict[str, list[tuple[Path, int | None]]], index: StudentIndex,
                  root: Path, problems: Problems) -> None:
    """Names not on the roster: one warning per name that looks like a typo of one that is,
    and one per log file for the rest (students who left), each name with its lines."""
    def where(places: list[tuple[Path, int | None]]) -> str:
        first = places[0][0]
        parts = [f"line {line}" if path == first else f"{_relative(path, root)}:{line}"
                 for path, line in places if line is not None]
        return "; ".join(parts)

    left: dict[Path, list[str]] = {}
    entries: dict[Path, int] = {}
    first_line: dict[Path, int | None] = {}
    for name, places in absent.items():
        near = index.near(name)
        if near:
            count = f"{len(places)} log entr{'y' if len(places) == 1 else 'ies'}"
            problems.warn(f"{name!r} is not on the roster{near} {count} ({where(places)}) "
                          "kept as history: listed in the report, not counted", *places[0])
            continue
        path = places[0][0]
        left.setdefault(path, []).append(f"{name!r} ({where(places)})")
        entries[path] = entries.get(path, 0) + len(places)
        first_line.setdefault(path, places[0][1])
    for path, names in left.items():
        who = f"{len(names)} student{'s' if len(names) != 1 else ''}"
        problems.warn(f"{who} in the log {'are' if len(names) != 1 else 'is'} not on the roster "
                      f"(moved away, or another class); their {entries[path]} entries are kept "
                      f"as history, listed in the report and not counted: {', '.join(names)}",
                      path, first_line[path])


@dataclass(frozen=True)
class FamilyStats:
    """One family's contacts up to the report's date."""

    student: Student
    contacts: int
    positive: int
    concern: int
    last: dt.date | None
    days: int | None  # since the last contact
    not_reached: bool  # nothing for `not_reached_days` days or more (or ever)

    @property
    def needs_good_news(self) -> bool:
        return self.concern > 0 and self.concern >= self.positive


def ratio(positive: int, concern: int) -> str:
    """Positive-to-concern ratio as printed: "3 : 1", "2.5 : 1", or "4 : 0"."""
    if concern == 0:
        return f"{positive} : 0"
    value = positive / concern
    return f"{value:.1f} : 1".replace(".0 ", " ")


def summarise(contacts: list[Contact], roster: Roster, as_of: dt.date,
              not_reached_days: int) -> list[FamilyStats]:
    """Per family in roster order; contacts after `as_of` are left out."""
    out = []
    for s in roster.students:
        mine = [c for c in contacts if c.student.number == s.number and c.date <= as_of]
        last = max((c.date for c in mine), default=None)
        days = (as_of - last).days if last else None
        out.append(FamilyStats(
            s, len(mine), sum(c.tone == "positive" for c in mine),
            sum(c.tone == "concern" for c in mine), last, days,
            days is None or days >= not_reached_days))
    return out


@dataclass(frozen=True)
class Suggestion:
    family: FamilyStats
    positive_call: bool  # a call with good news (every call in the first month of school)


@dataclass(frozen=True)
class Week:
    start: dt.date  # Monday
    end: dt.date  # Friday
    families: list[Suggestion]


def first_month_end(start: dt.date) -> dt.date:
    """The same day a month after the school year starts."""
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    return dt.date(year, month, min(start.day, 28))


def rotation(stats: list[FamilyStats], as_of: dt.date, year_start: dt.date,
             per_week: int) -> list[Week]:
    """Every family in turn, `per_week` at a time from this week: the longest without
    contact first (never reached before all), roster order breaking ties.

    "This week" is the school week of `as_of`, or the next one from Friday on: a log last
    written on a Friday is read to plan the week ahead.
    """
    order = sorted(stats, key=lambda f: (f.last or dt.date.min, f.student.number))
    monday = as_of - dt.timedelta(days=as_of.weekday())
    if as_of.weekday() >= 4:
        monday += dt.timedelta(weeks=1)
    first_month = first_month_end(year_start)
    weeks = []
    for n, i in enumerate(range(0, len(order), per_week)):
        start = monday + dt.timedelta(weeks=n)
        positive_first = start < first_month
        weeks.append(Week(start, start + dt.timedelta(days=4), [
            Suggestion(f, positive_first or f.needs_good_news or f.contacts == 0)
            for f in order[i:i + per_week]]))
    return weeks
