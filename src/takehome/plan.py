"""What a build will make: jobs (one PDF each), assemblies (PDFs joined for the copier) and
files rendered from a template without typesetting (web pages)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Job:
    """One PDF rendered from one template for one language, paper and (maybe) one student."""

    output: str  # path under output/, posix
    document: str  # the content document it belongs to ("intake", "newsletters/2026-12")
    kind: str
    template: str
    stylesheets: tuple[str, ...]
    lang: str
    paper: str
    title: str
    context: dict[str, Any] = field(compare=False, hash=False, repr=False)
    sources: tuple[str, ...] = ()
    subject: str = ""  # who or what the copy is for, for messages ("Ana López")
    student: int | None = None  # roster number of the student a personalised copy is for
    tagged: bool = False  # tagged, accessible PDF (PDF/UA)
    forms: bool = False  # real PDF form fields
    publish: bool = True  # False: only a part of an assembly
    max_pages: int | None = None
    # Laid out in a WeasyPrint pass of its own, so that counter(page) and counter(pages) count
    # this document's pages only (records sharing a pass share one page sequence).
    alone: bool = False


@dataclass(frozen=True)
class Assembly:
    """Built PDFs joined in order; with duplex, each part starts on a new sheet."""

    output: str
    document: str
    kind: str
    title: str
    parts: tuple[str, ...]
    paper: str
    duplex: bool = True
    sources: tuple[str, ...] = ()
    lang: str = "mul"  # several languages


@dataclass(frozen=True)
class File:
    """A file written as it is, not typeset: a web page from a template, or data (an .ics)."""

    output: str
    document: str
    kind: str
    title: str
    lang: str = "mul"
    template: str = ""  # rendered with `context` when there is no `data`
    context: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
    data: bytes = field(default=b"", repr=False)
    sources: tuple[str, ...] = ()
    paper: str | None = None  # not a printed page


Step = Job | Assembly | File


@dataclass(frozen=True)
class Page:
    """What one record of a batch contributes, for the typesetter."""

    html: str  # the record's body, rendered
    lang: str
    title: str
    max_pages: int | None = None
    # A personalised copy keeps its HTML as a base shared with the other copies (html is then
    # empty) and the words of its `data-field` elements: see stamp.py.
    base: str = ""
    fields: tuple[str, ...] = ()

    @property
    def markup(self) -> str:
        return join_fields(self.base, self.fields) if self.base else self.html


@dataclass(frozen=True)
class Batch:
    """Records sharing a stylesheet and PDF options, laid out in one WeasyPrint pass."""

    records: tuple[Page, ...]
    css: str
    base_dir: Path
    tagged: bool = False
    forms: bool = False
    greyscale: bool = False  # images drawn in grey (ink-saver versions)
    # Records that differ only in their fields: their shared page with the fields left blank,
    # laid out once; each record then lays out only its fields (stamp.py).
    base: str | None = None


@dataclass
class Typeset:
    """A record's PDF, its page count, and what WeasyPrint said about it."""

    pdf: bytes
    pages: int
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


# An element with a bare `data-field` attribute and nothing but text inside: one family's words.
_FIELD = re.compile(r"<([a-z][a-z0-9]*)(\s[^<>]*?)?\sdata-field(\s[^<>]*)?>([^<]*)</\1>")
PLACEHOLDER = '<span style="visibility: hidden">X</span>'  # one line of the field's font


def split_fields(html: str) -> tuple[str, tuple[str, ...]]:
    """A page's base (each field's words replaced by a placeholder line) and the fields' words."""
    words: list[str] = []

    def blank(match: re.Match[str]) -> str:
        tag, before, after, text = match.groups()
        words.append(text)
        return (f'<{tag}{before or ""} data-field="{len(words) - 1}"{after or ""}>'
                f"{PLACEHOLDER}</{tag}>")

    return _FIELD.sub(blank, html), tuple(words)


_BLANK = re.compile(r'<([a-z][a-z0-9]*)([^<>]*?) data-field="(\d+)"([^<>]*)>'
                    + re.escape(PLACEHOLDER) + r"</\1>")


def join_fields(base: str, words: tuple[str, ...]) -> str:
    """The page split_fields split: each placeholder replaced by its words again."""
    return _BLANK.sub(lambda m: f"<{m[1]}{m[2]} data-field{m[4]}>{words[int(m[3])]}</{m[1]}>",
                      base)
