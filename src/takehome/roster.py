"""Reading the class roster from the CSV files school systems and spreadsheets really export."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from slugify import slugify

from . import files
from .errors import ContentError, Problems
from .i18n import parse_language

MAX_ROSTER_BYTES = 5_000_000
MAX_STUDENTS = 5_000
MAX_FIELD_CHARS = 200

# Header names as exported by SIS, spreadsheet and address-book tools, compared after folding
# case, spaces and punctuation away ("Student First Name" -> "studentfirstname").
ALIASES: dict[str, tuple[str, ...]] = {
    "first_name": ("first", "firstname", "studentfirstname", "givenname", "given", "forename",
                   "legalfirstname", "nombre"),
    "last_name": ("last", "lastname", "studentlastname", "surname", "familyname", "family",
                  "legallastname", "apellido", "apellidos"),
    "preferred_name": ("preferred", "preferredname", "nickname", "nick", "goesby",
                       "studentpreferredname", "preferredfirstname", "knownas"),
    "student_id": ("id", "studentid", "studentnumber", "sisid", "studentsisid", "localid",
                   "studentno", "idnumber", "sourcedid"),
    "grade": ("grade", "gradelevel", "gr", "year", "class"),
    "guardian1": ("guardian", "guardian1", "parentguardian1", "parentguardian", "parent1",
                  "parent", "guardian1name", "parentname", "parentguardianname", "contact1",
                  "primarycontact", "mother", "parentguardian1name"),
    "guardian2": ("guardian2", "parentguardian2", "parent2", "guardian2name", "contact2",
                  "secondarycontact", "father", "parentguardian2name"),
    "phone": ("phone", "phonenumber", "telephone", "tel", "homephone", "mobile", "cell",
              "mobilenumber", "cellphone", "parentphone", "guardianphone", "primaryphone"),
    "email": ("email", "emailaddress", "email1", "parentemail", "guardianemail",
              "primaryemail", "homeemail", "email1value"),
    "language": ("language", "homelanguage", "languageathome", "primarylanguage",
                 "preferredlanguage", "familylanguage", "homelang", "lang", "idioma"),
}


def fold_header(name: str) -> str:
    """A header name reduced to lower-case letters and digits, for matching."""
    name = unicodedata.normalize("NFKD", name).casefold()
    return re.sub(r"[^0-9a-z]", "", name)


@dataclass(frozen=True)
class Student:
    """One row of the roster."""

    number: int  # position in the roster, from 1
    line: int
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

    @property
    def name(self) -> str:
        """The name to print: the preferred first name, then the last name."""
        return f"{self.preferred_name or self.first_name} {self.last_name}".strip()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def slug(self, width: int) -> str:
        """A safe file name stem like `07-lopez-ana` (never empty, never a path)."""
        words = slugify(f"{self.last_name} {self.first_name}", max_length=60) or "student"
        return f"{self.number:0{width}d}-{words}"


@dataclass
class Roster:
    path: Path | None
    students: list[Student] = field(default_factory=list)

    @property
    def slug_width(self) -> int:
        return max(2, len(str(len(self.students))))


def _decode(raw: bytes, path: Path) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\x00" in raw:
        raise ContentError("roster is not a text CSV file (it contains NUL bytes; "
                           "save it from the spreadsheet as CSV)", path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:  # what Excel writes as "CSV" on Windows
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError("roster is neither UTF-8 nor Windows-1252 text", path, line) from None


def _dialect(text: str) -> type[csv.Dialect]:
    """Comma, semicolon (Excel in many European locales) or tab, judged by the header line.

    Only the separator is guessed: csv.Sniffer also guesses the quote character, and a name
    like O'Brien in the data then breaks every row.
    """
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: (counts[d], d == ","))

    class Dialect(csv.excel):
        pass

    Dialect.delimiter = delimiter
    return Dialect


def _map_columns(header: list[str], columns: Mapping[str, str], path: Path) -> dict[str, int]:
    """Column index for each roster field: settings mapping first, then the known aliases."""
    folded = [fold_header(h) for h in header]
    found: dict[str, int] = {}
    for fieldname, wanted in columns.items():
        if fold_header(wanted) not in folded:
            raise ContentError(f"column {wanted!r} (set for {fieldname} in settings) is not in the "
                               f"roster header: {', '.join(h for h in header if h)}", path, 1)
        found[fieldname] = folded.index(fold_header(wanted))
    for fieldname, aliases in ALIASES.items():
        if fieldname in found:
            continue
        for alias in aliases:
            if alias in folded and folded.index(alias) not in found.values():
                found[fieldname] = folded.index(alias)
                break
    return found


def read_roster(path: Path, columns: Mapping[str, str], problems: Problems,
                root: Path | None = None) -> Roster:
    """Read a roster CSV; each bad row is recorded as an error with its line number. A roster
    that leads out of `root` (default: its own folder) or is not a regular file is refused."""
    raw = files.read_bytes(path, root or path.parent, MAX_ROSTER_BYTES)
    text = _decode(raw, path)
    if not text.strip():
        raise ContentError("roster is empty; it needs a header row and one row per student",
                           path, 1)
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    try:
        header = next(reader)
        index = _map_columns(header, columns, path)
        missing = [f for f in ("first_name", "last_name") if f not in index]
        if missing:
            raise ContentError(
                "roster header has no " + " or ".join(m.replace("_", " ") for m in missing)
                + " column (found: " + ", ".join(h for h in header if h)[:200] + "); name the "
                "columns 'First Name' and 'Last Name' or map them under roster: columns: in "
                "settings.yaml", path, 1)
        roster = Roster(path)
        line = reader.line_num + 1
        for row in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            student = _student(row, index, len(roster.students) + 1, start, path, problems)
            if student is not None:
                roster.students.append(student)
            if len(roster.students) > MAX_STUDENTS:
                raise ContentError(f"roster has more than {MAX_STUDENTS:,} students; split it "
                                   "into one roster per class", path, start)
    except csv.Error as exc:
        raise ContentError(f"malformed CSV: {exc}", path, reader.line_num) from None
    if not roster.students and not problems.errors:
        raise ContentError("roster has a header but no students", path, 2)
    _check_duplicates(roster, problems)
    return roster


def _clean(value: str) -> str:
    value = "".join(c for c in value if unicodedata.category(c) not in ("Cc", "Cs")
                    or c in "\n")
    return " ".join(value.split())


def _student(row: list[str], index: dict[str, int], number: int, line: int, path: Path,
             problems: Problems) -> Student | None:
    values: dict[str, str] = {}
    for fieldname, col in index.items():
        value = _clean(row[col]) if col < len(row) else ""
        if len(value) > MAX_FIELD_CHARS:
            problems.error(f"{fieldname.replace('_', ' ')} is longer than {MAX_FIELD_CHARS} "
                           "characters", path, line)
            return None
        values[fieldname] = value
    for required in ("first_name", "last_name"):
        if not values.get(required):
            problems.error(f"student has no {required.replace('_', ' ')}", path, line)
            return None
    given = values.get("language", "")
    language = parse_language(given) if given else None
    return Student(
        number=number, line=line,
        first_name=values["first_name"], last_name=values["last_name"],
        preferred_name=values.get("preferred_name", ""), student_id=values.get("student_id", ""),
        grade=values.get("grade", ""),
        guardians=tuple(g for g in (values.get("guardian1", ""), values.get("guardian2", "")) if g),
        phone=values.get("phone", ""), email=values.get("email", ""),
        language=language, language_given=given,
    )


def _check_duplicates(roster: Roster, problems: Problems) -> None:
    seen: dict[tuple[str, ...], Student] = {}
    for s in roster.students:
        key = ("id", s.student_id) if s.student_id else (
            "name", s.first_name.casefold(), s.last_name.casefold())
        if key in seen:
            problems.error(f"{s.full_name} is listed twice (first at line {seen[key].line})",
                           roster.path, s.line)
        else:
            seen[key] = s
