"""Content hashes: what cache keys, the manifest and the build record are made of.

A fact read from a file (its hash, a cache entry's verified record) is remembered with the
file's stat signature (device, inode, size, modification and change times), and while that
is unchanged the file is not read again: a rebuild of 600 families then stats its few
thousand files instead of hashing them. The change time is set by the kernel on every write,
rename or `touch` and cannot be set by a user, so a file changed in any way is read anew. A
file changed within the clock's resolution of being read could keep its signature (git's
"racy" files): a fact is trusted only for a file whose change time is older than the moment
the fact was kept, less a margin: two seconds on a file system whose times count whole
milliseconds or coarser (FAT, some network ones: seconds), 50 ms on one with finer times,
whose clock moves at least every kernel tick (at most 10 ms), so that what a build wrote in
its last second is believed by the next. Kept facts go into the cache signed
(incremental.Cache), so facts planted there are never believed.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

T = TypeVar("T")
RACY_NS = 2_000_000_000  # a coarse file system's timestamps (some network ones: a second)
FINE_RACY_NS = 50_000_000  # a file system with times finer than a millisecond
BUILDS = 3  # facts are kept while one of the last builds that kept them used them
MAX_FACTS = 50_000  # and no more (about 1 KB each in memory): a rebuild's worth at 4,000 families
MAX_FACT_CHARS = 4_000  # a larger value (a class set's journal) is read whenever needed


class _Fact(NamedTuple):
    signature: tuple[int, ...]
    value: Any
    kept_ns: int  # when it was kept for later builds (0: not yet, so not yet trusted)
    used: int  # the last build (its number) that used it


_facts: dict[tuple[str, str], _Fact] = {}  # (what, path) -> fact
_build = 1  # the number of the build running, one more than the last that kept facts
_changed = False  # a fact was learnt since they were last kept
_recalled: dict[str, tuple[int, ...]] = {}  # kept facts' file -> its signature when last read


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def hash_file(path: Path) -> str:
    """The hash of a file's bytes, read now (a file just written: see learn)."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def file_sha256(path: Path) -> str:
    """The hash of a file's bytes (read only when the file changed since it was last read)."""
    return remembered(path, "sha256", hash_file)


def stat_signature(path: Path) -> tuple[int, ...]:
    """What says a file is unchanged: device, inode, size, modification and change times."""
    st = os.stat(path)
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def remembered(path: Path, what: str, read: Callable[[Path], T]) -> T:
    """`read(path)` (a JSON value), or what it gave before if the file has not changed since.
    Raises what `read` or stat raise; nothing is remembered then."""
    signature = stat_signature(path)
    name = (what, str(path))
    fact = _facts.get(name)
    if fact is not None and fact.signature == signature and fact.kept_ns and \
            not unsure(signature[4], fact.kept_ns):
        if fact.used != _build:
            _facts[name] = fact._replace(used=_build)
        value: T = fact.value
        return value
    value = read(path)
    learn(path, what, value, signature)
    return value


def unsure(changed_ns: int, seen_ns: int) -> bool:
    """Whether a file last changed at `changed_ns` (its change time) may have changed again by
    `seen_ns` and kept that time (a change within one tick of the file system's clock)."""
    margin = RACY_NS if changed_ns % 1_000_000 == 0 else FINE_RACY_NS
    return changed_ns >= seen_ns - margin


def learn(path: Path, what: str, value: Any, signature: tuple[int, ...] | None = None) -> None:
    """Remember `value` as the fact `what` of the file at `path` as it is now (a file this
    build wrote, whose bytes it knows)."""
    global _changed
    if not isinstance(value, str) and len(json.dumps(value)) > MAX_FACT_CHARS:
        return
    name = (sys.intern(what), str(path))
    _facts.pop(name, None)
    _facts[name] = _Fact(signature or stat_signature(path), value, 0, _build)
    _changed = True
    while len(_facts) > MAX_FACTS:  # the oldest learnt first
        del _facts[next(iter(_facts))]


def recall(path: Path, read: Callable[[Path], dict[str, Any] | None]) -> None:
    """Take the facts a build kept in `path` (`read` gives the record it wrote, if it can be
    believed), where this process knows nothing newer: once, unless another process changed
    the file since."""
    global _build
    try:
        signature = stat_signature(path)
    except OSError:
        return
    if _recalled.get(str(path)) == signature:
        return
    kept = read(path) or {}
    recalled = {}
    try:
        _build = max(_build, int(kept.get("build", 0)) + 1)
        for what, name, saw, value, kept_ns, used in kept.get("facts", ()):
            recalled[sys.intern(str(what)), str(name)] = _Fact(tuple(int(n) for n in saw), value,
                                                   int(kept_ns), int(used))
    except (TypeError, ValueError):
        recalled = {}  # another version's record: the files are read again
    recalled.update(_facts)  # what this process learnt since is newer
    _facts.clear()
    _facts.update(recalled)
    _recalled[str(path)] = signature


def keep(path: Path, write: Callable[[Path, dict[str, Any]], None],
         inside: tuple[Path, ...]) -> None:
    """Keep in `path`, through `write`, the facts about files in the folders `inside` (a
    project's, takehome's) that one of the last BUILDS builds used, for the next build to
    recall; nothing is written when nothing was learnt since."""
    global _build, _changed
    if not _changed:
        return
    now = time.time_ns()
    for name, fact in list(_facts.items()):
        if fact.used <= _build - BUILDS:
            del _facts[name]
        elif not fact.kept_ns:
            _facts[name] = fact._replace(kept_ns=now)
    folders = tuple(os.path.join(folder, "") for folder in inside)
    write(path, {"build": _build, "facts": [[*name, list(f.signature), f.value, f.kept_ns,
                                             f.used] for name, f in _facts.items()
                                            if name[1].startswith(folders)]})
    _recalled[str(path)] = stat_signature(path)
    _build += 1
    _changed = False


@cache  # the code a process runs is the code it imported
def code_key() -> str:
    """A hash of takehome's own files (its code and catalogs) and of the Python running it."""
    from ..files import regular_files

    package = Path(__file__).parents[1]
    return key_of(sys.version, *(f"{p.relative_to(package).as_posix()}={file_sha256(p)}"
                                 for p in regular_files(package, package)))


def key_of(*parts: str | bytes) -> str:
    """A content hash of the parts, in order."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()
