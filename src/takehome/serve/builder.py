"""The builds behind `takehome serve`: one thread that rebuilds through the build cache after
every change, the file on screen first, and keeps what the pages show (the last good build of
each paper and colour, its warnings, the errors of the last build) for the web app to read."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..build import pipeline, typeset
from ..errors import BuildError, ContentError, Problem
from ..paper import Paper
from ..project import Project
from .views import OutputFile, read_files

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Variant:
    """A paper and colour to lay the documents out in; paper None is the settings' paper."""

    paper: Paper | None = None
    ink_saver: bool = False

    @property
    def folder(self) -> str:
        return f"{self.paper or 'settings'}-{'ink-saver' if self.ink_saver else 'colour'}"


DEFAULT = Variant()


@dataclass(frozen=True)
class View:
    """What a browser shows: one file of a document, on one paper and in one colour."""

    document: str
    output: str
    variant: Variant = DEFAULT


@dataclass(frozen=True)
class Status:
    """What the pages show, as of one moment (a copy: the builder goes on meanwhile)."""

    version: int  # goes up whenever anything below changes
    files: dict[Variant, list[OutputFile]]
    warnings: list[Problem]  # of the last build of every document
    errors: list[Problem]  # of the last build; the files are the last good build's
    project: Project | None  # as last loaded without errors: the roster, the settings
    building: str  # what is being built now ("" when idle)
    built_at: float | None  # when the last build finished (time.time())
    seconds: float  # how long it took
    fresh: dict[Variant, frozenset[str]]  # documents rebuilt since the last change

    def is_fresh(self, variant: Variant, document: str) -> bool:
        return variant == DEFAULT or document in self.fresh.get(variant, frozenset())


@dataclass
class _Work:
    dirty: bool = True  # the project changed since the last build of everything
    wanted: set[tuple[Variant, str]] = field(default_factory=set)  # (variant, document)
    focus: View | None = None
    stopping: bool = False


class Builder:
    """Runs builds on a thread of its own; `changed`, `show` and `stop` may be called from any."""

    def __init__(self, root: Path, folder: Path, jobs: int = 0) -> None:
        self.root = root
        self.folder = folder  # each variant's output goes into a folder of its own in here
        self.jobs = jobs
        self.listeners: list[Callable[[int], None]] = []
        # Called with the file on screen and its PDF once it is rebuilt, before anything else
        # is: to draw its pages while the machine is not yet busy with every other document.
        self.prepare: Callable[[OutputFile, Path], None] | None = None
        self._cond = threading.Condition()
        self._work = _Work()
        self._status = Status(0, {DEFAULT: read_files(self.output(DEFAULT))}, [], [], None, "",
                              None, 0.0, {})
        self._thread = threading.Thread(target=self._run, name="takehome-builds", daemon=True)
        self._workers: typeset.Workers | None = None  # while the thread runs

    def output(self, variant: Variant) -> Path:
        return self.folder / variant.folder

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 1.0) -> None:
        """Ask the thread to end after the build it is running (a build cannot be cut short
        safely), and wait a little for it."""
        with self._cond:
            self._work.stopping = True
            self._cond.notify_all()
            busy = self._status.building
        if busy:
            log.info("Stopping: the pages being laid out are finished first.")
        if self._thread.is_alive():
            self._thread.join(timeout)

    def status(self) -> Status:
        with self._cond:
            return self._status

    def changed(self, focus: View | None = None) -> None:
        """Files of the project changed: rebuild, `focus` (or what is on screen) first."""
        with self._cond:
            self._work.dirty = True
            if focus is not None:
                self._work.focus = focus
            self._cond.notify_all()

    def show(self, view: View) -> None:
        """A browser shows `view` now: build it first next time, and now if it is not fresh."""
        with self._cond:
            self._work.focus = view
            if not self._status.is_fresh(view.variant, view.document):
                self._work.wanted.add((view.variant, view.document))
                self._cond.notify_all()

    def _publish(self, **changes: Any) -> None:
        with self._cond:
            version = self._status.version + 1
            self._status = replace(self._status, version=version, **changes)
        for listener in list(self.listeners):
            listener(version)

    def _run(self) -> None:
        # Typesetting processes kept from build to build, with fonts and stylesheets loaded.
        with typeset.Workers(self.jobs) as self._workers:
            self._loop()

    def _loop(self) -> None:
        first = True
        while True:
            with self._cond:
                work = self._work
                while not (work.dirty or work.wanted or work.stopping):
                    self._cond.wait()
                if work.stopping:
                    return
                dirty, wanted, focus = work.dirty, work.wanted, work.focus
                work.dirty, work.wanted = False, set()
            try:
                if dirty:
                    self._rebuild(focus, first)
                    first = False
                for variant, document in sorted(wanted, key=str):
                    self._build(variant, f"{document} ({variant.folder})", only=(document,))
            except Exception:  # a bug must not stop the previews; it is in the log
                log.exception("the build failed unexpectedly")
                self._publish(building="", errors=[Problem(
                    "takehome failed unexpectedly; the messages where `takehome serve` runs "
                    "say why")])

    def _rebuild(self, focus: View | None, first: bool) -> None:
        """After a change: the file on screen, then every document, then the document on
        screen in its own paper and colour."""
        with self._cond:
            self._status = replace(self._status, fresh={})
        if focus is not None and not first:
            # Its errors are not shown: the build of everything says which are still there.
            if self._build(focus.variant, focus.output, only=(focus.document,),
                           outputs=(focus.output,), errors=False, publish=False):
                shown = next((f for f in self.status().files.get(focus.variant, [])
                              if f.path == focus.output), None)
                if shown is not None and self.prepare is not None:
                    self.prepare(shown, self.output(focus.variant) / shown.path)
            self._publish()
        self._build(DEFAULT, "every document", everything=True, warm=first)
        if focus is not None and focus.variant != DEFAULT:
            self._build(focus.variant, f"{focus.document} ({focus.variant.folder})",
                        only=(focus.document,))

    def _build(self, variant: Variant, what: str, only: tuple[str, ...] = (),
               outputs: tuple[str, ...] = (), errors: bool = True,
               everything: bool = False, publish: bool = True, warm: bool = False) -> bool:
        """Build into the variant's folder and record what the pages show; True if it worked.
        `publish`: tell the pages at once (else the caller does); `warm`: load everything a
        rebuild needs even if nothing changed (pipeline.Options.warm)."""
        self._publish(building=what)
        shown = [0.0]  # when progress was last shown

        def progress(done: typeset.Progress) -> None:  # at most every second: pages refresh
            if time.monotonic() - shown[0] >= 1:
                shown[0] = time.monotonic()
                self._publish(building=f"{what} ({done.done} of {done.total} files)")

        options = pipeline.Options(output=self.output(variant), only=only, outputs=outputs,
                                   jobs=self.jobs, paper=variant.paper,
                                   ink_saver=variant.ink_saver, progress=progress,
                                   workers=self._workers, warm=warm)
        started = time.perf_counter()
        try:
            report = pipeline.build(self.root, options)
        except BuildError as exc:
            found = exc.problems
        except ContentError as exc:  # e.g. content/settings.yaml is gone
            found = [exc.problem]
        else:
            found = []
        seconds = time.perf_counter() - started
        status = self.status()
        files = {**status.files, variant: read_files(self.output(variant))}
        changes: dict[str, Any] = {"files": files, "building": "", "seconds": seconds,
                                   "built_at": time.time()}
        if found and errors:
            log.warning("%s", BuildError(found).report().replace(
                "nothing was written", "the pages shown are the last good ones"))
        elif not found:
            log.log(logging.INFO if report.rendered or everything else logging.DEBUG,
                    "Built %s in %.1f s (%d rendered, %d from the cache).", what, seconds,
                    len(report.rendered), report.reused)
            if everything:
                for warning in report.warnings:
                    if warning not in status.warnings:
                        log.warning("%s", warning)
                changes["warnings"] = report.warnings
        if only and not outputs:  # tried since the last change, even if it failed: not again
            fresh = dict(status.fresh)
            fresh[variant] = fresh.get(variant, frozenset()) | frozenset(only)
            changes["fresh"] = fresh
        if errors and (found or everything):
            changes["errors"] = found
        if everything:
            changes["project"] = self._load() or status.project
        if publish:
            self._publish(**changes)
        else:
            with self._cond:
                self._status = replace(self._status, **changes)
        return not found

    def _load(self) -> Project | None:
        """The project as the pages need it (roster, settings, documents), or None while it
        does not load (the pages keep the one that last did)."""
        try:
            return pipeline.load_project(self.root)[0]
        except (BuildError, ContentError):
            return None
