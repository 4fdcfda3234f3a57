"""The connection log: every note, email, call and meeting with a family; the report's settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from ...models.base import Day, Model, ProjectFile

Method = Literal["note", "email", "phone", "text", "meeting"]
Tone = Literal["positive", "concern"]

# What teachers write in their own logs, folded to lower case.
METHOD_WORDS: dict[str, Method] = {
    "note": "note", "letter": "note", "card": "note", "email": "email", "e-mail": "email",
    "phone": "phone", "call": "phone", "phone call": "phone", "text": "text", "sms": "text",
    "text message": "text", "meeting": "meeting", "conference": "meeting",
    "in person": "meeting", "visit": "meeting",
}
TONE_WORDS: dict[str, Tone] = {
    "positive": "positive", "+": "positive", "pos": "positive", "good": "positive",
    "good news": "positive", "praise": "positive",
    "concern": "concern", "-": "concern", "neg": "concern", "negative": "concern",
    "worry": "concern",
}


def _word(value: Any, words: Mapping[str, str], what: str) -> Any:
    if isinstance(value, str):
        found = words.get(" ".join(value.lower().split()))
        if found is None:
            choices = ", ".join(dict.fromkeys(words.values()))
            raise ValueError(f"unknown {what} {value!r}; use one of: {choices}")
        return found
    return value


class Entry(Model):
    """One contact with a family."""

    date: Day
    student: str = Field(min_length=1, max_length=200)  # as on the roster: name or student id
    method: Method
    tone: Tone  # positive, or a concern
    note: str = Field("", max_length=2000)
    follow_up: str = Field("", max_length=500)

    @field_validator("method", mode="before")
    @classmethod
    def _method(cls, value: Any) -> Any:
        return _word(value, METHOD_WORDS, "method")

    @field_validator("tone", mode="before")
    @classmethod
    def _tone(cls, value: Any) -> Any:
        return _word(value, TONE_WORDS, "tone (positive or concern)")

    @field_validator("student", "note", "follow_up", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        if value is None:
            return ""
        return str(value).strip() if isinstance(value, str | int) else value


class Log(Model):
    """content/log.yaml: where the log is kept, and what the report looks for."""

    file: ProjectFile | None = None  # a CSV: date, student, method, tone, note, follow_up
    entries: list[Entry] = Field(default_factory=list)  # or (also) the entries written here
    as_of: dt.date | None = None  # the report's "today" (default: the last entry's date)
    not_reached_days: int = Field(14, ge=1, le=180)
    per_week: int = Field(5, ge=1, le=60)  # families suggested for each week's contacts

    @model_validator(mode="after")
    def _csv(self) -> Log:
        if self.file is not None and not self.file.lower().endswith(".csv"):
            raise ValueError(f"{self.file!r} is not a .csv file")
        return self
