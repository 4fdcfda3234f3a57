"""A newsletter issue: masthead details and sections, each in one or two columns."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationInfo, model_validator

from ... import images
from ...models.base import Day, ImageFile, LangCode, Model, Text
from ...models.settings import Url

COLUMN_MM = 90  # a picture is never printed wider than a column (see newsletter/issue.css)

SectionType = Literal["text", "letter", "dates", "help_at_home", "volunteer", "contact"]
Style = Literal["normal", "callout", "quote"]


def _decodes(value: str, info: ValidationInfo) -> str:
    """Decode the picture now (as it will be printed), so damage is reported at its line."""
    context = info.context or {}
    if context.get("root") is not None:
        try:
            images.decodes(Path(context["root"]) / value, images.pixels_for(COLUMN_MM),
                           context.get("derived"))
        except images.ImageProblem as exc:
            raise ValueError(f"{value!r}: image is damaged or truncated ({exc})") from None
    return value


class Photo(Model):
    """A photo or drawing from the project, with what it shows and who made it."""

    file: Annotated[ImageFile, AfterValidator(_decodes)]  # missing or damaged: an error
    caption: Text | None = None
    credit: Text | None = None  # "Photo: Ms. Rivera"
    alt: Text | None = None  # for screen readers; the caption when left out


class Link(Model):
    """A link printed as a QR code with its short address beside it."""

    url: Url
    text: Text | None = None  # what scanning it opens: "Sign up for a slot"


class Signature(Model):
    name: str
    role: Text | None = None  # "Principal"


class Section(Model):
    """One part of the issue; `type` picks a built-in kind of section that fills itself in."""

    type: SectionType = "text"
    heading: Text | None = None  # built-in types have a default heading
    body: Text | None = None  # Markdown: paragraphs, lists, **bold**, *italic*, [links](https://..)
    items: list[Text] = Field(default_factory=list)  # help_at_home tips, volunteer openings
    image: Photo | None = None
    qr: Link | None = None
    signed: Signature | None = None  # a letter's signature (default: the teacher), a quote's author
    style: Style = "normal"
    columns: Literal[1, 2] = 1
    editions: list[LangCode] | None = None  # languages this section is printed in (default: all)

    @model_validator(mode="after")
    def _enough(self) -> Section:
        if self.type == "text" and self.heading is None and self.style != "quote":
            raise ValueError("a text section needs a heading (only a pull quote can go without)")
        if self.type in ("text", "letter") and self.body is None and self.image is None:
            raise ValueError(f"a {self.type} section needs a body or an image")
        if self.type == "volunteer" and self.body is None and not self.items:
            raise ValueError("a volunteer section needs a body or items (what help is wanted)")
        if self.items and self.type not in ("help_at_home", "volunteer"):
            raise ValueError("items are for help_at_home and volunteer sections")
        if self.signed and self.type != "letter" and self.style != "quote":
            raise ValueError("signed is for letters and pull quotes")
        return self


class Newsletter(Model):
    """content/newsletters/YYYY-MM.yaml: one issue."""

    title: Text  # the newsletter's name: "Maple Leaf News"
    date: Day  # the issue date; "dates to remember" covers its month and the next
    volume: int | None = Field(None, ge=1)
    number: int | None = Field(None, ge=1)
    languages: list[LangCode] = Field(default_factory=list)  # editions; default: the project's
    sections: list[Section] = Field(min_length=1)
