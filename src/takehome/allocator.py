"""The memory settings of a long build: the C allocator's (freed memory goes back to the
system) and the garbage collector's (collections as often as their cost is worth).

glibc's malloc raises its threshold for giving large blocks their own mapping each time such a
block is freed (up to 32 MB), after which every large block (a rendered page, the pickled pages
a renderer process sends back, a PDF coming back from a typesetting process) is carved from
the heap, between the small objects a build keeps; freed, those holes stay the process's (a
2,000-family build's main process peaked 26 MB higher). With the thresholds fixed, large
blocks are mapped and unmapped on their own and the heap's free top is given back. Elsewhere
than glibc nothing is changed.
"""

from __future__ import annotations

import ctypes
import gc
import logging

log = logging.getLogger(__name__)

M_TRIM_THRESHOLD = -1  # mallopt's parameters, from glibc's malloc.h
M_MMAP_THRESHOLD = -3
THRESHOLD = 128 * 1024  # glibc's default before it adjusts itself
# Python collects its youngest objects after every 700 new ones, and all of them after every
# 100 of those collections: a build that holds a plan of thousands of families (millions of
# objects) walked them all three times and collected 460 times in a one-row rebuild, 0.3 s of
# 2.8. Every 50,000: four collections, 0.1 s. What a cycle leaves waits a little longer.
COLLECT_AFTER = (50_000, 20, 10)


def _libc() -> ctypes.CDLL | None:
    """The C library this process runs on, if it has glibc's malloc settings."""
    try:
        libc = ctypes.CDLL(None)  # the symbols already loaded: no search for a library file
    except OSError:
        return None
    return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None


def give_back() -> None:
    """Fix the thresholds at their defaults, for this process (the program's, at its start)."""
    libc = _libc()
    if libc is None:
        return
    for parameter in (M_MMAP_THRESHOLD, M_TRIM_THRESHOLD):
        if not libc.mallopt(parameter, THRESHOLD):
            log.debug("mallopt(%d) refused", parameter)


def collect_less() -> None:
    """Collect garbage less often (see COLLECT_AFTER), for this process: the program's. Not
    the typesetting processes': a layout's cycles would wait longer there, and hold more
    memory (30-50 MB more at the peak of a 600-family build); they freeze what they keep
    after each batch instead (typeset/__init__.py)."""
    gc.set_threshold(*COLLECT_AFTER)


def trim() -> None:
    """Give the heap's free pages back now (after a stage that let go of much)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
