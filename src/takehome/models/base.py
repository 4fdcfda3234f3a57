"""Shared building blocks of the content models: strict models, translatable text, local files."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    RootModel,
    ValidationInfo,
    field_validator,
)

from .. import files, images
from ..i18n import base_language, parse_language

MAX_ASSET_BYTES = 20_000_000
# Dates a document can print and compute with (a month or a year on either side included).
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}


class Model(BaseModel):
    """A content model: unknown keys are errors, values are immutable once read."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _language_code(value: str) -> str:
    code = parse_language(value)
    if code is None:
        raise ValueError(f"unknown language {value!r}; use a code such as 'en' or 'es'")
    return code


LangCode = Annotated[str, AfterValidator(_language_code)]


def _day(value: dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError(f"{value.isoformat()} is not a date takehome can print; use a year "
                         f"from {FIRST_DATE.year} to {LAST_DATE.year}")
    return value


Day = Annotated[dt.date, AfterValidator(_day)]


class Text(RootModel[str | dict[str, str]]):
    """Text written by the teacher: one string in the default language, or one per language."""

    model_config = ConfigDict(frozen=True)

    @field_validator("root", mode="before")
    @classmethod
    def _one_or_per_language(cls, value: Any) -> Any:
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, dict) and value:
            out = {}
            for key, text in value.items():
                if not isinstance(text, str | int | float) or isinstance(text, bool):
                    raise ValueError(f"the {key!r} text must be plain text")
                out[_language_code(str(key))] = str(text)
            return out
        raise ValueError("expected text, or a mapping of language codes to text (en: ..., es: ...)")

    def has(self, lang: str) -> bool:
        """Whether this text has its own `lang` version (a plain string is the default's);
        British wording (en_GB) reads the English text."""
        return not isinstance(self.root, str) and (
            lang in self.root or base_language(lang) in self.root)

    def get(self, lang: str, default: str) -> str:
        """The text in `lang`, else in the default language, else the first one written."""
        if isinstance(self.root, str):
            return self.root
        for candidate in (lang, base_language(lang), default, base_language(default)):
            if candidate in self.root:
                return self.root[candidate]
        return next(iter(self.root.values()), "")

    def language_of(self, lang: str, default: str) -> str:
        """The language `get(lang, default)` gives the text in."""
        if isinstance(self.root, str):
            return default
        for candidate in (lang, base_language(lang), default, base_language(default)):
            if candidate in self.root:
                return candidate
        return next(iter(self.root), default)

    def source(self, default: str) -> str | None:
        """The text in the default language (a plain string is), or None if it has none."""
        if isinstance(self.root, str):
            return self.root
        return self.root.get(default) or self.root.get(base_language(default))

    def with_translations(self, default: str, translations: dict[str, str]) -> Text:
        """This text with `translations` added where it has none of its own."""
        own = {default: self.root} if isinstance(self.root, str) else dict(self.root)
        merged = {**translations, **own}
        return self if merged == own else Text({**own, **{k: v for k, v in merged.items()
                                                          if k not in own}})


def _project_file(value: str, info: ValidationInfo) -> str:
    """A file inside the project, given relative to content/; refused if it leads anywhere else
    (after following links), or is not a regular file (a pipe, a device), or is too large."""
    root = (info.context or {}).get("root")
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value) or value.startswith("//"):
        raise ValueError(f"{value!r} is a URL; only files inside the project can be used")
    if root is None:
        return value
    try:
        real = files.check(Path(root) / "content" / value, Path(root), MAX_ASSET_BYTES)
    except files.Refused as exc:
        reason = exc.problem.message.removeprefix("file ")
        if reason == "not found":
            raise ValueError(f"file {value!r} not found in content/") from None
        if reason == "is outside the project":
            raise ValueError(f"{value!r} is outside the project; copy the file into content/"
                             ) from None
        raise ValueError(f"{value!r} {reason}") from None
    return real.relative_to(Path(root).resolve()).as_posix()


ProjectFile = Annotated[str, AfterValidator(_project_file)]


class ContentImage(str):
    """A picture the content names (a logo, a photo): the only files under content/ that a
    document may show (see build/references.py)."""

    __slots__ = ()


def _image(value: str, info: ValidationInfo) -> str:
    if Path(value).suffix.lower() not in IMAGE_SUFFIXES:
        raise ValueError(f"{value!r} is not an image ({', '.join(sorted(IMAGE_SUFFIXES))})")
    root = (info.context or {}).get("root")
    if root is not None:
        problem = images.problem(Path(root) / value)
        if problem:
            raise ValueError(f"{value!r}: {problem}")
    return ContentImage(value)


ImageFile = Annotated[ProjectFile, AfterValidator(_image)]


def walk_texts(value: Any,
               loc: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], Text]]:
    """Every Text inside a model, with its location (to report missing translations)."""
    found: list[tuple[tuple[str | int, ...], Text]] = []
    if isinstance(value, Text):
        found.append((loc, value))
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            field = type(value).model_fields[name]
            found += walk_texts(getattr(value, name), (*loc, field.alias or name))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            found += walk_texts(item, (*loc, i))
    elif isinstance(value, dict):
        for key, item in value.items():
            found += walk_texts(item, (*loc, key))
    return found


def content_images(value: Any) -> set[str]:
    """Every picture named inside a model (project-relative paths), wherever it sits."""
    found: set[str] = set()
    if isinstance(value, ContentImage):
        found.add(str(value))
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            found |= content_images(getattr(value, name))
    elif isinstance(value, list | tuple):
        for item in value:
            found |= content_images(item)
    elif isinstance(value, dict):
        for item in value.values():
            found |= content_images(item)
    return found
