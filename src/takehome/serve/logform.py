"""The connection log form: what it offers (the roster's students, the log's file) and adding
what a teacher typed as one checked line of the log CSV."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ..errors import ContentError
from ..kinds.log.append import append_contact, roster_name
from ..kinds.log.model import Entry, Log
from ..project import Project
from ..roster import Student

METHODS = (("note", "Note home"), ("email", "Email"), ("phone", "Phone call"),
           ("text", "Text message"), ("meeting", "Meeting"))
TONES = (("positive", "Positive"), ("concern", "Concern"))
FIELDS = ("student", "date", "method", "tone", "note", "follow_up")


@dataclass(frozen=True)
class LogSetup:
    """Where contacts go, and who they can be with."""

    document: str  # the log's document name ("log")
    file: Path | None  # the CSV the log is kept in; None: the log has no file
    shown: str  # the file as the teacher knows it ("content/connection-log.csv")
    students: tuple[Student, ...]


@dataclass
class Filled:
    """What was typed into the form, and what is wrong with it."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # field ("" for the form) -> message


def setup(project: Project) -> LogSetup | None:
    """The project's log, or None when it has none."""
    doc = next((d for d in project.documents if d.kind.name == "log"), None)
    if doc is None or not isinstance(doc.model, Log):
        return None
    log: Log = doc.model
    path = project.root / log.file if log.file else None
    return LogSetup(doc.name, path, log.file or "", tuple(project.roster.students))


def blank(today: dt.date | None = None) -> Filled:
    return Filled({"date": (today or dt.date.today()).isoformat(), "method": "note",
                   "tone": "positive"})


def add(project: Project, fields: Mapping[str, str]) -> tuple[int | None, Filled]:
    """Append the contact in `fields` to the log; returns its line number (None when nothing
    was written) and the form as filled, with what is wrong with it."""
    filled = Filled({name: str(fields.get(name, "")).strip() for name in FIELDS})
    found = setup(project)
    if found is None or found.file is None:
        filled.errors[""] = "This project's log has no CSV file to add to."
        return None, filled
    students = {str(s.number): s for s in found.students}
    student = students.get(filled.values["student"])
    if student is None:
        filled.errors["student"] = "Choose a student from the roster."
        return None, filled
    try:
        entry = Entry.model_validate({**filled.values, "student": roster_name(
            student, project.roster)})
    except ContentError as exc:
        filled.errors["student"] = exc.problem.message
        return None, filled
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else ""
            filled.errors[name] = str(error["msg"]).removeprefix("Value error, ")
        return None, filled
    try:
        return append_contact(found.file, entry), filled
    except ContentError as exc:
        filled.errors[""] = str(exc.problem)
        return None, filled
