"""Generic pages: a project's documents built without its school, teacher, class or dates.

Sellers' products are printed by teachers who are not in the project: where a document would
print the school's name, the teacher's, the room, the school year or a date, a generic build
prints a line to write on (a `Blank`), or a fixed text the seller chose. The values are
replaced once, in the settings every kind plans with, so that templates need not know.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from pydantic import Field

from .i18n import N_
from .models.base import Model
from .models.settings import School, SchoolYear, Settings, Teacher


class Blank:
    """A value left for the reader to write in: prints as a writing line (or several)."""

    def __init__(self, caption: str = "", width_mm: float = 45, lines: int = 1) -> None:
        self.caption = caption  # what to write there ("Teacher"), a message id
        self.width_mm = width_mm
        self.lines = lines

    def html(self, gettext: Callable[[str], str] | None = None) -> str:
        """The writing line(s), captioned in the page's language when `gettext` is given."""
        caption = ""
        if gettext is not None and self.caption:
            caption = f'<span class="caption">{html.escape(gettext(self.caption))}</span> '
        if self.lines > 1:
            rows = '<span class="blank-row"></span>' * self.lines
            return f'<span class="blank-lines">{rows}</span>'
        return (f'<span class="blank">{caption}<span class="rule" '
                f'style="width: {self.width_mm:g}mm"></span></span>')

    def __html__(self) -> str:
        return self.html()

    def __str__(self) -> str:
        # Where code formats it into plain text (a title, the PDF's metadata): a drawn line.
        return "_" * max(4, round(self.width_mm / 2.5))

    def has(self, lang: str) -> bool:
        """As a teacher's Text does: a line to write on is in every language."""
        return True

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"Blank({self.caption!r}, {self.width_mm}, {self.lines})"


def printed(value: Any, gettext: Callable[[str], str]) -> Any:
    """What a template prints for `value`: a Blank as its captioned line(s), the rest as is."""
    return Markup(value.html(gettext)) if isinstance(value, Blank) else value


class GenericTexts(Model):
    """Fixed texts a seller wants printed instead of lines to write on (product.yaml: generic)."""

    school: str | None = Field(None, min_length=1, max_length=80)  # e.g. the store's name
    teacher: str | None = Field(None, min_length=1, max_length=80)
    room: str | None = Field(None, min_length=1, max_length=20)
    school_year: str | None = Field(None, min_length=1, max_length=30)  # "20__–20__"


@dataclass(frozen=True)
class Generic:
    """How to build a project generically: the seller's fixed texts, and for some documents
    content keys replaced (a text that names the class, say), each already validated."""

    texts: GenericTexts = field(default_factory=GenericTexts)
    content: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # document -> keys

    def key(self) -> str:
        """For the build record: what makes two generic builds differ."""
        return self.texts.model_dump_json() + json.dumps(self.content, sort_keys=True,
                                                         default=str)


def replaced(model: type[Model], data: Any, content: Mapping[str, Any],
             context: dict[str, Any]) -> Model:
    """A document's model with `content`'s keys replacing its own; raises ValidationError."""
    merged = {**data, **content} if isinstance(data, dict) else dict(content)
    return model.model_validate(merged, context=context)


class GenericYear(SchoolYear):
    """The school year of a generic build: its dates stay for arithmetic, its label is blank."""

    text: str | None = None

    @property
    def label(self) -> Any:  # a Blank prints as a line
        return self.text if self.text else Blank(width_mm=22)


def _or_blank(text: str | None, caption: str, width_mm: float) -> Any:
    return text if text else Blank(caption, width_mm)


def settings(base: Settings, texts: GenericTexts) -> Settings:
    """`base` with the school, the teacher, the year and the school's sentences made generic.

    The theme, languages, paper, printer and roster settings are the project's: they are how
    it prints, not whom it is for.
    """
    school = School(name="").model_copy(update={
        "name": _or_blank(texts.school, N_("School"), 60),
        "address": Blank(N_("Address"), 70), "phone": Blank(N_("Phone"), 45),
        "email": Blank(N_("Email"), 60)})
    teacher = Teacher(name="").model_copy(update={
        "name": _or_blank(texts.teacher, N_("Teacher"), 45),
        "room": texts.room or Blank(width_mm=12),
        "grade": "", "email": Blank(width_mm=50), "phone": Blank(width_mm=45),
        "hours": Blank(width_mm=50), "about": Blank(lines=4), "hopes": Blank(lines=3)})
    year = GenericYear(start=base.year.start, end=base.year.end, text=texts.school_year)
    return base.model_copy(update={"school": school, "teacher": teacher, "year": year,
                                   "interpreter": None})
