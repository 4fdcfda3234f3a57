"""Which column is which: the header names school systems and spreadsheets export, per field."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ContentError

# Header names as exported by SIS, spreadsheet and address-book tools, compared after folding
# case, spaces and punctuation away ("Student First Name" -> "studentfirstname", PowerSchool's
# "First_Name" -> "firstname", Infinite Campus's "student.lastName" -> "studentlastname").
# Earlier names win when a file has several.
ALIASES: dict[str, tuple[str, ...]] = {
    "first_name": ("firstname", "studentfirstname", "first", "givenname", "given", "forename",
                   "legalfirstname", "stufirstname", "psnnamefirst", "studentgivenname",
                   "nombre"),
    "last_name": ("lastname", "studentlastname", "last", "surname", "familyname", "family",
                  "legallastname", "stulastname", "psnnamelast", "studentsurname",
                  "apellido", "apellidos"),
    # A bare "Name" is left out: in other exports it names an organisation or a class.
    "name": ("studentname", "fullname", "lastfirst", "studentfullname", "childsname",
             "childname", "nombrecompleto"),
    "preferred_name": ("preferredname", "preferred", "nickname", "nick", "goesby",
                       "studentpreferredname", "preferredfirstname", "knownas", "stunickname",
                       "firstnamealias", "aliasfirstname", "preferredgivenname"),
    "student_id": ("studentid", "id", "studentnumber", "sisid", "studentsisid", "localid",
                   "studentno", "idnumber", "lasid", "stdidlocal", "permanentid", "permid",
                   "stuid", "otherid", "studentstudentnumber", "sourcedid"),
    "grade": ("grade", "gradelevel", "gr", "studentgrade", "stdgradelevel", "year",
              "yeargroup"),
    "class": ("class", "classname", "homeroom", "stdhomeroom", "section", "sectionname",
              "classcode", "form", "tutorgroup", "homeroomteacher", "teacher"),
    "guardian1": ("guardian1", "parentguardian1", "guardian", "parentguardian", "parent1",
                  "parent", "guardian1name", "parentname", "parentguardianname", "contact1",
                  "contactname", "contact1name", "primarycontact", "primarycontactname",
                  "guardianname", "guardian1fullname",
                  "mother", "parentguardian1name"),
    "guardian2": ("guardian2", "parentguardian2", "parent2", "guardian2name", "contact2",
                  "contact2name", "secondarycontact", "father", "parentguardian2name"),
    "phone": ("phone", "phonenumber", "telephone", "tel", "homephone", "primaryphone",
              "contactphone", "parentphone", "guardianphone", "guardian1phone",
              "contact1phone", "mobile", "cell", "mobilenumber", "cellphone"),
    "email": ("email", "emailaddress", "parentemail", "parentemailaddress", "guardianemail",
              "guardian1email", "contactemail", "contact1email", "familyemail", "email1",
              "primaryemail", "homeemail", "email1value"),
    "language": ("homelanguage", "language", "languageathome", "primarylanguage",
                 "familylanguage", "homelang", "lang", "homelanguagecode",
                 "homeprimarylanguage", "studenthomeprimarylanguage", "languagespokenathome",
                 "nativelanguage", "idioma"),
    "correspondence_language": ("correspondencelanguage", "correspondencelanguagecode",
                                "languageofcorrespondence", "preferredlanguage",
                                "parentlanguage", "guardianlanguage", "contactlanguage",
                                "communicationlanguage", "preferredcontactlanguage"),
}
# Extension columns keep their prefix in OneRoster (metadata.homeLanguage) and Clever (ext.*).
PREFIXES = ("metadata", "ext")


@dataclass(frozen=True)
class Profile:
    """A school system's export, known by column names no other tool uses."""

    name: str
    marks: frozenset[str]
    needs: int = 2  # how many of the marks a header must have


PROFILES = (
    Profile("PowerSchool", frozenset({
        "lastfirst", "studentnumber", "gradelevel", "homeroom", "guardianemail", "mother",
        "father", "enrollstatus", "schoolid", "homephone", "dcid"}), 3),
    Profile("Aspen/X2", frozenset({
        "lasid", "sasid", "homelanguage", "primaryphone", "stdidlocal", "psnnamefirst",
        "psnnamelast", "stdhomeroom", "yog"})),
    Profile("Aeries", frozenset({
        "permanentid", "correspondencelanguagecode", "homelanguagecode", "parentguardianname",
        "firstnamealias", "lastnamealias", "languagefluencycode", "teachernumber",
        "parentemailaddress"})),
    Profile("Infinite Campus", frozenset({
        "studentpersonid", "personid", "studentstudentnumber", "homeprimarylanguage",
        "studenthomeprimarylanguage", "studentcalendarname", "studentgrade"})),
    Profile("Skyward", frozenset({
        "stufirstname", "stulastname", "stunickname", "stuid", "otherid", "nameid", "gradyr",
        "entity"})),
    Profile("Clever", frozenset({
        "schoolid", "studentid", "studentnumber", "stateid", "contactname", "contacttype",
        "contactrelationship", "contactphone", "ellstatus", "frlstatus", "iepstatus",
        "hispaniclatino", "studentemail"}), 4),
)
# Google Classroom's export (and a Google Sheets copy of it) starts with these columns; its
# email address is the child's school account, never the family's.
CLASSROOM = ["lastname", "firstname", "emailaddress"]


def fold(value: str) -> str:
    """A value reduced to its letters and digits, case and accents folded, for matching."""
    value = unicodedata.normalize("NFKD", value.casefold())
    return "".join(c for c in value if c.isalnum())


def fold_header(name: str) -> str:
    """A header name reduced to lower-case ASCII letters and digits, for matching."""
    return re.sub(r"[^0-9a-z]", "", fold(name))


def _unprefixed(folded: str) -> str:
    for prefix in PREFIXES:
        if folded.startswith(prefix) and len(folded) > len(prefix):
            return folded[len(prefix):]
    return folded


@dataclass
class Columns:
    """Where each roster field is in a table's rows, and what was recognised."""

    index: dict[str, int] = field(default_factory=dict)
    profile: str = ""
    ignored: dict[int, str] = field(default_factory=dict)  # column -> why it is not used
    contact_type: int | None = None  # Clever's Contact_type: emergency contacts are no family

    def described(self, header: list[str]) -> dict[str, str]:
        """Field -> the header that fed it, in field order."""
        return {f: header[i] for f, i in sorted(self.index.items(), key=lambda x: x[1])}

    def unused(self, header: list[str]) -> list[str]:
        used = set(self.index.values()) | (
            {self.contact_type} if self.contact_type is not None else set())
        return [f"{h} ({self.ignored[i]})" if i in self.ignored else h
                for i, h in enumerate(header) if h.strip() and i not in used]


def recognise(folded: list[str]) -> str:
    """The school system whose export this header looks like, or ""."""
    if folded[:3] == CLASSROOM:
        return "Google Classroom"
    best, score = "", 0
    for profile in PROFILES:
        found = len(profile.marks & set(folded))
        if found >= profile.needs and found > score:
            best, score = profile.name, found
    return best


def map_columns(header: list[str], columns: Mapping[str, str], path: Path,
                line: int = 1) -> Columns:
    """Column index for each roster field: settings mapping first, then the known names."""
    folded = [fold_header(h) for h in header]
    bare = [_unprefixed(f) for f in folded]
    found = Columns(profile=recognise(folded))
    for fieldname, wanted in columns.items():
        if fold_header(wanted) not in folded:
            raise ContentError(f"column {wanted!r} (set for {fieldname} in settings) is not in the "
                               f"roster header: {', '.join(h for h in header if h)}", path, line)
        found.index[fieldname] = folded.index(fold_header(wanted))
    if found.profile == "Google Classroom":
        found.ignored[2] = "the child's school account"
    taken = set(found.index.values()) | set(found.ignored)
    for fieldname, aliases in ALIASES.items():
        if fieldname in found.index:
            continue
        for alias in aliases:
            at = next((i for i, h in enumerate(bare) if h == alias and i not in taken), None)
            if at is not None:
                found.index[fieldname] = at
                taken.add(at)
                break
    if "contacttype" in folded:
        found.contact_type = folded.index("contacttype")
    if "first_name" in found.index or "last_name" in found.index:
        found.index.pop("name", None)  # "Name" beside first and last is a display copy
    return found


def has_names(found: Columns) -> bool:
    return any(f in found.index for f in ("first_name", "last_name", "name"))
