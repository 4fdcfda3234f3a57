"""What the pages show, worked out from a build's manifest: documents grouped by kind, each
document's sheets (blank, fillable, copies for families, class set...), the file a set of
picks leads to, the warnings that concern each document, and errors with their lines."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import Problem

MANIFEST = "manifest.json"
KIND_LABELS = {  # a kind not listed here is shown by its name
    "intake": "Intake sheets", "welcome": "Welcome sheet", "calendar": "School calendar",
    "newsletter": "Newsletters", "cards": "Connection cases", "log": "Connection log",
    "packets": "Packets",
}
MAX_SHOWN_BYTES = 5_000_000  # a file larger than this is not quoted under its error
CONTEXT_LINES = 2  # lines quoted before and after an error's line


@dataclass(frozen=True)
class OutputFile:
    """One PDF of a build, as its manifest entry describes it."""

    path: str
    document: str
    kind: str
    title: str
    part: str
    language: str
    student: int | None
    personal: bool
    pages: int
    sha256: str
    sources: tuple[str, ...]

    @property
    def sheet(self) -> str:
        """What the file is a version of: its path without language (or the family's folder)."""
        if self.student is not None:
            return PurePosixPath(self.path).parent.as_posix()
        stem = self.path.removesuffix(".pdf")
        return stem.removesuffix(f".{self.language}")

    @property
    def rank(self) -> int:
        """Sheets for anyone first, then copies for families, then what is for the class."""
        return 1 if self.student is not None else 2 if self.personal else 0


def read_files(folder: Path) -> list[OutputFile]:
    """The PDFs listed in a build folder's manifest (none when there is no manifest yet)."""
    try:
        entries = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["documents"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return [_file(e) for e in entries
            if isinstance(e, dict) and e.get("paper") and str(e.get("path", "")).endswith(".pdf")]


def _file(entry: Mapping[str, Any]) -> OutputFile:
    student = entry.get("student")
    return OutputFile(
        str(entry["path"]), str(entry.get("document", "")), str(entry.get("kind", "")),
        str(entry.get("title", "")), str(entry.get("part", "")), str(entry.get("language", "")),
        student if isinstance(student, int) else None, bool(entry.get("personal")),
        int(entry.get("pages", 0)), str(entry.get("sha256", "")),
        tuple(str(s) for s in entry.get("sources", ())))


def _words(name: str) -> str:
    text = name.replace("-", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


@dataclass
class Sheet:
    """The versions of one sheet: per language, or per family."""

    key: str
    files: list[OutputFile]

    @property
    def for_families(self) -> bool:
        return self.files[0].student is not None

    @property
    def label(self) -> str:
        first = self.files[0]
        tail = PurePosixPath(self.key).name
        name = "Copies for families" if self.for_families else _words(tail)
        if first.part and first.part != tail:
            return f"{_words(first.part)}: {name[:1].lower()}{name[1:]}"
        return name

    @property
    def languages(self) -> list[str]:
        return list(dict.fromkeys(f.language for f in self.files if f.student is None))

    def representative(self, language: str) -> OutputFile:
        """The version to show when nothing else is asked for: in `language` if there is one."""
        return next((f for f in self.files if f.language == language), self.files[0])


@dataclass
class DocumentView:
    """A content document and its sheets, in the order a teacher looks for them."""

    name: str
    kind: str
    sheets: list[Sheet] = field(default_factory=list)
    title: str = ""

    @property
    def files(self) -> list[OutputFile]:
        return [f for s in self.sheets for f in s.files]

    @property
    def pages(self) -> int:
        return sum(f.pages for f in self.files)

    def sheet(self, key: str | None) -> Sheet | None:
        return next((s for s in self.sheets if s.key == key), None)

    def thumbnails(self) -> list[Sheet]:
        """The sheets to show as pictures on the start page: not the copies for families, nor
        the class sets that join them, when there is anything else to show."""
        shown = [s for s in self.sheets
                 if not s.for_families and PurePosixPath(s.key).name != "class-set"]
        return shown or self.sheets[:1]


def documents(files: Iterable[OutputFile], order: list[str], language: str) -> list[DocumentView]:
    """The documents the files belong to, in `order` (the project's) and then by name."""
    views: dict[str, DocumentView] = {}
    sheets: dict[tuple[str, str], Sheet] = {}
    for f in files:
        view = views.setdefault(f.document, DocumentView(f.document, f.kind))
        if (f.document, f.sheet) not in sheets:
            sheets[(f.document, f.sheet)] = Sheet(f.sheet, [])
            view.sheets.append(sheets[(f.document, f.sheet)])
        sheets[(f.document, f.sheet)].files.append(f)
    for view in views.values():
        view.sheets.sort(key=lambda s: s.files[0].rank)  # stable: paths stay in order
        view.title = _title(view, language)
    position = {name: i for i, name in enumerate(order)}
    return sorted(views.values(), key=lambda v: (position.get(v.name, len(position)), v.name))


def _title(view: DocumentView, language: str) -> str:
    """The title most of the document's sheets for anyone carry (in `language` if they can),
    else the document's name."""
    generic = [f for f in view.files if not f.personal]
    own = [f.title for f in generic if f.language == language] or [f.title for f in generic]
    ranked = Counter(own).most_common(2)
    if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        return ranked[0][0]
    return _words(view.name.split("/")[0])


def by_kind(views: list[DocumentView]) -> list[tuple[str, list[DocumentView]]]:
    """Documents grouped under their kind's label, kinds in the order of their first document."""
    groups: dict[str, list[DocumentView]] = {}
    for view in views:
        groups.setdefault(view.kind, []).append(view)
    return [(KIND_LABELS.get(kind, _words(kind)), members) for kind, members in groups.items()]


@dataclass(frozen=True)
class Picks:
    """What the pickers ask for; empty values mean "the usual"."""

    sheet: str = ""
    language: str = ""
    student: int | None = None


def pick(view: DocumentView, picks: Picks, language: str) -> OutputFile | None:
    """The file the picks lead to: the sheet asked for (else the first), in the language or
    for the family asked for (else the usual one)."""
    sheet = view.sheet(picks.sheet) or (view.sheets[0] if view.sheets else None)
    if sheet is None:
        return None
    if sheet.for_families:
        return next((f for f in sheet.files if f.student == picks.student), sheet.files[0])
    return sheet.representative(picks.language or language)


def relative(path: Path, root: Path) -> str | None:
    """`path` relative to the project, or None when it is elsewhere."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def concerns(warnings: list[Problem], files: list[OutputFile], root: Path,
             own: Mapping[str, str]) -> tuple[dict[str, list[Problem]], list[Problem]]:
    """Each document's warnings, and those about the whole project.

    A warning belongs to a document when it names the document's own content file (`own`:
    file -> document), a file only that document is made from, or one of its outputs.
    """
    made_from: dict[str, set[str]] = {}
    for f in files:
        for source in f.sources:
            made_from.setdefault(source, set()).add(f.document)
    outputs = {f.path: f.document for f in files}
    mine: dict[str, list[Problem]] = {}
    general: list[Problem] = []
    for warning in warnings:
        where = relative(warning.path, root) if warning.path is not None else None
        if where is not None and where in own:
            found = {own[where]}
        elif where is not None:
            found = made_from.get(where, set())
        else:
            head = warning.message.split(": ", 1)[0]
            found = {outputs[head]} if head in outputs else set()
        if len(found) == 1:
            mine.setdefault(found.pop(), []).append(warning)
        else:
            general.append(warning)
    return mine, general


@dataclass(frozen=True)
class Quoted:
    """A line of a file, quoted under an error."""

    number: int
    text: str
    marked: bool


@dataclass(frozen=True)
class ErrorView:
    """An error as the overlay shows it: where, what, and the lines around it."""

    where: str
    message: str
    lines: tuple[Quoted, ...] = ()
    col: int | None = None

    @property
    def caret(self) -> str | None:
        """Blanks as wide as the marked line up to the error's column (tabs kept as tabs)."""
        marked = next((q for q in self.lines if q.marked), None)
        if marked is None or self.col is None:
            return None
        return "".join(c if c == "\t" else " " for c in marked.text[:self.col - 1])


def error_views(problems: list[Problem], root: Path, quote: bool = True) -> list[ErrorView]:
    """Each problem with `file:line:col` relative to the project, and (`quote`) the lines it
    points at."""
    return [_error_view(p, root, quote) for p in problems]


def _error_view(problem: Problem, root: Path, quote: bool) -> ErrorView:
    if problem.path is None:
        return ErrorView("", problem.message)
    rel = relative(problem.path, root)
    where = rel or str(problem.path)
    if problem.line is not None:
        where += f":{problem.line}" + (f":{problem.col}" if problem.col is not None else "")
    if rel is None or problem.line is None or not quote:
        return ErrorView(where, problem.message)
    try:
        path = problem.path.resolve()
        if not path.is_file() or path.stat().st_size > MAX_SHOWN_BYTES:
            return ErrorView(where, problem.message)
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return ErrorView(where, problem.message)
    lines = text.splitlines()
    first = max(1, problem.line - CONTEXT_LINES)
    last = min(len(lines), problem.line + CONTEXT_LINES)
    quoted = tuple(Quoted(n, lines[n - 1], n == problem.line)
                   for n in range(first, last + 1))
    return ErrorView(where, problem.message, quoted, problem.col)
