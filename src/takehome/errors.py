"""User-facing errors and warnings: every problem names a file, a line and a column where it can.

An error is something that would print wrong or lose data, and stops the build; everything else
is a warning, shown once with the others, and an error only with `--strict` (for CI).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path


def display_path(path: Path | str) -> str:
    """A path as the user typed it: relative to the working directory when inside it."""
    p = Path(path)
    try:
        return os.path.relpath(p) if p.is_absolute() and Path.cwd() in p.parents else str(p)
    except ValueError:  # different drive on Windows
        return str(p)


@dataclass(frozen=True)
class Problem:
    """One error or warning about the user's input, with where it is."""

    message: str
    path: Path | None = None
    line: int | None = None
    col: int | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = display_path(self.path)
            if self.line is not None:
                where += f":{self.line}"
                if self.col is not None:
                    where += f":{self.col}"
            where += ": "
        return f"{where}{self.severity}: {self.message}"


class ContentError(Exception):
    """Raised by a loader for one problem that stops reading that input."""

    def __init__(
        self, message: str, path: Path | None = None, line: int | None = None,
        col: int | None = None,
    ) -> None:
        super().__init__(message)
        self.problem = Problem(message, path, line, col)


@dataclass
class Problems:
    """Collects every error and warning of a build so they are reported together."""

    items: list[Problem] = field(default_factory=list)
    _seen: set[Problem] = field(default_factory=set, repr=False)

    def error(self, message: str, path: Path | None = None, line: int | None = None,
              col: int | None = None) -> None:
        self.add(Problem(message, path, line, col, "error"))

    def warn(self, message: str, path: Path | None = None, line: int | None = None,
             col: int | None = None) -> None:
        self.add(Problem(message, path, line, col, "warning"))

    def add(self, problem: Problem) -> None:
        """Record a problem once, however many times it is found."""
        if problem not in self._seen:
            self._seen.add(problem)
            self.items.append(problem)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def raise_if_errors(self, strict: bool = False) -> None:
        """Stop the build once, listing every error collected so far (and, when `strict`,
        every warning as an error)."""
        raise_if_any(self.errors, self.warnings if strict else [])


def raise_if_any(errors: Sequence[Problem], promoted: Sequence[Problem] = ()) -> None:
    """Raise BuildError for these errors and these warnings made errors by --strict, if any."""
    if errors or promoted:
        raise BuildError([*errors, *(replace(w, severity="error") for w in promoted)],
                         promoted=len(promoted))


class BuildError(Exception):
    """Content errors that stop a build: every one of them, then a count (the CLI exits 1)."""

    def __init__(self, problems: list[Problem], promoted: int = 0) -> None:
        self.problems = problems
        self.promoted = promoted  # how many of them are warnings made errors by --strict
        super().__init__(self.report())

    def report(self) -> str:
        """One line per problem and a closing count, as the user sees them."""
        count = len(self.problems)
        lines = [str(p) for p in self.problems]
        strict = f" ({self.promoted} of them warnings, errors with --strict)" if self.promoted \
            else ""
        lines.append(f"{count} error{'s' if count != 1 else ''}{strict}; nothing was written.")
        return "\n".join(lines)


def warnings_report(warnings: list[Problem]) -> str:
    """Warnings as the user sees them: grouped by file in line order, then a count per file."""
    if not warnings:
        return ""
    order = {w.path: i for i, w in reversed(list(enumerate(warnings)))}
    ranked = sorted(warnings, key=lambda w: (order[w.path], w.line or 0, w.col or 0))
    per_file = Counter(display_path(w.path) if w.path else "the build" for w in ranked)
    count = len(warnings)
    where = ", ".join(f"{n} in {name}" for name, n in per_file.items())
    return "\n".join([*(str(w) for w in ranked),
                      f"{count} warning{'s' if count != 1 else ''} ({where}); "
                      "--strict makes them errors."])
