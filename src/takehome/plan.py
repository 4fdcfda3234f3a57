"""What a build will make: jobs (one PDF each) and assemblies (PDFs joined for the copier)."""

from __future__ import annotations

from dataclasses import dataclass, field
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
    tagged: bool = False  # tagged, accessible PDF (PDF/UA)
    forms: bool = False  # real PDF form fields
    publish: bool = True  # False: only a part of an assembly
    max_pages: int | None = None


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
class DataFile:
    """A file written as it is, not typeset: a calendar export families import, for one."""

    output: str
    document: str
    kind: str
    title: str
    data: bytes = field(repr=False)
    lang: str = "mul"
    sources: tuple[str, ...] = ()
    paper: str | None = None  # not a printed page


Step = Job | Assembly | DataFile
