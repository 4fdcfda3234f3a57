"""Project settings: the school, the teacher, the year, languages, paper and theme."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from ..paper import Paper
from .base import Day, ImageFile, LangCode, Model, Text

Channel = Literal["text", "call", "email", "note", "app"]
RosterField = Literal[
    "first_name", "last_name", "name", "preferred_name", "student_id", "grade", "class",
    "guardian1", "guardian2", "phone", "email", "language", "correspondence_language",
]
ROSTER_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".zip")


def _colour(value: str) -> str:
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise ValueError(f"{value!r} is not a colour like '#2f6f73'")
    return value.lower()


Colour = Annotated[str, AfterValidator(_colour)]


MAX_URL_CHARS = 2_000  # a longer address fits no QR code a phone can read from paper


def _url(value: str) -> str:
    if not re.fullmatch(r"https?://[^\s/$.?#][^\s]*", value):
        raise ValueError(f"{value!r} is not a web address starting with https://")
    if len(value) > MAX_URL_CHARS:
        raise ValueError(f"the web address is {len(value):,} characters long; the limit is "
                         f"{MAX_URL_CHARS:,} (it is printed as a QR code)")
    try:
        urlsplit(value).port  # noqa: B018 - raises for a port that is not one
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a valid web address ({exc})") from None
    return value


Url = Annotated[str, AfterValidator(_url)]


class School(Model):
    name: str
    address: str = ""
    phone: str = ""
    email: str = ""
    website: Url | None = None
    logo: ImageFile | None = None


class Teacher(Model):
    name: str
    room: str = ""
    grade: str = ""
    email: str = ""
    phone: str = ""
    hours: Text | None = None
    channels: list[Channel] = Field(default_factory=lambda: list[Channel](["note", "email"]))
    about: Text | None = None
    hopes: Text | None = None
    photo: ImageFile | None = None


class SchoolYear(Model):
    start: Day
    end: Day

    @model_validator(mode="after")
    def _ordered(self) -> SchoolYear:
        if self.end <= self.start:
            raise ValueError("the school year must end after it starts")
        if (self.end - self.start).days > 400:
            raise ValueError("a school year cannot be longer than 400 days")
        return self

    @property
    def label(self) -> str:
        return f"{self.start.year}–{self.end.year}"


class Theme(Model):
    accent: Colour = "#2f6f73"
    font: str = "Atkinson Hyperlegible"


class Printer(Model):
    """Where this printer really puts the page, measured with cards/calibration.pdf (mm)."""

    offset_x: float = Field(0.0, ge=-10, le=10)  # positive: it prints too far right
    offset_y: float = Field(0.0, ge=-10, le=10)  # positive: it prints too far down


def _roster_source(value: str, info: ValidationInfo) -> str:
    """The roster: a file inside the project, or an export's folder inside content/."""
    root = (info.context or {}).get("root")
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value) or value.startswith("//"):
        raise ValueError(f"{value!r} is a URL; only files inside the project can be used")
    if root is None:
        return value
    content = Path(root).resolve() / "content"
    candidate = (content / value).resolve()
    if not candidate.is_relative_to(Path(root).resolve()):
        raise ValueError(f"{value!r} is outside the project; copy the roster into content/")
    if candidate.is_dir() and not candidate.is_relative_to(content):
        raise ValueError(f"{value!r} is a folder outside content/; move the export into content/")
    if not candidate.exists():
        found = sorted(p.name for p in content.iterdir() if p.suffix.lower() in ROSTER_SUFFIXES
                       and p.is_file()) if content.is_dir() else []
        hint = f"; content/ has: {', '.join(found[:8])}" if found else ""
        raise ValueError(f"roster {value!r} not found in content/{hint} (set roster: file: to "
                         "your roster: a CSV or .xlsx file, or a OneRoster or Clever export's "
                         "folder or zip)")
    return candidate.relative_to(Path(root).resolve()).as_posix()


class RosterSettings(Model):
    # A CSV or Excel file, or a OneRoster or Clever export (folder or zip), relative to content/.
    file: Annotated[str, AfterValidator(_roster_source)] = Field(
        "roster.csv", validate_default=True)
    class_: str | None = Field(None, alias="class", min_length=1, max_length=200)
    sheet: str | None = Field(None, min_length=1, max_length=200)  # a workbook's sheet
    columns: dict[RosterField, str] = Field(default_factory=dict)

    @field_validator("class_", "sheet", mode="before")
    @classmethod
    def _text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


TimeStyle = Literal["12h", "24h"]


class Settings(Model):
    school: School
    teacher: Teacher
    year: SchoolYear
    language: LangCode = "en"
    languages: list[LangCode] = Field(default_factory=list)
    # How the school writes times, in every edition: "12h" (6:30 PM, 6:30 p. m.) or "24h"
    # (18:30); unset, each language's own custom. Languages with no words of their own for
    # a.m. and p.m. print 24-hour times either way.
    time_style: TimeStyle | None = None
    # One sentence, in each family's language, on how to ask for an interpreter or a
    # translated copy: printed on the intake sheet, the welcome sheet and newsletters.
    interpreter: Text | None = None
    paper: Paper = "letter"
    theme: Theme = Theme()
    printer: Printer = Printer()
    roster: RosterSettings = RosterSettings()
