"""`takehome build --watch`: rebuild on every save; the cache keeps each rebuild to what changed."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import click
import watchfiles

from .build import pipeline
from .errors import BuildError, warnings_report
from .project import find_root


def _relevant(change: watchfiles.Change, path: str) -> bool:
    name = Path(path).name
    return not (name.startswith((".", "~")) or name.endswith(("~", ".swp", ".tmp")))


def watch(directory: Path, options: pipeline.Options,
          stop: threading.Event | None = None,
          echo: Callable[[str], None] = click.echo) -> None:
    """Build now, then again after every change to content/ or templates/, until stopped."""
    root = find_root(directory)
    folders = [str(p) for p in (root / "content", root / "templates") if p.is_dir()]

    def once() -> None:
        try:
            report = pipeline.build(root, options)
        except BuildError as exc:
            echo(exc.report())
            echo("Waiting for the next change...")
            return
        if report.warnings:
            echo(warnings_report(report.warnings))
        for output in report.rendered:
            echo(f"  rebuilt {output}")
        echo(report.summary())

    once()
    echo(f"Watching {', '.join(folders)} (Ctrl-C to stop).")
    for _changes in watchfiles.watch(*folders, watch_filter=_relevant, stop_event=stop,
                                     debounce=300, rust_timeout=500, yield_on_timeout=False):
        once()
