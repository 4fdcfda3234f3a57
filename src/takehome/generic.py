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

    def __init__(self, caption: str = "", width_mm: float = 45, lines: int = 1,
                 field: str = "", editable: bool = False) -> None:
        self.caption = caption  # what to write there ("Teacher"), a message id
        self.width_mm = width_mm
        self.lines = lines
        self.field = field  # the form field's name: the same on every page it is on
        self.editable = editable  # a form field to type into, rather than a line

    def html(self, gettext: Callable[[str], str] | None = None) -> str:
        """The writing line(s) or form field, captioned in the page's language when `gettext`
        is given."""
        caption = ""
        if gettext is not None and self.caption:
            caption = f'<span class="caption">{html.escape(gettext(self.caption))}</span> '
        name = html.escape(self.field)
        if self.lines > 1:
            if self.editable:
                return (f'<span class="blank-lines"><textarea name="{name}" '
                        f'style="height: {self.lines * 8}mm"></textarea></span>')
            rows = '<span class="blank-row"></span>' * self.lines
            return f'<span class="blank-lines">{rows}</span>'
        if self.editable:
            return (f'<span class="blank">{caption}<input type="text" name="{name}" '
                    f'style="width: {self.width_mm:g}mm"></span>')
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
    editable: bool = False  # form fields to type into, one name per value, not lines
    # document -> key -> where the replacement is written ("content/product.yaml:31"), so that
    # a message about its text names that line rather than the document's own
    origins: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def key(self) -> str:
        """For the build record: what makes two generic builds differ."""
        return (self.texts.model_dump_json() + json.dumps(self.content, sort_keys=True,
                                                          default=str) + str(self.editable))

    def blank(self, field: str, caption: str = "", width_mm: float = 45, lines: int = 1
              ) -> Blank:
        """The Blank for value `field` in this build."""
        return Blank(caption, width_mm, lines, field, self.editable)


def replaced(model: type[Model], data: Any, content: Mapping[str, Any],
             context: dict[str, Any]) -> Model:
    """A document's model with `content`'s keys replacing its own; raises ValidationError."""
    merged = {**data, **content} if isinstance(data, dict) else dict(content)
    return model.model_validate(merged, context=context)


class GenericYear(SchoolYear):
    """The school year of a generic build: its dates stay for arithmetic, its label is blank."""

    text: str | None = None
    editable: bool = False

    @property
    def label(self) -> Any:  # a Blank prints as a line
        return self.text if self.text else Blank(width_mm=22, field="school_year",
                                                 editable=self.editable)


def settings(base: Settings, generic: Generic) -> Settings:
    """`base` with the school, the teacher, the year and the school's sentences made generic.

    The theme, languages, paper, printer and roster settings are the project's: they are how
    it prints, not whom it is for.
    """
    texts, blank = generic.texts, generic.blank
    school = School(name="").model_copy(update={
        "name": texts.school or blank("school", N_("School"), 60),
        "address": blank("school_address", N_("Address"), 70),
        "phone": blank("school_phone", N_("Phone"), 45),
        "email": blank("school_email", N_("Email"), 60)})
    teacher = Teacher(name="").model_copy(update={
        "name": texts.teacher or blank("teacher", N_("Teacher"), 45),
        "room": texts.room or blank("room", width_mm=12),
        "grade": "", "email": blank("teacher_email", width_mm=50),
        "phone": blank("teacher_phone", width_mm=45),
        "hours": blank("teacher_hours", width_mm=50), "about": blank("about", lines=4),
        "hopes": blank("hopes", lines=3)})
    year = GenericYear(start=base.year.start, end=base.year.end, text=texts.school_year,
                       editable=generic.editable)
    return base.model_copy(update={"school": school, "teacher": teacher, "year": year,
                                   "interpreter": None})
