"""Time limits for work that content drives inside libraries (expanding an imported calendar's
repeating events): a deadline checked on every Python call the work makes, in any thread."""

from __future__ import annotations

import sys
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
