"""Time limits for work that content drives inside libraries (expanding an imported calendar's
repeating events): a deadline checked on every Python call the work makes, in any thread."""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any


class OutOfTime(Exception):
    """The work ran past its time budget."""


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Run the body with a budget of `seconds` of this thread's processor time: past it, the
    next Python call raises OutOfTime. Processor time, not the clock: a busy machine slows the
    work down but does not make it fail.

    A trace function is used rather than a signal so that it works in any thread and
    interrupts pure-Python loops (dateutil's) that call nothing of ours; it costs a little on
    each call, only while the body runs.
    """
    deadline = time.thread_time() + seconds
    previous = sys.gettrace()

    def check(_frame: FrameType, event: str, _arg: Any) -> None:
        if event == "call" and time.thread_time() > deadline:
            raise OutOfTime
        return None

    sys.settrace(check)
    try:
        yield
    finally:
        sys.settrace(previous)


@contextmanager
def cpu_budget(seconds: float) -> Iterator[None]:
    """Run the body with a budget of `seconds` of this process's processor time (SIGPROF):
    past it, OutOfTime is raised wherever the body is. For work in a library that calls nothing
    of ours for long (WeasyPrint laying out thousands of pages); in the main thread only, where
    signals arrive (elsewhere the body runs unbounded)."""
    if threading.current_thread() is not threading.main_thread() or \
            not hasattr(signal, "setitimer"):
        yield
        return

    def expired(_signum: int, _frame: object) -> None:
        raise OutOfTime

    previous = signal.signal(signal.SIGPROF, expired)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
