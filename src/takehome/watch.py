"""`takehome build --watch`: rebuild on every save; the cache keeps each rebuild to what changed."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import click
import watchfiles

from .build import pipeline, typeset
from .errors import BuildError, ContentError, warnings_report
from .files import find_root

WATCHED = ("content", "templates")


def _relevant(root: Path) -> Callable[[watchfiles.Change, str], bool]:
    """Changes to content/ and templates/ (or to those folders themselves: moved away and
    back), editors' backup and swap files aside."""
    def relevant(_change: watchfiles.Change, path: str) -> bool:
        name = Path(path).name
        try:
            top = Path(path).relative_to(root).parts[:1]
        except ValueError:
            return False
        if not top or top[0] not in WATCHED:
            return False
        return not (name.startswith((".", "~")) or name.endswith(("~", ".swp", ".tmp")))

    return relevant


def watch(directory: Path, options: pipeline.Options,
          stop: threading.Event | None = None,
          echo: Callable[[str], None] = click.echo) -> None:
    """Build now, then again after every change to content/ or templates/, until stopped;
    a content error, or content/ moved away for a while, is reported and waited out."""
    root = find_root(directory)
    with typeset.Workers(options.jobs) as workers:  # kept loaded from build to build
        _watch(root, replace(options, workers=workers), stop, echo)


def _watch(root: Path, options: pipeline.Options, stop: threading.Event | None,
           echo: Callable[[str], None]) -> None:
    def once(warm: bool = False) -> None:
        try:
            report = pipeline.build(root, replace(options, warm=warm))
        except BuildError as exc:
            echo(exc.report())
            echo("Waiting for the next change...")
            return
        except ContentError as exc:  # content/ moved away, or a file refused on the way in
            echo(str(exc.problem))
            echo("Waiting for the next change...")
            return
        if report.warnings:
            echo(warnings_report(report.warnings))
        for output in report.rendered:
            echo(f"  rebuilt {output}")
        echo(report.summary())

    once(warm=True)
    echo(f"Watching {', '.join(str(root / name) for name in WATCHED)} (Ctrl-C to stop).")
    # The project folder is watched, not content/ itself: content/ may be moved or replaced.
    for _changes in watchfiles.watch(root, watch_filter=_relevant(root), stop_event=stop,
                                     debounce=300, rust_timeout=500, yield_on_timeout=False):
        once()
