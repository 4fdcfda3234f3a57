"""The build, stage by stage: load -> plan -> render -> typeset -> write. The public API.

Each stage is one module of this package with one entry function; this module only calls them
in order, stops after a stage that found errors, and reports.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import allocator, files
from ..errors import Problem, Problems, raise_if_any
from ..files import find_root
from . import trust
from .incremental import CACHE_DIR, BuildRecord, Cache, Recorded
from .shards import missing_shards

# The stages are imported by the functions that run them: a no-op rebuild checks its record
# and stops without loading any of them (most of takehome's import time).
if TYPE_CHECKING:
    from ..generic import Generic
    from ..paper import Paper
    from ..project import Project
    from .plan import Job
    from .typeset import Progress, Workers

__all__ = ["BuildReport", "Options", "build", "check", "load_project", "typeset_jobs"]


@dataclass
class Options:
    output: Path | None = None  # default: <project>/output
    only: tuple[str, ...] = ()  # document names (or folders of them) to build
    jobs: int = 0  # typesetting processes; 0: one per core
    shard: tuple[int, int] | None = None  # (k, n): typeset the k-th of n parts into the cache
    join: bool = False  # typeset nothing: write output/ from what the shards left in the cache
    progress: Callable[[Progress], None] | None = None
    outputs: tuple[str, ...] = ()  # only these files (and the parts they join); others are kept
    paper: Paper | None = None  # lay every document out for this paper instead of the settings'
    ink_saver: bool = False  # greyscale, no fills: for sellers' ink-saver versions
    strict: bool = False  # warnings stop the build as errors do (for CI)
    # Without the project's school, teacher and dates: lines to write on, or these texts
    generic: Generic | None = None
    # Typesetting processes kept from build to build (--watch, serve), with the engine, fonts
    # and stylesheets loaded; without them, a build starts its own
    workers: Workers | None = None
    # With nothing changed, still load, plan and render (from the memo), and start `workers`
    # with the engine loaded and the project's stylesheets parsed: --watch and serve's first
    # build, so that the first save is rebuilt as fast as the ones after it
    warm: bool = False

    def key(self) -> tuple[str, ...]:
        """What makes two builds' outputs differ, besides the project: for the build record."""
        generic = self.generic.key() if self.generic is not None else ""
        return (*self.only, "|", *self.outputs, str(self.paper), str(self.ink_saver), generic)


@dataclass
class BuildReport:
    files: int = 0  # files in the output
    pages: int = 0
    rendered: list[str] = field(default_factory=list)  # outputs typeset by this build
    reused: int = 0  # documents taken from the cache
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"Built {self.files} files ({len(self.rendered)} rendered, {self.reused} from "
                f"cache), {self.pages} pages, in {self.seconds:.1f} s.")


def build(root: Path, options: Options | None = None) -> BuildReport:
    """Build a project; raises BuildError (and leaves output/ untouched) if anything is wrong."""
    options = options or Options()
    started = time.perf_counter()
    root = find_root(root)
    output = options.output or root / "output"
    trust.secret()  # a key that cannot be had stops the build before any work
    files.no_links(root / CACHE_DIR)  # a project may come with a planted cache
    cache = Cache(root)
    cache.recall_facts()
    record = BuildRecord(cache, root, output, options.key())
    if options.shard is None and not options.warm and (last := record.unchanged()) is not None:
        cache.keep_facts(root, output)
        raise_if_any([], last.warnings if options.strict else [])
        return BuildReport(files=last.files, pages=last.pages, reused=last.documents,
                           warnings=last.warnings, seconds=time.perf_counter() - started)

    from . import typeset

    # Typesetting processes start now, and load the engine while this process plans.
    with contextlib.nullcontext(options.workers) if options.workers else \
            typeset.Workers(options.jobs, early=not options.join) as workers:
        report = _build(root, output, options, cache, record, workers, started)
    cache.keep_facts(root, output)
    report.seconds = time.perf_counter() - started
    return report


def _build(root: Path, output: Path, options: Options, cache: Cache, record: BuildRecord,
           workers: Workers, started: float) -> BuildReport:
    """The stages of a build that is not a no-op."""
    from . import load, plan, render, typeset, write
    from .memo import Memo

    problems = Problems()
    project = load.load(root, problems, cache).with_overrides(
        options.paper, options.ink_saver, options.generic)
    planned = plan.plan(project, problems, options.only, options.outputs)
    if options.generic is not None and options.generic.editable:
        planned = plan.with_forms(planned)  # the blanks are form fields
    # Only --watch and serve (which keep their workers) build again in this process: they
    # keep the pages in memory for the next build.
    memo = (Memo(cache, record.key, project.templates, keep=options.workers is not None)
            if options.shard is None else None)
    pages = render.render(project, planned, problems, options.ink_saver, memo)
    del memo  # what it remembered is saved in the cache
    for job in planned.jobs:  # every job's context (about 5 KB a family): rendered, done with
        job.context.clear()
    problems.raise_if_errors(options.strict)

    if options.warm and options.workers is not None:
        workers.warm(project.root, typeset.stylesheets(pages.rendered))
    how = typeset.Typesetting(options.jobs, options.shard, options.join, options.ink_saver,
                              options.progress, started, workers)
    made = typeset.run(pages.rendered, cache, project.root, how, problems)
    pages.rendered.clear()  # every copy's words (about 10 KB a family): typeset, done with
    allocator.trim()  # and given back before the class sets are joined
    if made.missing:
        problems.error(_missing(made.missing, cache.shard_counts()))
    problems.raise_if_errors(options.strict)
    report = BuildReport(rendered=made.typeset, reused=made.reused, warnings=problems.warnings)
    if options.shard is not None:
        cache.record_shard(options.shard, len(made.typeset))
    else:
        replaces = set() if options.outputs else planned.documents if options.only else None
        written = write.write(planned, made.entries, pages.files, cache, output, replaces,
                              project=root, trusted=options.output or root, workers=workers)
        report.files, report.pages = written.files, written.pages
        record.save(pages.shown, project.roster.path, Recorded(
            report.files, report.pages, len(report.rendered) + report.reused, report.warnings),
            written.digests)
    return report


def _missing(outputs: list[str], counts: list[int]) -> str:
    """Which shards have not left their documents in the cache (for `build --join`)."""
    example = f" (e.g. {sorted(outputs)[0]})"
    if not counts:
        return (f"{len(outputs)} documents are not in the cache{example} and no shard has "
                "recorded its work here with this cache key: run `takehome build --shard K/N` "
                "for every K first")
    shards = missing_shards(outputs, counts[0])
    many = len(shards) > 1
    return (f"{len(outputs)} documents are not in the cache{example}: "
            f"shard{'s' if many else ''} {', '.join(shards)} {'have' if many else 'has'} not "
            f"left {'their' if many else 'its'} documents; run {'them' if many else 'it'} "
            "(with the same cache key), then join again")


def check(root: Path, strict: bool = False) -> tuple[Project, list[Problem]]:
    """Validate everything a build would, without typesetting; raises BuildError on errors
    (and, when `strict`, on warnings)."""
    from . import load, plan, render

    problems = Problems()
    project = load.load(root, problems)
    render.render(project, plan.plan(project, problems), problems)
    problems.raise_if_errors(strict)
    return project, problems.warnings


def load_project(root: Path) -> tuple[Project, list[Problem]]:
    """Load and validate the project (settings, roster, documents) without planning or
    typesetting: for tools that show it, such as `takehome serve`; raises BuildError."""
    from . import load

    problems = Problems()
    return load.load(root, problems), problems.warnings


def typeset_jobs(project: Project, jobs: list[Job], problems: Problems,
                 ink_saver: bool = False) -> dict[str, bytes]:
    """PDFs of jobs made outside a project's documents (a product's own pages), through the
    same render and typeset stages and the same cache; raises BuildError on errors."""
    from . import plan, render, typeset

    pages = render.render(project, plan.Plan(list(jobs)), problems, ink_saver)
    problems.raise_if_errors()
    cache = Cache(project.root)
    how = typeset.Typesetting(greyscale=ink_saver)
    made = typeset.run(pages.rendered, cache, project.root, how, problems)
    problems.raise_if_errors()
    return {output: cache.read(entry) for output, entry in made.entries.items()}
