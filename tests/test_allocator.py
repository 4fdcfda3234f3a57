"""Memory a build lets go of goes back to the system (allocator.py): a roster of thousands of
families must not leave the build's process holding every page it ever rendered."""

from __future__ import annotations

import subprocess
import sys

import pytest

from takehome import allocator

pytestmark = pytest.mark.skipif(allocator._libc() is None or not sys.platform.startswith("linux"),
                                reason="glibc's allocator only")

# Large blocks (rendered pages) between small ones a build keeps, then the large ones freed:
# prints how many MB the process gave back, then how many more malloc_trim gave back.
PAGES = """
import sys
from takehome import allocator
def resident():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096 / 1e6
if sys.argv[1] == "tuned":
    allocator.give_back()
big = bytearray(8_000_000)  # a large block freed: glibc raises its threshold to its size
del big
pages, kept = [], []
for i in range(400):
    pages.append(bytes([i % 256]) * 200_000)
    kept.append(bytes([i % 256]) * 600)
held = resident()
del pages
freed = resident()
allocator.trim()
print(held - freed, freed - resident())
"""


def given_back(how: str) -> tuple[float, float]:
    done = subprocess.run([sys.executable, "-c", PAGES, how], capture_output=True, text=True,
                          check=True)
    freed, trimmed = done.stdout.split()
    return float(freed), float(trimmed)


def test_freed_pages_go_back_to_the_system() -> None:
    freed, _ = given_back("tuned")
    assert freed > 0.9 * 80  # 400 pages of 200 KB


def test_without_the_setting_they_stay_until_trimmed() -> None:
    """Why the setting is there: glibc's own rule keeps them, and only a trim gives them back."""
    freed, trimmed = given_back("default")
    assert freed < 0.1 * 80
    assert trimmed > 0.9 * 80
