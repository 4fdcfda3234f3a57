"""The school calendar's content file (content/calendar.yaml): categories, events, imports."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, field_validator, model_validator

from ...models.base import Day, Model, Text
from ...models.settings import Colour, Url

# How a category marks a day so that it reads without colour: a fill (solid, shade, hatch),
# an outline round the day number (box, circle), or a small sign (underline, overline, corner, dot).
Mark = Literal["solid", "shade", "hatch", "box", "circle", "underline", "overline", "corner", "dot"]
MARKS: tuple[str, ...] = Mark.__args__  # type: ignore[attr-defined]

_TIME = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*([ap])?\.?\s*m?\.?\s*$", re.IGNORECASE)


def _time(value: Any) -> Any:
    """A time of day: "18:30", "6:30 pm", "6 pm"; YAML 1.1 reads 18:30 as 1110 (base 60)."""
    if isinstance(value, bool):
        raise ValueError("expected a time such as '18:30' or '6:30 pm'")
    if isinstance(value, int):
        if 0 <= value < 24 * 60:
            return dt.time(value // 60, value % 60)
        raise ValueError(f"{value} is not a time; write it in quotes, such as '18:30'")
    if isinstance(value, str):
        match = _TIME.match(value)
        if not match:
            raise ValueError(f"{value!r} is not a time such as '18:30' or '6:30 pm'")
        hour, minute, half = int(match[1]), int(match[2] or 0), (match[3] or "").lower()
        if half:
            if not 1 <= hour <= 12:
                raise ValueError(f"{value!r}: the hour of a.m./p.m. time must be 1 to 12")
            hour = hour % 12 + (12 if half == "p" else 0)
        if hour > 23 or minute > 59:
            raise ValueError(f"{value!r} is not a time of day")
        return dt.time(hour, minute)
    return value


Time = Annotated[dt.time, BeforeValidator(_time)]


def _zone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}; use a name such as "
                         "'America/Chicago' or 'Europe/Madrid'") from None
    return value


TimeZone = Annotated[str, AfterValidator(_zone)]
CategoryKey = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


class CategorySpec(Model):
    """A category of days: a built-in one changed, or a new one (which needs a label)."""

    label: Text | None = None
    colour: Colour | None = None
    mark: Mark | None = None
    key_dates: bool | None = None  # listed among the key dates (default: yes)


class EventSpec(Model):
    """A day, a range of days, or a list of days, with an optional time."""

    title: Text
    category: str = "school_event"
    date: Day | None = None
    start: Day | None = None
    end: Day | None = None
    dates: list[Day] | None = None
    time: Time | None = None
    end_time: Time | None = None
    location: Text | None = None
    key_date: bool | None = None  # override the category's key_dates for this event

    @model_validator(mode="after")
    def _one_way_of_giving_days(self) -> EventSpec:
        given = [k for k in ("date", "start", "dates") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give the day(s) as one of `date`, `start` (and `end`) or `dates`")
        if self.end is not None and self.start is None:
            raise ValueError("`end` needs a `start`")
        if self.start and self.end and self.end < self.start:
            raise ValueError("the event ends before it starts")
        if self.dates is not None and not self.dates:
            raise ValueError("`dates` is empty")
        if self.end_time is not None and self.time is None:
            raise ValueError("`end_time` needs a `time`")
        return self

    def spans(self) -> list[tuple[dt.date, dt.date]]:
        """The (first, last) day of each occurrence."""
        if self.dates is not None:
            return [(d, d) for d in sorted(set(self.dates))]
        first = self.date or self.start
        assert first is not None
        return [(first, self.end or first)]


class ImportSpec(Model):
    """How to read one .ics file of content/calendar/."""

    category: str | None = None  # for events whose CATEGORIES name none of ours
    categories: dict[str, str] = Field(default_factory=dict)  # their CATEGORIES -> our key
    key_dates: bool | None = None  # list this file's events among the key dates

    @field_validator("categories")
    @classmethod
    def _non_empty(cls, value: dict[str, str]) -> dict[str, str]:
        if any(not k.strip() for k in value):
            raise ValueError("a category name to map is empty")
        return value


class HolidaySpec(Model):
    """Public holidays from the `holidays` package's own data (nothing is downloaded)."""

    country: str = Field(pattern=r"^[A-Za-z]{2}$")
    subdivision: str | None = None
    category: str = "public_holiday"


class GlanceSpec(Model):
    orientation: Literal["portrait", "landscape"] = "portrait"


class CalendarContent(Model):
    """content/calendar.yaml."""

    title: Text | None = None
    start_month: int | None = Field(None, ge=1, le=12)  # first month of the year at a glance
    end_month: int | None = Field(None, ge=1, le=12)
    week_start: Literal["auto", "sunday", "monday"] = "auto"
    timezone: TimeZone | None = None
    publish_url: Url | None = None
    updated: Day | None = None
    holidays: HolidaySpec | None = None
    glance: GlanceSpec = GlanceSpec()
    categories: dict[CategoryKey, CategorySpec] = Field(default_factory=dict)
    imports: dict[str, ImportSpec] = Field(default_factory=dict)  # file name in calendar/ -> how
    events: list[EventSpec] = Field(default_factory=list)
