"""OneRoster 1.1 and 1.2 CSV exports (a folder or its zip): one class's students and families.

What Infinite Campus, Skyward, ClassLink, Aeries, PowerSchool and many others export: students
and their parents in users.csv (linked by agentSourcedIds, in either direction), classes in
classes.csv, who is in which class in enrollments.csv, and in 1.2 the roles in roles.csv.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ..errors import ContentError, Problems
from .bundle import Bundle
from .headers import ALIASES, fold, fold_header
from .model import Roster
from .records import Record, add_students, language, same_class
from .table import csv_rows

FAMILY = {"parent", "guardian", "relative"}
USER_COLUMNS = ("sourcedid", "status", "role", "givenname", "familyname", "identifier", "email",
                "sms", "phone", "agentsourcedids", "grades", "preferredgivenname",
                "preferredfamilyname")


@dataclass
class Person:
    """The parts of a users.csv row that a roster needs."""

    line: int
    given: str
    family: str
    preferred: str = ""
    identifier: str = ""
    grade: str = ""
    phone: str = ""
    email: str = ""
    role: str = ""
    agents: list[str] = field(default_factory=list)
    home: str = ""  # a home language, from an extension column
    correspondence: str = ""

    @property
    def name(self) -> str:
        return f"{self.preferred or self.given} {self.family}".strip()


def _table(bundle: Bundle, name: str, names: dict[str, str] | None = None
           ) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of one of the export's files as {folded column: value}; `names` gets each
    folded column's name as written."""
    path = bundle.where(name)
    rows = csv_rows(bundle.read(name), path)
    header: list[str] = []
    for line, row in rows:
        if not header:
            header = [fold_header(h) for h in row]
            if names is not None:
                names.update(zip(header, row, strict=True))
            continue
        if any(cell.strip() for cell in row):
            yield line, {h: row[i].strip() if i < len(row) else "" for i, h in enumerate(header)}


def _version(bundle: Bundle) -> str:
    if bundle.has("manifest.csv"):
        for _, row in _table(bundle, "manifest.csv"):
            if row.get("propertyname", "").lower() == "oneroster.version":
                return row.get("value", "")
    return ""


def _language_columns(header: dict[str, str]) -> tuple[str | None, str | None]:
    """Extension columns (metadata.homeLanguage, ...) that hold a language, if any."""
    def find(aliases: tuple[str, ...]) -> str | None:
        for column in header:
            bare = column.removeprefix("metadata").removeprefix("ext")
            if bare in aliases and column not in USER_COLUMNS:
                return column
        return None
    return find(ALIASES["language"]), find(ALIASES["correspondence_language"])


def _classes(bundle: Bundle, wanted: str | None, roster: Roster) -> str | None:
    """The sourcedId of the class to read, or None to read every student in users.csv."""
    if not bundle.has("classes.csv"):
        return None
    found = [(row.get("sourcedid", ""), row.get("title", ""), row.get("classcode", ""))
             for _, row in _table(bundle, "classes.csv") if row.get("status") != "tobedeleted"]
    roster.classes = [f"{title or code} ({code or sid})" for sid, title, code in found]
    where = bundle.where("classes.csv")
    listing = "; ".join(f"{title!r} (classCode {code!r}, sourcedId {sid!r})"
                        for sid, title, code in found[:12])
    if len(found) > 12:
        listing += f"; and {len(found) - 12} more (see `takehome roster`)"
    if wanted is None:
        if len(found) == 1:
            roster.class_name = found[0][1] or found[0][2]
            return found[0][0]
        raise ContentError(f"the export holds {len(found)} classes; choose yours in "
                           "settings.yaml under roster: class: (its title, classCode or "
                           f"sourcedId): {listing}", where)
    exact = [c for c in found if fold(wanted) in {fold(c[0]), fold(c[1]), fold(c[2])}]
    matches = exact or [c for c in found if same_class(c[1], wanted)]
    if len(matches) == 1:
        roster.class_name = matches[0][1] or matches[0][2]
        return matches[0][0]
    if matches:
        raise ContentError(f"roster: class: {wanted!r} matches {len(matches)} classes; use the "
                           "classCode or sourcedId of yours: " + "; ".join(
                               f"{t!r} (classCode {c!r}, sourcedId {s!r})"
                               for s, t, c in matches[:12]), where)
    raise ContentError(f"no class {wanted!r} (set in settings under roster: class:) in the "
                       f"export; its classes: {listing}", where)


def _members(bundle: Bundle, class_id: str) -> set[str]:
    """The sourcedIds of the class's students, from enrollments.csv."""
    if not bundle.has("enrollments.csv"):
        raise ContentError("the export has classes.csv but no enrollments.csv, so takehome "
                           "cannot tell who is in which class", bundle.path)
    return {row.get("usersourcedid", "") for _, row in _table(bundle, "enrollments.csv")
            if row.get("classsourcedid") == class_id and row.get("role", "").lower() == "student"
            and row.get("status") != "tobedeleted"}


def _roles(bundle: Bundle) -> dict[str, str]:
    """OneRoster 1.2's roles.csv: user -> a role ("student", "parent", ...)."""
    roles: dict[str, str] = {}
    if bundle.has("roles.csv"):
        for _, row in _table(bundle, "roles.csv"):
            if row.get("status") != "tobedeleted":
                roles.setdefault(row.get("usersourcedid", ""), row.get("role", "").lower())
    return roles


def _grade(value: str) -> str:
    first = value.split(",")[0].strip()
    return str(int(first)) if first.isdigit() else first  # CEDS "02" -> "2"


def read(bundle: Bundle, wanted: str | None, roster: Roster, problems: Problems) -> None:
    """The chosen class's students (every student without classes.csv), with their families."""
    version = _version(bundle)
    class_id = _classes(bundle, wanted, roster)
    members = _members(bundle, class_id) if class_id is not None else None
    roles = _roles(bundle)
    roster.rows_path = bundle.where("users.csv")
    students: dict[str, Person] = {}
    others: dict[str, Person] = {}
    seen: set[str] = set()
    columns: tuple[str | None, str | None] | None = None
    names: dict[str, str] = {}
    for line, row in _table(bundle, "users.csv", names):
        if columns is None:
            columns = _language_columns(row)
            if "preferredgivenname" in row and not version:
                version = "1.2"
        sid = row.get("sourcedid", "")
        seen.add(sid)
        role = row.get("role", "").lower() or roles.get(sid, "")
        deleted = row.get("status") == "tobedeleted"
        person = Person(line, row.get("givenname", ""), row.get("familyname", ""),
                        row.get("preferredgivenname", ""), row.get("identifier", "") or sid,
                        _grade(row.get("grades", "")), row.get("phone", "") or row.get("sms", ""),
                        row.get("email", ""), role,
                        [a.strip() for a in row.get("agentsourcedids", "").split(",") if a.strip()],
                        row.get(columns[0], "") if columns[0] else "",
                        row.get(columns[1], "") if columns[1] else "")
        is_student = sid in members if members is not None else role == "student"
        if is_student and deleted:
            roster.skip("status tobedeleted", line)
        elif is_student:
            students[sid] = person
        elif not deleted and role != "student":
            others[sid] = person
    roster.source = f"OneRoster {version or '1.1'} CSV {bundle.kind}"
    roster.columns = {"first name": "users.csv givenName", "last name": "users.csv familyName",
                      "student id": "users.csv identifier", "grade": "users.csv grades",
                      "parents/guardians": "users.csv agentSourcedIds (parent, guardian, "
                                           "relative)",
                      "phone, email": "the guardians' phone (or sms) and email"}
    if version.startswith("1.2"):
        roster.columns["preferred name"] = "users.csv preferredGivenName"
    if columns and columns[0]:
        roster.columns["home language"] = f"users.csv {names[columns[0]]}"
    if columns and columns[1]:
        roster.columns["correspondence language"] = f"users.csv {names[columns[1]]}"
    _demographics(bundle, students, roster)
    if members is not None:
        for missing in sorted(members - seen):
            problems.warn(f"enrollments.csv lists {missing!r} in the class, but users.csv has "
                          "no such user; that student is left out", bundle.where("users.csv"))
    # Parents who list the student among their agents (the link from the parent's side).
    listed_by: dict[str, list[str]] = {}
    for oid, other in others.items():
        for agent in other.agents:
            if agent in students:
                listed_by.setdefault(agent, []).append(oid)
    records = [_record(p, others, listed_by.get(sid, [])) for sid, p in students.items()]
    records.sort(key=lambda r: (fold(r.last_name), fold(r.first_name), r.line))
    add_students(records, roster, problems)


def _demographics(bundle: Bundle, students: dict[str, Person], roster: Roster) -> None:
    """A language in demographics.csv's extension columns, for students without one."""
    if not bundle.has("demographics.csv"):
        return
    columns: tuple[str | None, str | None] | None = None
    names: dict[str, str] = {}
    for _, row in _table(bundle, "demographics.csv", names):
        columns = columns or _language_columns(row)
        person = students.get(row.get("sourcedid", ""))
        if person is not None:
            person.home = person.home or (row.get(columns[0], "") if columns[0] else "")
            person.correspondence = person.correspondence or (
                row.get(columns[1], "") if columns[1] else "")
    for what, column in zip(("home language", "correspondence language"), columns or (),
                             strict=False):
        if column and what not in roster.columns:
            roster.columns[what] = f"demographics.csv {names[column]}"


def _record(student: Person, others: dict[str, Person], listed_by: list[str]) -> Record:
    """A student with the family linked either way: the student's agents, and the parents
    who list the student among theirs."""
    linked = [a for a in student.agents if a in others] + [
        oid for oid in listed_by if oid not in student.agents]
    family = [others[a] for a in linked if others[a].role in FAMILY or not others[a].role]
    code, given, which = language(student.home, student.correspondence)
    return Record(student.line, student.given, student.family, student.preferred,
                  student.identifier, student.grade, "",
                  [p.name for p in family if p.name],
                  next((p.phone for p in family if p.phone), ""),
                  next((p.email for p in family if p.email), ""), code, given, which)
