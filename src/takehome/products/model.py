"""A product for sale: what goes in, in what order, and what the listing shows."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field, field_validator

from ..generic import GenericTexts
from ..models.base import LangCode, Model, Text
from ..models.settings import Url


def _slug(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", value):
        raise ValueError(f"{value!r} is not a slug like 'back-to-school-pack' "
                         "(lower-case letters, digits and single hyphens)")
    return value


Slug = Annotated[str, AfterValidator(_slug)]


def _pages(value: list[int]) -> list[int]:
    if any(page < 1 for page in value):
        raise ValueError("page numbers start at 1 (the cover)")
    if len(set(value)) != len(value):
        raise ValueError("a page is listed twice")
    return value


PageList = Annotated[list[int], AfterValidator(_pages)]


class Part(Model):
    """One document of the product, and which of its files go in."""

    document: str  # a document name, as for `takehome build --only`
    # File names or globs, e.g. `blank.en`, `blank.*` or `intake/blank.es.pdf`; in this order.
    # Left out: the document's generic files in the product's language.
    files: list[str] = Field(default_factory=list)
    title: Text | None = None  # the contents entry; default: the document's own title
    about: Text | None = None  # a line under it in the contents
    printing: Text | None = None  # a tip for the how-to-print page ("print on card stock")
    # Keys of the document's content replaced in the product (a text naming the class, say),
    # checked as the document's own content is
    content: dict[str, Any] = Field(default_factory=dict)


class Credit(Model):
    """Someone else's work used in the product (pictures, clip art, ideas)."""

    what: Text
    by: str
    license: str = ""
    link: Url | None = None


class Product(Model):
    """A product definition: content/product.yaml, or one file per product in content/products/."""

    title: Text
    subtitle: Text | None = None
    store: str = Field(min_length=1)
    author: str = ""  # default: the store
    website: Url | None = None
    description: Text | None = None
    grades: list[str] = Field(default_factory=list)  # grade levels: ["1", "2", "3"], ["K"]
    keywords: list[str] = Field(default_factory=list)
    language: LangCode | None = None  # of the cover, contents and terms; default: the project's
    slug: Slug | None = None  # the folder and file names; default: from the title
    documents: list[Part] = Field(min_length=1)
    preview: PageList = Field(default_factory=list)  # product pages; default: a few chosen
    # The largest share of the product's pages the preview may show (a buyer should not be
    # able to print the product from it)
    preview_share: float = Field(1 / 3, gt=0, le=1)
    thumbnails: PageList = Field(default_factory=list)  # product pages; default: cover + parts
    terms: Text | None = None  # terms of use, paragraphs split by blank lines; default: built in
    credits: list[Credit] = Field(default_factory=list)
    # Printed where the project's school, teacher, room and school year would be; left out,
    # a line to write on (the product is built without the project's people and dates).
    generic: GenericTexts = GenericTexts()
    # Form fields instead of lines: the buyer types each value once (the teacher's name, the
    # school's) and every page shows it
    editable: bool = False

    @field_validator("documents", mode="before")
    @classmethod
    def _names(cls, value: Any) -> Any:
        """A bare document name is a part with its default files."""
        if isinstance(value, list):
            return [{"document": item} if isinstance(item, str) else item for item in value]
        return value
