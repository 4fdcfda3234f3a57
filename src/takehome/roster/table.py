"""Rows of a table file: CSV in the encodings spreadsheets write, and Excel workbooks."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

from .. import files
from ..errors import ContentError

MAX_FILE_BYTES = 50_000_000  # a district's OneRoster users.csv fits; nothing larger is read
MAX_UNPACKED_BYTES = 200_000_000  # what a zip or workbook may unpack to

Rows = Iterator[tuple[int, list[str]]]  # (line or sheet row, cells)


def check_file(path: Path, what: str = "roster") -> None:
    """Refuse a roster that is missing, a link out of its folder, or not a regular file (a pipe
    would hang whatever opens it), before anything opens it."""
    if not path.exists() and not path.is_symlink():
        raise ContentError(f"{what} file not found", path)
    files.check(path, path.parent, MAX_UNPACKED_BYTES)


def read_bytes(path: Path, what: str = "roster", limit: int = MAX_FILE_BYTES) -> bytes:
    """A roster file's bytes, within the size limit: the one place roster files are opened
    (through the containment helper)."""
    check_file(path, what)
    return files.read_bytes(path, path.parent, limit)


def decode(raw: bytes, path: Path) -> str:
    """Text from UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode text") or
    Windows-1252 (what Excel writes as "CSV" on Windows)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise ContentError("roster is not valid UTF-16 text", path) from None
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    if b"\x00" in raw:
        raise ContentError("roster is not a text CSV file (it contains NUL bytes; "
                           "save it from the spreadsheet as CSV)", path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError("roster is neither UTF-8 nor Windows-1252 text", path, line) from None


def _dialect(text: str) -> type[csv.Dialect]:
    """Comma, semicolon (Excel in many European locales) or tab, judged by the first lines (the
    header may sit under a title line).

    Only the separator is guessed: csv.Sniffer also guesses the quote character, and a name
    like O'Brien in the data then breaks every row.
    """
    lines = text.split("\n", 10)[:10]
    counts = {d: max(line.count(d) for line in lines) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: (counts[d], d == ","))

    class Dialect(csv.excel):
        pass

    Dialect.delimiter = delimiter
    return Dialect


def csv_rows(raw: bytes, path: Path) -> Rows:
    """Each row of a CSV file with the line it starts on (quoted line breaks counted)."""
    text = decode(raw, path)
    if not text.strip():
        raise ContentError("roster is empty; it needs a header row and one row per student",
                           path, 1)
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    line = 1
    try:
        for row in reader:
            yield line, row
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ContentError(f"malformed CSV: {exc}", path, reader.line_num) from None


def check_zip(archive: zipfile.ZipFile, path: Path) -> None:
    """Refuse an archive that would unpack to more than the limit (a zip bomb)."""
    total = sum(info.file_size for info in archive.infolist())
    if total > MAX_UNPACKED_BYTES:
        raise ContentError(f"the archive unpacks to {total:,} bytes; the limit is "
                           f"{MAX_UNPACKED_BYTES:,}", path)


def _cell(value: object) -> str:
    """A cell as the text the office typed (ids stored as numbers keep no ".0")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def xlsx_rows(raw: bytes, path: Path, sheet: str | None) -> tuple[str, Rows]:
    """The rows of a workbook's first sheet (or the sheet named `sheet`), read-only."""
    import openpyxl  # imported here: most projects' rosters are CSV
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            check_zip(archive, path)
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ContentError(f"not a readable Excel workbook ({exc}); save it again as .xlsx "
                           "or as CSV", path) from None
    names = book.sheetnames
    if sheet is None:
        chosen = names[0] if names else None
    else:
        chosen = next((n for n in names if n.casefold() == sheet.strip().casefold()), None)
        if chosen is None:
            raise ContentError(f"the workbook has no sheet {sheet!r} (set in settings under "
                               f"roster: sheet:); its sheets: {', '.join(names)}", path)
    if chosen is None:
        raise ContentError("the workbook has no sheets", path)
    worksheet = book[chosen]

    def rows() -> Rows:
        try:
            for number, values in enumerate(worksheet.iter_rows(values_only=True), 1):
                yield number, [_cell(v) for v in values]
        finally:
            book.close()

    kind = f"Excel workbook, sheet {chosen!r}" + (
        f" (the first of {len(names)})" if len(names) > 1 and sheet is None else "")
    return kind, rows()
