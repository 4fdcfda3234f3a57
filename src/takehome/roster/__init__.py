"""The class roster, read from what school systems and spreadsheets really export.

One module per source: `table` (CSV and Excel rows), `headers` (which column is which, with the
column names of PowerSchool, Aspen/X2, Aeries, Infinite Campus, Skyward, Clever and Google
Classroom), `oneroster` (OneRoster 1.1/1.2 folders and zips), `clever` (Clever's sections);
`records` turns rows into students, `languages` reads language values and picks each family's
edition, `explain` is `takehome roster`. `reader.read_roster` is the entry point.
"""

from __future__ import annotations

from .explain import explain
from .headers import fold_header
from .languages import Editions, assign
from .model import Roster, Student
from .reader import read_roster
from .records import MAX_FIELD_CHARS, MAX_STUDENTS

__all__ = ["MAX_FIELD_CHARS", "MAX_STUDENTS", "Editions", "Roster", "Student", "assign", "explain",
           "fold_header", "read_roster"]
