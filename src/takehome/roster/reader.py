"""read_roster: the format told by what `roster: file:` points at, then one class's students."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from ..errors import ContentError, Problems
from . import clever, oneroster
from .bundle import Bundle, is_workbook, is_zip
from .headers import Columns, has_names, map_columns
from .model import FIELDS, Roster
from .records import add_students, table_records
from .table import Rows, check_file, csv_rows, read_bytes, xlsx_rows

WORKBOOKS = {".xlsx", ".xlsm"}
UNREADABLE = {".xls": "an old Excel workbook", ".ods": "a LibreOffice spreadsheet",
              ".numbers": "a Numbers spreadsheet", ".pdf": "a PDF"}
HEADER_SEARCH = 10  # title lines an office puts above the header row ("Room 14, 2026-27")
TITLE_CELLS = 2  # a line above the header has at most this many cells filled in


def read_roster(path: Path, columns: Mapping[str, str], problems: Problems, *,
                choose: str | None = None, sheet: str | None = None) -> Roster:
    """Read the roster at `path`: a CSV or Excel file, a OneRoster folder or zip, or Clever's
    students.csv; `choose` is `roster: class:`, `sheet` a workbook's sheet. Problems with rows
    are recorded in `problems`; a roster that cannot be read at all raises ContentError."""
    roster = Roster(path)
    if not path.is_dir():
        check_file(path)
    if path.is_dir() or (is_zip(path) and path.suffix.lower() not in WORKBOOKS
                         and not is_workbook(path)):
        bundle = Bundle(path)
        try:
            if bundle.has("users.csv"):
                oneroster.read(bundle, choose, roster, problems)
            elif bundle.has("students.csv"):
                ids = clever.section_students(bundle, choose, roster) if choose else None
                rows = csv_rows(bundle.read("students.csv"), bundle.where("students.csv"))
                roster.rows_path = bundle.where("students.csv")
                _from_table(rows, f"Clever students.csv ({bundle.kind})", roster, columns,
                            None if ids is not None else choose, problems, ids)
            else:
                files = ", ".join(sorted(bundle.files)) or "nothing"
                raise ContentError(f"this {bundle.kind} holds neither a OneRoster export "
                                   f"(users.csv) nor Clever's students.csv; it has: {files}", path)
        finally:
            bundle.close()
    else:
        suffix = path.suffix.lower()
        if suffix in UNREADABLE:
            raise ContentError(f"the roster is {UNREADABLE[suffix]}; save it as .xlsx or CSV "
                               "and point roster: file: at that", path)
        raw = read_bytes(path)
        if suffix in WORKBOOKS or raw.startswith(b"PK\x03\x04"):
            kind, rows = xlsx_rows(raw, path, sheet)
        else:
            if sheet is not None:
                problems.warn(f"roster: sheet: {sheet!r} is set, but the roster is not an Excel "
                              "workbook; the setting is ignored", path)
            kind, rows = "CSV file", csv_rows(raw, path)
        ids = None
        if choose and path.name.lower() == "students.csv" and (path.parent / "sections.csv"
                                                                ).is_file():
            ids = clever.section_students(Bundle(path.parent), choose, roster)
        _from_table(rows, kind, roster, columns, None if ids is not None else choose, problems,
                    ids)
    if not roster.students and not problems.errors:
        left_out = "; ".join(f"{len(s.lines)} row(s) left out: {s.reason}"
                             for s in roster.skipped)
        if roster.header_line:
            raise ContentError("roster has a header but no students" + (
                f" ({left_out})" if left_out else ""), roster.rows_path, roster.header_line + 1)
        raise ContentError("the export has no students" + (
            f" in class {roster.class_name!r}" if roster.class_name else ""), roster.rows_path)
    return roster


def _header(rows: Rows, columns: Mapping[str, str], path: Path
            ) -> tuple[int, list[str], Columns, list[int]]:
    """The header row (the first row naming the students' names, within the first few rows),
    its columns, and the lines above it."""
    above: list[int] = []
    first: tuple[int, list[str], ContentError | None] | None = None
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        try:
            found = map_columns(row, columns, path, line)
            error = None
        except ContentError as exc:
            found, error = None, exc
        first = first or (line, row, error)
        if found is not None and has_names(found):
            return line, row, found, above
        # Only a title line (a cell or two) can sit above the header: a fuller row is the
        # header, or data.
        if sum(1 for cell in row if cell.strip()) > TITLE_CELLS or len(above) >= HEADER_SEARCH:
            break
        above.append(line)
    if first is None:
        raise ContentError("roster is empty; it needs a header row and one row per student",
                           path, 1)
    line, row, error = first
    if error is not None:
        raise error
    raise ContentError(
        "roster header has no first name or last name column (found: "
        + ", ".join(h for h in row if h)[:200] + "); name the columns 'First Name' and "
        "'Last Name' or map them under roster: columns: in settings.yaml", path, line)


def _from_table(rows: Rows, kind: str, roster: Roster, columns: Mapping[str, str],
                choose: str | None, problems: Problems, ids: set[str] | None = None) -> None:
    path = roster.rows_path
    assert path is not None
    line, header, cols, above = _header(rows, columns, path)
    roster.header_line = line
    if above:
        roster.skip("above the header row", above[0])
        for extra in above[1:]:
            roster.skip("above the header row", extra)
    if choose and "class" not in cols.index:
        raise ContentError(f"roster: class: {choose!r} is set, but the roster has no class "
                           "column (Class, Homeroom, Section, ...); map yours under roster: "
                           "columns: class:, or leave roster: class: out", path, line)
    if ids is not None:
        rows = _only(rows, header, ids, roster)
    records = table_records(rows, cols, roster, choose, problems)
    roster.source = kind
    roster.profile = cols.profile
    roster.columns = {FIELDS[f]: h for f, h in cols.described(header).items()}
    roster.unused = cols.unused(header)
    if choose and not records and roster.classes:
        raise ContentError(f"no row of class {choose!r} (set in settings under roster: class:); "
                           f"the roster's classes: {', '.join(roster.classes[:20])}", path, line)
    if not choose and not roster.class_name and len(roster.classes) > 1:
        more = ", ..." if len(roster.classes) > 8 else ""
        problems.warn(f"the roster holds {len(roster.classes)} classes "
                      f"({', '.join(roster.classes[:8])}{more}); all {len(records)} rows are "
                      "used. Choose yours in settings.yaml with roster: class:", path, line)
    elif choose:
        roster.class_name = choose
    add_students(records, roster, problems)


def _only(rows: Rows, header: list[str], ids: set[str], roster: Roster) -> Iterator[
        tuple[int, list[str]]]:
    """Clever rows whose Student_id is in the chosen section."""
    folded = [h.lower().replace("_", "") for h in header]
    at = folded.index("studentid") if "studentid" in folded else None
    for line, row in rows:
        if at is not None and at < len(row) and row[at].strip() not in ids:
            if any(c.strip() for c in row):
                roster.skip("another class", line)
            continue
        yield line, row
