"""Stage: typeset. Rendered jobs -> PDFs in the cache, in bounded WeasyPrint passes on every core.

Jobs whose key is in the cache are taken from it; the others are grouped into batches (records
that share a stylesheet and PDF options share a pass; personalised copies that differ only in
their fields share a base and are stamped, see stamp.py) and typeset in worker processes.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import multiprocessing
import multiprocessing.context
import os
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import forkserver
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from ... import allocator, fonts
from ...budget import OutOfTime, cpu_budget
from ...errors import Problems
from .. import trust
from ..incremental import Cache, Cached
from ..records import Assets, Batch, Rendered, Typeset
from ..shards import in_shard

BATCH_RECORDS = 12  # records per WeasyPrint pass: small enough to keep both cores busy to the
# end and memory bounded (about 1 MB a page), large enough that a pass costs little extra
STAMP_RECORDS = 24  # stamped copies per pass: only their fields are laid out
# A worker is replaced after this many batches, so that what WeasyPrint keeps from pass to pass
# cannot grow with the roster; a new one costs a fork and its first stylesheet parse and bases.
TASKS_PER_WORKER = 32
SMALL = 8  # records: typeset in this process
T = TypeVar("T")
LAYOUT_SECONDS = 120.0  # one batch; a dozen ordinary records take a few seconds


@dataclass(frozen=True)
class Progress:
    """How far a build has got, for a progress bar."""

    done: int  # documents ready (typeset or from the cache)
    total: int
    pages: int  # pages typeset so far
    seconds: float


@dataclass
class Typesetting:
    """How to typeset: processes, the shard of the work this run does, greyscale images."""

    jobs: int = 0  # processes; 0: one per core
    shard: tuple[int, int] | None = None  # (k, n): only the k-th of n parts
    nothing: bool = False  # typeset nothing: what the cache lacks is only listed (build --join)
    greyscale: bool = False
    progress: Callable[[Progress], None] | None = None
    started: float = field(default_factory=time.perf_counter)
    workers: Workers | None = None  # the build's processes (none given: started if needed)


@dataclass
class Results:
    """What the stage gives: each job's cached PDF, and which were typeset now."""

    entries: dict[str, Cached] = field(default_factory=dict)  # output -> cache entry
    typeset: list[str] = field(default_factory=list)  # outputs typeset by this run
    reused: int = 0  # taken from the cache
    missing: list[str] = field(default_factory=list)  # outputs not typeset (how.nothing)


def load_engine() -> ModuleType:
    """The WeasyPrint engine, imported once fontconfig has been pointed at the font packages."""
    fonts.prepare_environment()
    from . import engine as loaded

    return loaded


def typeset(batch: Batch) -> list[Typeset]:
    """Every record of `batch` as one PDF each: stamped on a shared base, or laid out in full;
    a batch that takes more than LAYOUT_SECONDS of processor time (a template making thousands
    of pages) fails with a message instead of filling the memory."""
    load_engine()
    try:
        with cpu_budget(LAYOUT_SECONDS):
            if batch.base is not None:
                from .stamp import typeset_stamped

                return typeset_stamped(batch)
            from .engine import typeset_in_full

            return typeset_in_full(batch)
    except OutOfTime:
        message = (f"laying it out took more than {LAYOUT_SECONDS:.0f} s of processor time "
                   "(does its template make thousands of pages?)")
        return [Typeset(b"", 0, errors=[message]) for _ in batch.records]


def run(rendered: list[Rendered], cache: Cache, base_dir: Path, how: Typesetting,
        problems: Problems) -> Results:
    """Cached entries for every job: reused when the key matches, typeset otherwise."""
    allocator.trim()  # what planning and rendering let go of, given back before the long stage
    result = Results()
    missing = []
    for r in rendered:
        hit = cache.get(r.key)
        if hit is None:
            if in_shard(r.job.output, how.shard):
                missing.append(r)
            continue
        result.entries[r.job.output], warnings = hit
        result.reused += 1
        for message in warnings:
            problems.warn(f"{r.job.output}: {message}")
    if cache.discarded:  # one warning: a new cache key discards every entry at once
        count = len(cache.discarded)
        some = ", ".join(key[:12] for key in sorted(cache.discarded)[:3])
        what = "a cache entry that does" if count == 1 else f"{count} cache entries that do"
        problems.warn(f"discarded {what} not verify ({some}{', ...' if count > 3 else ''}): "
                      "changed since made, or made with another cache key; "
                      + ("not used" if how.nothing else "rendered again"))
    if how.nothing:
        result.missing = [r.job.output for r in missing]
        missing = []
    planned = batches(missing, base_dir, how.greyscale)
    total, done, pages = len(result.entries) + len(missing), len(result.entries), 0
    with contextlib.ExitStack() as stack:  # processes started here end here
        workers = how.workers or stack.enter_context(Workers(how.jobs))
        for index, results in typeset_all([b for _, b in planned], workers):
            for r, typeset_one in zip(planned[index][0], results, strict=True):
                for message in typeset_one.warnings:
                    problems.warn(f"{r.job.output}: {message}")
                for message in typeset_one.errors:
                    who = f" for {r.job.subject}" if r.job.subject else ""
                    problems.error(f"{r.job.output}{who}: {message}")
                if not typeset_one.errors:
                    result.entries[r.job.output] = cache.put(r.key, typeset_one)
                    result.typeset.append(r.job.output)
                    pages += typeset_one.pages
                done += 1
            if how.progress:
                how.progress(Progress(done, total, pages, time.perf_counter() - how.started))
    return result


def batches(rendered: list[Rendered], base_dir: Path,
            greyscale: bool = False) -> list[tuple[list[Rendered], Batch]]:
    """Group jobs into bounded WeasyPrint passes: copies that differ only in their fields share
    a base and are stamped; others share a pass when they share a stylesheet and options.
    Whether a copy is stamped depends on that copy alone, so its bytes never depend on which
    other copies a build happens to rebuild with it."""
    groups: dict[tuple[str, bool, bool, str, str, str], list[Rendered]] = defaultdict(list)
    for r in rendered:
        base = r.record.base
        alone = r.job.output if r.job.alone and not base else ""  # a base is laid out alone
        groups[(r.css, r.job.tagged, r.job.forms, alone, base, r.record.lang if base else "")
               ].append(r)
    chunks = []
    for (css, tagged, forms, _, base, _), members in groups.items():
        size = STAMP_RECORDS if base else BATCH_RECORDS
        chunks.append([(chunk, Batch(tuple(r.record for r in chunk), css, base_dir, tagged,
                                     forms, greyscale, base or None,
                                     any(r.job.alone for r in chunk)))
                       for chunk in (members[start:start + size]
                                     for start in range(0, len(members), size))])
    # Taken in turns, group by group: the first batches of a run start on different bases, and
    # by the time a process needs another base, another process has put it in the cache.
    return [b for turn in itertools.zip_longest(*chunks) for b in turn if b is not None]


def _context() -> multiprocessing.context.ForkServerContext:
    """forkserver: workers are forked from a small process that has imported the engine and
    nothing of the build (a plain fork would give each a copy of the whole plan); each keeps
    one FontConfiguration, its parsed stylesheets and its stamping bases for all its batches.
    The server inherits the environment prepared here."""
    fonts.prepare_environment()
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([f"{__name__}.engine", f"{__name__}.stamp"])
    return context


def _ready(base_dir: Path | None = None, stylesheets: Sequence[tuple[str, Assets]] = ()) -> None:
    load_engine()
    from .stamp import prepare

    for css, assets in stylesheets:
        assert base_dir is not None
        prepare(css, base_dir, assets)


def stylesheets(rendered: Sequence[Rendered]) -> list[tuple[str, Assets]]:
    """Each stylesheet of `rendered`, with the files the first page using it shows: what a
    typesetting process parses ahead of the first save (see Workers.warm)."""
    first: dict[str, Assets] = {}
    for r in rendered:
        first.setdefault(r.css, r.record.assets)
    return list(first.items())


def _typeset_here(batch: Batch) -> list[Typeset]:
    """typeset(), in a typesetting process: what a batch leaves is collected at its end, and
    what stays (the engine, fonts, stylesheets, bases) is frozen, so that the collections
    during the next batches walk only that batch's objects. A process spent an eighth of its
    time collecting (most of it walking what it keeps from batch to batch), and a little over
    half that since; it is replaced after TASKS_PER_WORKER batches, so nothing frozen that dies
    later is held for long."""
    try:
        return typeset(batch)
    finally:
        gc.collect()
        gc.freeze()


def _start_worker(key: bytes, scratch: str) -> None:
    """A worker signs with its build's key and keeps its temporary files in `scratch`."""
    trust.use(key)
    tempfile.tempdir = scratch


class Workers:
    """Typesetting processes: a build's, or those `--watch` and `serve` keep from build to
    build with fonts and stylesheets loaded. Started when first needed; for a command-line
    build on more than one core (`early`), the server they are forked from starts with the
    build and loads the engine on another core while this process loads, plans and renders
    (about a second of a rebuild after one row changed), with no thread running here (so
    rendering may fork). Until they are started, a few documents are typeset in this process.
    A context manager: the processes end with it."""

    def __init__(self, jobs: int, early: bool = False) -> None:
        self.jobs = jobs or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._lock = threading.Lock()
        self._early = early and self.jobs > 1 and "weasyprint" not in sys.modules
        if self._early:
            _context()
            forkserver.ensure_running()  # returns at once; the server imports the engine

    def pool(self) -> ProcessPoolExecutor:
        """The processes, started now if they were not."""
        with self._lock:
            return self._pool or self._start()

    def _start(self) -> ProcessPoolExecutor:
        # A worker ends without running finalizers, so the folder its FontConfiguration makes
        # (about 10 MB of the fonts' files) would stay behind in the temporary folder, once per
        # worker: the workers make theirs in one folder of the build's, removed when the
        # processes are done.
        self._scratch = tempfile.TemporaryDirectory(prefix="takehome-typeset-")
        self._pool = ProcessPoolExecutor(
            max_workers=self.jobs, mp_context=_context(), max_tasks_per_child=TASKS_PER_WORKER,
            initializer=_start_worker, initargs=(trust.secret(), self._scratch.name))
        return self._pool

    def warm(self, base_dir: Path | None = None,
             stylesheets: Sequence[tuple[str, Assets]] = ()) -> None:
        """Start every process and load the engine in each, ahead of the first batch, and
        parse these stylesheets there (and load the fonts they name): a page's first layout
        in a process took half as long again as the next ones (a newsletter: 0.5 s, then
        0.33)."""
        for _ in self.in_turn(_ready, [(base_dir, stylesheets)] * self.jobs):
            pass

    def started(self) -> bool:
        return self._early or self._pool is not None

    def in_turn(self, function: Callable[..., T], calls: Sequence[tuple[Any, ...]]
                ) -> Iterator[tuple[int, T]]:
        """`function(*args)` for each `args` of `calls` on the processes, yielding (index,
        result) as each finishes. A few are in flight at a time: results are let go once
        taken, and a worker that reached its task limit is replaced (the executor replaces one
        only when work is submitted: with every call submitted at once, it may wait forever)."""
        pool = self.pool()
        waiting = iter(enumerate(calls))
        running = {pool.submit(function, *args): i
                   for i, args in itertools.islice(waiting, 2 * self.jobs)}
        try:
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    index = running.pop(future)
                    for i, args in itertools.islice(waiting, 1):
                        running[pool.submit(function, *args)] = i
                    yield index, future.result()
        except BrokenProcessPool:
            self.close()  # a worker was killed: the next build starts new ones
            raise
        except BaseException:
            for future in running:
                future.cancel()
            raise

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End the processes (they start again if asked for)."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None


def typeset_all(batches: list[Batch], workers: Workers) -> Iterator[tuple[int, list[Typeset]]]:
    """Typeset batches on the workers' processes, yielding (batch index, results) as each
    finishes (a few documents in this process, if it has the engine or only one core)."""
    # Starting workers would cost more than typesetting a few documents (one family's row, one
    # edited page) here, where stylesheets and fonts stay loaded from build to build.
    small = len(batches) <= 1 or sum(len(b.records) for b in batches) <= SMALL
    if not workers.started() and (workers.jobs <= 1 or small):
        for i, batch in enumerate(batches):
            yield i, typeset(batch)
        return
    yield from workers.in_turn(_typeset_here, [(batch,) for batch in batches])
