"""What the render stage gives the typesetter, and what the typesetter gives back: rendered jobs,
the records laid out together in batches, and each record's PDF."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .plan import Job

Assets = tuple[tuple[str, str], ...]  # the files a page's references name: (real path, sha256)


@dataclass(frozen=True)
class Record:
    """One document's rendered HTML, as one record of a batch."""

    html: str  # the document's body, rendered
    lang: str
    title: str
    max_pages: int | None = None
    # A personalised copy keeps its HTML as a base shared with the other copies (html is then
    # empty) and the words of its `data-field` elements: see stamp.py.
    base: str = ""
    fields: tuple[str, ...] = ()
    # The files it shows, as cache-key parts the same on every machine: its base's key.
    shows: tuple[str, ...] = ()
    # The files its references name, as the render stage checked them.
    # The fetcher serves these and nothing else (build/assets.py).
    assets: Assets = ()

    @property
    def markup(self) -> str:
        return join_fields(self.base, self.fields) if self.base else self.html


@dataclass(frozen=True)
class Rendered:
    """A job ready for the typesetter: its record, its stylesheet and its cache key."""

    job: Job
    record: Record
    css: str
    key: str


@dataclass(frozen=True)
class Batch:
    """Records sharing a stylesheet and PDF options, laid out in one WeasyPrint pass."""

    records: tuple[Record, ...]
    css: str
    base_dir: Path
    tagged: bool = False
    forms: bool = False
    greyscale: bool = False  # images drawn in grey (ink-saver versions)
    # Records that differ only in their fields: their shared page with the fields left blank,
    # laid out once; each record then lays out only its fields (stamp.py).
    base: str | None = None
    # Each record counts its own pages ("Page N of M"): laid out in a pass of its own (a
    # stamped copy's base is; a copy that cannot be stamped is laid out alone too).
    alone: bool = False


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


class Joiner:
    """join_fields for one base, many times (a roster's copies): the base is split at its
    placeholders once."""

    def __init__(self, base: str) -> None:
        self.parts: list[str | int] = []
        at = 0
        for m in _BLANK.finditer(base):
            self.parts += [base[at:m.start()] + f"<{m[1]}{m[2]} data-field{m[4]}>", int(m[3]),
                           f"</{m[1]}>"]
            at = m.end()
        self.parts.append(base[at:])

    def join(self, words: tuple[str, ...]) -> str:
        return "".join(words[p] if isinstance(p, int) else p for p in self.parts)


@lru_cache(maxsize=128)  # a roster's copies share a few bases
def _joiner(base: str) -> Joiner:
    return Joiner(base)


def join_fields(base: str, words: tuple[str, ...]) -> str:
    """The page split_fields split: each placeholder replaced by its words again."""
    return _joiner(base).join(words)


def with_lines(base: str, lines: dict[int, int]) -> str:
    """A base whose field `n` holds a placeholder of `lines[n]` lines (1 when not given): the
    page as laid out for copies whose words take that many lines in those fields."""
    def blank(m: re.Match[str]) -> str:
        count = lines.get(int(m[3]), 1)
        if count == 1:
            return m[0]
        return (f'<{m[1]}{m[2]} data-field="{m[3]}"{m[4]}><span style="visibility: hidden">'
                + "<br>".join(["X"] * count) + f"</span></{m[1]}>")

    return _BLANK.sub(blank, base)
