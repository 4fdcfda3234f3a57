"""Project settings: the school, the teacher, the year, languages, paper and theme."""

from __future__ import annotations

import re
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, model_validator

from ..paper import Paper
from .base import Day, ImageFile, LangCode, Model, ProjectFile, Text

Channel = Literal["text", "call", "email", "note", "app"]
RosterField = Literal[
    "first_name", "last_name", "preferred_name", "student_id", "grade",
    "guardian1", "guardian2", "phone", "email", "language",
]


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


class RosterSettings(Model):
    file: ProjectFile = Field("roster.csv", validate_default=True)  # relative to content/
    columns: dict[RosterField, str] = Field(default_factory=dict)


class Settings(Model):
    school: School
    teacher: Teacher
    year: SchoolYear
    language: LangCode = "en"
    languages: list[LangCode] = Field(default_factory=list)
    paper: Paper = "letter"
    theme: Theme = Theme()
    printer: Printer = Printer()
    roster: RosterSettings = RosterSettings()
