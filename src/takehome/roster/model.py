"""The roster as the rest of takehome sees it: students in roster order, and what was read how."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from slugify import slugify

# Roster fields, as `roster: columns:` in settings names them, with how `takehome roster` says them.
FIELDS: dict[str, str] = {
    "first_name": "first name", "last_name": "last name", "name": "name (Last, First)",
    "preferred_name": "preferred name", "student_id": "student id", "grade": "grade",
    "class": "class", "guardian1": "parent/guardian 1", "guardian2": "parent/guardian 2",
    "phone": "phone", "email": "email", "language": "home language",
    "correspondence_language": "correspondence language",
}


@dataclass(frozen=True)
class Student:
    """One student of the class, with what the roster says about the family."""

    number: int  # position in the roster, from 1
    line: int  # where the student's (first) row is in `Roster.rows_path`
    first_name: str
    last_name: str
    preferred_name: str = ""
    student_id: str = ""
    grade: str = ""
    guardians: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""
    language: str | None = None  # a language code, or None when blank or not recognised
    language_given: str = ""  # the roster's own words, for messages
    language_field: str = ""  # which field it came from: "home language", ...
    class_name: str = ""

    @property
    def name(self) -> str:
        """The name to print: the preferred first name, then the last name."""
        return f"{self.preferred_name or self.first_name} {self.last_name}".strip()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def slug(self, width: int) -> str:
        """A safe file name stem like `07-lopez-ana` (never empty, never a path)."""
        return f"{self.number:0{width}d}-{_slug_words(self.last_name, self.first_name)}"


@lru_cache(maxsize=8192)
def _slug_words(last: str, first: str) -> str:
    # A family's name is in the path of every document it has: slugified once, not each time.
    return slugify(f"{last} {first}", max_length=60) or "student"


@dataclass
class Skipped:
    """Rows of the source that are not students of the class, and why."""

    reason: str
    lines: list[int]


@dataclass
class Roster:
    """The class's students, and what `takehome roster` shows about how they were read."""

    path: Path | None  # what settings point at: a file, a folder or a zip
    students: list[Student] = field(default_factory=list)
    rows_path: Path | None = None  # the file whose lines `Student.line` counts
    header_line: int = 0  # the header row of a table (0: none, as in OneRoster)
    source: str = ""  # "CSV file", "Excel workbook, sheet 'Room 14'", "OneRoster 1.2 CSV", ...
    profile: str = ""  # the school system whose column names were recognised
    columns: dict[str, str] = field(default_factory=dict)  # field -> the column that fed it
    unused: list[str] = field(default_factory=list)  # columns takehome does not use
    class_name: str = ""  # the class chosen in a source holding several
    classes: list[str] = field(default_factory=list)  # every class the source holds
    skipped: list[Skipped] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)  # students on several rows, as explained
    notes: list[str] = field(default_factory=list)  # anything else worth knowing at a glance

    def __post_init__(self) -> None:
        if self.rows_path is None:
            self.rows_path = self.path

    @property
    def slug_width(self) -> int:
        return max(2, len(str(len(self.students))))

    def skip(self, reason: str, line: int) -> None:
        """Record a row left out (grouped by reason for the summary)."""
        for s in self.skipped:
            if s.reason == reason:
                s.lines.append(line)
                return
        self.skipped.append(Skipped(reason, [line]))
