"""The C allocator's settings for a long build: freed memory goes back to the system.

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
import logging

log = logging.getLogger(__name__)

M_TRIM_THRESHOLD = -1  # mallopt's parameters, from glibc's malloc.h
M_MMAP_THRESHOLD = -3
THRESHOLD = 128 * 1024  # glibc's default before it adjusts itself


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


def trim() -> None:
    """Give the heap's free pages back now (after a stage that let go of much)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
