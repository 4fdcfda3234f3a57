"""Build progress: a live bar on a terminal, a plain line now and then in logs and CI."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from .build.typeset import Progress

SHOW_AFTER = 2.0  # seconds: quick builds print only their summary
PLAIN_EVERY = 10.0  # seconds between plain lines when not on a terminal


def _line(p: Progress) -> str:
    rate = p.pages / p.seconds if p.seconds else 0.0
    left = (p.seconds / p.done * (p.total - p.done)) if p.done else 0.0
    return (f"{p.done}/{p.total} documents, {p.pages} pages, {rate:.0f} pages/s, "
            f"about {left:.0f} s left")


def reporter(stream: TextIO | None = None) -> Callable[[Progress], None]:
    """A callback for pipeline.Options.progress that writes to `stream` (stderr)."""
    out = stream or sys.stderr
    tty = out.isatty()
    last = [float("-inf")]

    def report(p: Progress) -> None:
        if p.seconds < SHOW_AFTER:
            return
        if tty:
            width = 24
            filled = int(width * p.done / p.total) if p.total else width
            end = "\n" if p.done >= p.total else ""
            out.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {_line(p)}\x1b[K{end}")
            out.flush()
        elif p.seconds - last[0] >= PLAIN_EVERY or p.done >= p.total:
            last[0] = p.seconds
            out.write(_line(p) + "\n")

    return report
