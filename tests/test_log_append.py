"""Adding a contact to the log CSV: one whole line, in the file's own columns, read back by the
log reader; nothing lost when a write fails; no interleaved lines when writers race."""

from __future__ import annotations

import csv
import datetime as dt
import errno
import io
import multiprocessing
import threading
from pathlib import Path

import pytest

from takehome.errors import ContentError, Problems
from takehome.kinds.log import append
from takehome.kinds.log.append import append_contact, roster_name
from takehome.kinds.log.data import read_log
from takehome.kinds.log.model import Entry, Log
from takehome.roster import Roster, Student

HEADER = "Date,Student,Method,Positive/Concern,Notes,Follow-up\n"
ANA = Student(1, 2, "Ana", "López", student_id="20260101")
BEN = Student(2, 3, "Benjamin", "Okafor", preferred_name="Ben", student_id="20260102")
ROSTER = Roster(None, [ANA, BEN])


def entry(student: str = "Ana López", note: str = "Read to the class", **more: str) -> Entry:
    return Entry.model_validate({"date": "2026-09-03", "student": student, "method": "phone",
                                 "tone": "positive", "note": note, **more})


def read_back(root: Path, name: str = "log.csv") -> list[tuple[dt.date, str, str, str, str]]:
    problems = Problems()
    contacts = read_log(Log(file=name), root / "log.yaml", root, ROSTER, problems).contacts
    assert problems.errors == []
    return [(c.date, c.student.full_name, c.tone, c.note, c.follow_up) for c in contacts]


def test_one_line_in_the_files_own_columns_read_back_by_the_log(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text("Notes,Student,Date,How,Type\nfirst,Ben Okafor,2026-08-24,call,positive\n",
                   encoding="utf-8")
    line = append_contact(log, entry(note='Said "thank you", twice', follow_up="ignored here"))
    assert line == 3
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and lines[:2] == ["Notes,Student,Date,How,Type",
                                             "first,Ben Okafor,2026-08-24,call,positive"]
    assert next(csv.reader([lines[2]])) == ['Said "thank you", twice', "Ana López", "2026-09-03",
                                            "phone", "positive"]
    assert read_back(tmp_path)[-1] == (dt.date(2026, 9, 3), "Ana López", "positive",
                                       'Said "thank you", twice', "")


def test_line_endings_missing_newline_and_bom_are_respected(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_bytes(b"\xef\xbb\xbf" + HEADER.replace("\n", "\r\n").encode()
                    + b"2026-08-24,Ben Okafor,call,positive,Welcome call,")  # no final newline
    assert append_contact(log, entry()) == 3
    data = log.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.endswith(b"\r\n")
    assert data.count(b"\r\n") == 3 and b"\n" not in data.replace(b"\r\n", b"")
    assert [c[1] for c in read_back(tmp_path)] == ["Benjamin Okafor", "Ana López"]


def test_an_empty_file_gets_a_header(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_bytes(b"")
    assert append_contact(log, entry()) == 2
    assert log.read_text(encoding="utf-8").startswith(HEADER)
    assert len(read_back(tmp_path)) == 1


def test_a_failed_write_leaves_the_file_as_it_was(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "log.csv"
    log.write_text(HEADER + "2026-08-24,Ben Okafor,call,positive,Welcome call,\n",
                   encoding="utf-8")
    before = log.read_bytes()

    def disk_full(_fd: int) -> None:  # the bytes reached the file; making them last failed
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(append.os, "fsync", disk_full)
    with pytest.raises(ContentError, match="No space left on device; the file is as it was"):
        append_contact(log, entry())
    assert log.read_bytes() == before


def test_a_file_ending_inside_quotes_is_not_added_to(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    broken = HEADER + '2026-08-24,Ben Okafor,call,positive,"Welcome call\n'
    log.write_text(broken, encoding="utf-8")
    with pytest.raises(ContentError, match="cannot be read as CSV") as caught:
        append_contact(log, entry())
    assert caught.value.problem.path == log and caught.value.problem.line == 2  # its quote
    assert log.read_text(encoding="utf-8") == broken


def test_a_file_without_the_log_columns_is_not_added_to(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text("Name,Phone\nAna,555\n", encoding="utf-8")
    with pytest.raises(ContentError, match="date, method, tone"):
        append_contact(log, entry())
    assert log.read_text(encoding="utf-8") == "Name,Phone\nAna,555\n"


def test_threads_never_interleave_lines(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(HEADER, encoding="utf-8")
    note = "x" * 1500  # long lines, so that interleaved writes would show

    def writer(n: int) -> None:
        for i in range(10):
            append_contact(log, entry(note=f"{n}-{i} {note}"))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = list(csv.reader(io.StringIO(log.read_text(encoding="utf-8"))))[1:]
    assert sorted(r[4].split()[0] for r in rows) == sorted(
        f"{n}-{i}" for n in range(8) for i in range(10))
    assert all(r[4].endswith(note) and len(r) == 6 for r in rows)


def _append_many(path: str, n: int) -> None:
    for i in range(10):
        append_contact(Path(path), entry(note=f"p{n}-{i} " + "y" * 1900))


def test_processes_never_interleave_lines(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(HEADER, encoding="utf-8")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(str(log), n)) for n in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    rows = list(csv.reader(io.StringIO(log.read_text(encoding="utf-8"))))[1:]
    assert len(rows) == 30 and all(r[4].endswith("y" * 1900) for r in rows)
    assert len({r[4].split()[0] for r in rows}) == 30


def test_the_student_is_written_so_the_log_finds_exactly_them() -> None:
    assert roster_name(BEN, ROSTER) == "Benjamin Okafor"
    twin = Student(3, 4, "Ana", "López", student_id="20260103")
    twins = Roster(None, [ANA, BEN, twin])
    assert roster_name(twin, twins) == "20260103"  # the shared name would match both
    nameless = Roster(Path("roster.csv"), [ANA, Student(3, 4, "Ana", "López")])
    with pytest.raises(ContentError, match="give the students ids"):
        roster_name(nameless.students[1], nameless)
