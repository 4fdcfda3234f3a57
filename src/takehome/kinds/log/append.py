"""Adding a contact to the log CSV the teacher keeps: one line appended, all or nothing, one
writer at a time, in the columns the file already has (as data.py reads them)."""

from __future__ import annotations

import csv
import fcntl
import io
import os
import threading
from pathlib import Path

from ...errors import ContentError
from ...roster import Roster, Student
from .data import MAX_LOG_BYTES, REQUIRED, StudentIndex, csv_columns
from .model import Entry

# The header of a log file started here: the names a teacher's spreadsheet would use.
HEADER = {"date": "Date", "student": "Student", "method": "Method",
          "tone": "Positive/Concern", "note": "Notes", "follow_up": "Follow-up"}

# Two requests of one process wait for each other here; other processes wait at flock().
_LOCK = threading.Lock()


def roster_name(student: Student, roster: Roster) -> str:
    """What to write as the student so that the log reader finds exactly this student: the
    full name, else the preferred name, else the student id (names can be shared)."""
    index = StudentIndex(roster)
    for key in (student.full_name, student.name, student.student_id):
        found = index.find(key) if key.strip() else None
        if isinstance(found, Student) and found.number == student.number:
            return key
    raise ContentError(f"{student.full_name} cannot be told apart from another student on the "
                       "roster; give the students ids", roster.path)


def _row(entry: Entry, columns: dict[str, int], width: int) -> list[str]:
    values = {"date": entry.date.isoformat(), "student": entry.student, "method": entry.method,
              "tone": entry.tone, "note": entry.note, "follow_up": entry.follow_up}
    row = [""] * max(width, *(i + 1 for i in columns.values()))
    for field, index in columns.items():
        row[index] = values[field]
    return row


def _line(row: list[str], newline: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerow(row)
    return out.getvalue()


def _addition(raw: bytes, entry: Entry, path: Path) -> tuple[bytes, int]:
    """The bytes to append to a log file holding `raw`, and the line number of the contact."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ContentError("the log is not UTF-8 text; save it as CSV UTF-8", path) from None
    if not text:  # an empty file: start it with a header
        columns = {field: i for i, field in enumerate(HEADER)}
        lines = _line(list(HEADER.values()), "\n") + _line(_row(entry, columns, 0), "\n")
        return lines.encode("utf-8"), 2
    rows = csv.reader(io.StringIO(text), strict=True)
    start = 1  # the line the record being read starts on
    try:
        header = next(rows)
        start = rows.line_num + 1
        for _ in rows:  # a file ending inside quotes would swallow the new line
            start = rows.line_num + 1
    except csv.Error as exc:
        raise ContentError(f"the log cannot be read as CSV ({exc}); fix it before adding to it",
                           path, start) from None
    columns = csv_columns(header)
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise ContentError(f"the log needs the column(s) {', '.join(missing)}", path, 1)
    first = text.split("\n", 1)[0]
    newline = "\r\n" if first.endswith("\r") else "\n"
    count = text.count("\n") + (not text.endswith("\n"))
    lead = "" if text.endswith("\n") else newline
    return (lead + _line(_row(entry, columns, len(header)), newline)).encode("utf-8"), count + 1


def append_contact(path: Path, entry: Entry) -> int:
    """Append `entry` to the log CSV at `path` (which must exist) and return its line number.

    The file is locked while it is read and appended to, so two requests never interleave their
    lines; a write that fails is cut back to the file's previous length, so nothing already
    there is lost and no half line is left.
    """
    try:
        with _LOCK, open(path, "r+b", buffering=0) as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                raw = fh.read(MAX_LOG_BYTES + 1)
                data, line = _addition(raw, entry, path)
                if len(raw) + len(data) > MAX_LOG_BYTES:
                    raise ContentError(f"the log would grow past {MAX_LOG_BYTES:,} bytes; start "
                                       "a new file for this year", path)
                _write_all(fh, len(raw), data)
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    except OSError as exc:
        raise ContentError(f"could not add to the log: {exc.strerror or exc}; the file is as "
                           "it was", path) from None
    return line


def _write_all(fh: io.FileIO, size: int, data: bytes) -> None:
    """Write `data` at offset `size` and flush it to disk, or leave the file `size` bytes long."""
    try:
        fh.seek(size)
        view = memoryview(data)
        while view:
            written = fh.write(view)
            if not written:
                raise OSError("nothing could be written")
            view = view[written:]
        os.fsync(fh.fileno())
    except OSError:
        fh.truncate(size)
        raise
