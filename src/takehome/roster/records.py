"""Rows to students: one class chosen, names and languages read, one student per child."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..errors import ContentError, Problems
from .headers import Columns, fold
from .languages import parse
from .model import FIELDS, Roster, Student

MAX_STUDENTS = 5_000
MAX_FIELD_CHARS = 200
NAME_FIELDS = ("first_name", "last_name", "name", "preferred_name")
# Rows of Google Classroom's grade export that are not students.
CLASSROOM_ROWS = {"classaverage", "points", "duedate", "date", "maxpoints"}


def clean(value: str) -> str:
    """One line of text: control characters dropped, runs of spaces made one."""
    value = "".join(c for c in value if unicodedata.category(c) not in ("Cc", "Cs")
                    or c in "\t\n\r")
    return " ".join(value.split())


def _words(value: str) -> list[str]:
    value = unicodedata.normalize("NFKD", value.casefold())
    return re.findall(r"[^\W_]+", "".join(c for c in value if not unicodedata.combining(c)))


def same_class(value: str, wanted: str) -> bool:
    """Whether a row's class ("Room 14", "14 - Rivera") is the one chosen in settings ("14")."""
    have, want = _words(value), _words(wanted)
    if not want:
        return False
    return any(have[i:i + len(want)] == want for i in range(len(have) - len(want) + 1))


@dataclass
class Record:
    """One row's student, before students on several rows are merged."""

    line: int
    first_name: str
    last_name: str
    preferred_name: str = ""
    student_id: str = ""
    grade: str = ""
    class_name: str = ""
    guardians: list[str] = field(default_factory=list)
    phone: str = ""
    email: str = ""
    language: str | None = None
    language_given: str = ""
    language_field: str = ""
    cells: tuple[str, ...] = ()  # the row as read: a row repeated cell for cell is a duplicate

    def key(self) -> tuple[str, ...]:
        if self.student_id:
            return ("id", self.student_id.casefold())
        # Case aside, names as written: "Ana López" and "Ana Lopez" may be two children.
        return ("name", self.first_name.casefold(), self.last_name.casefold())

    def student(self, number: int) -> Student:
        return Student(number=number, line=self.line, first_name=self.first_name,
                       last_name=self.last_name, preferred_name=self.preferred_name,
                       student_id=self.student_id, grade=self.grade,
                       guardians=tuple(self.guardians), phone=self.phone, email=self.email,
                       language=self.language, language_given=self.language_given,
                       language_field=self.language_field, class_name=self.class_name)


def language(home: str, correspondence: str) -> tuple[str | None, str, str]:
    """(code, the roster's words, which field): a correspondence language wins over a home
    language, when it is one takehome recognises."""
    if correspondence and (code := parse(correspondence)):
        return code, correspondence, FIELDS["correspondence_language"]
    if home:
        return parse(home), home, FIELDS["language"]
    if correspondence:
        return None, correspondence, FIELDS["correspondence_language"]
    return None, "", ""


def split_name(value: str) -> tuple[str, str]:
    """(first, last) of a one-column name: "López, Ana" splits at the comma; a name without
    one is kept whole as written."""
    last, comma, first = value.partition(",")
    return (first.strip(), last.strip()) if comma and first.strip() else (value, "")


def table_records(rows: Iterable[tuple[int, list[str]]], cols: Columns, roster: Roster,
                  wanted: str | None, problems: Problems) -> list[Record]:
    """Records of a table's rows, leaving out rows for other classes and rows with no name."""
    path = roster.rows_path
    records: list[Record] = []
    classes: dict[str, None] = {}
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        values: dict[str, str] = {}
        for name, col in cols.index.items():
            value = clean(row[col]) if col < len(row) else ""
            if len(value) > MAX_FIELD_CHARS:
                what = FIELDS.get(name, name)
                if name in NAME_FIELDS:
                    problems.error(f"{what} is longer than {MAX_FIELD_CHARS} characters", path,
                                   line)
                    value = "\x00"
                else:
                    problems.warn(f"{what} is longer than {MAX_FIELD_CHARS} characters; it is "
                                  "left blank", path, line)
                    value = ""
            values[name] = value
        if "\x00" in values.values():
            continue
        if cols.profile == "Google Classroom" and fold(row[0] if row else "") in CLASSROOM_ROWS:
            roster.skip("Google Classroom summary row", line)
            continue
        class_name = values.get("class", "")
        if class_name:
            classes.setdefault(class_name)
        if wanted is not None and not same_class(class_name, wanted):
            roster.skip("another class", line)
            continue
        first, last = values.get("first_name", ""), values.get("last_name", "")
        if not first and not last and values.get("name"):
            first, last = split_name(values["name"])
        if not first and not last:
            roster.skip("no name", line)
            continue
        code, given, which = language(values.get("language", ""),
                                      values.get("correspondence_language", ""))
        emergency = cols.contact_type is not None and cols.contact_type < len(row) and \
            fold(row[cols.contact_type]) == "emergency"
        contact = {} if emergency else values
        records.append(Record(
            line, first, last, values.get("preferred_name", ""), values.get("student_id", ""),
            values.get("grade", ""), class_name,
            [g for g in (contact.get("guardian1", ""), contact.get("guardian2", "")) if g],
            contact.get("phone", ""), contact.get("email", ""), code, given, which,
            tuple(clean(c) for c in row)))
    if classes:
        roster.classes = list(classes)
    return records


_STUDENT_FIELDS = ("grade", "preferred_name", "language_given", "class_name")


def add_students(records: list[Record], roster: Roster, problems: Problems) -> None:
    """The records as the roster's students: one per child, rows of one child merged (an
    export with one row per contact), each child numbered in roster order."""
    path = roster.rows_path
    first: dict[tuple[str, ...], Record] = {}
    lines: dict[tuple[str, ...], list[int]] = {}
    kept: list[Record] = []
    by_name: dict[tuple[str, str], list[Record]] = {}
    for record in records:
        key = record.key()
        seen = first.get(key)
        if seen is not None and (seen.first_name.casefold(), seen.last_name.casefold()) != (
                record.first_name.casefold(), record.last_name.casefold()):
            problems.warn(f"student id {record.student_id} is on line {seen.line} "
                          f"({seen.first_name} {seen.last_name}) and here "
                          f"({record.first_name} {record.last_name}); both are kept", path,
                          record.line)
            key = (*key, str(record.line))
            seen = None
        if seen is None:
            first[key] = record
            lines[key] = [record.line]
            kept.append(record)
            if len(kept) > MAX_STUDENTS:
                raise ContentError(f"roster has more than {MAX_STUDENTS:,} students; split it "
                                   "into one roster per class", path, record.line)
            by_name.setdefault((record.first_name.casefold(), record.last_name.casefold()),
                               []).append(record)
            continue
        lines[key].append(record.line)
        _merge(seen, record, problems, roster)
    for key, at in lines.items():
        if len(at) > 1:
            s = first[key]
            roster.merged.append(f"{s.first_name} {s.last_name}: lines "
                                 f"{', '.join(map(str, at))}, one student")
    for same in by_name.values():
        if len(same) > 1:
            roster.notes.append(
                f"{len(same)} students are named {same[0].first_name} {same[0].last_name} "
                f"(lines {', '.join(str(r.line) for r in same)}); log entries for them need "
                "the student id")
    for number, record in enumerate(kept, 1):
        roster.students.append(record.student(number))


def _merge(into: Record, row: Record, problems: Problems, roster: Roster) -> None:
    """Another row of the same child: new contacts are added; a row that repeats everything,
    or says something else about the child, is worth a warning."""
    path = roster.rows_path
    differ = [(name, getattr(into, name), getattr(row, name)) for name in _STUDENT_FIELDS
              if getattr(row, name) and getattr(into, name) != getattr(row, name)]
    if differ:
        said = "; ".join(f"{name.replace('_', ' ')} {theirs!r} here, {ours!r} on line "
                         f"{into.line}" for name, ours, theirs in differ)
        problems.warn(f"{into.first_name} {into.last_name} is on line {into.line} too, and the "
                      f"rows differ ({said}); line {into.line} is used", path, row.line)
    elif row.cells and row.cells == into.cells:
        problems.warn(f"{into.first_name} {into.last_name} is listed twice (first at line "
                      f"{into.line}); one copy is made", path, row.line)
    into.guardians += [g for g in row.guardians if g not in into.guardians]
    into.phone = into.phone or row.phone
    into.email = into.email or row.email
    for name in ("grade", "preferred_name", "class_name"):
        if not getattr(into, name):
            setattr(into, name, getattr(row, name))
    if not into.language_given and row.language_given:
        into.language, into.language_given = row.language, row.language_given
        into.language_field = row.language_field
