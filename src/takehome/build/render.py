"""Stage: render. Every job's template -> HTML (and its stylesheets -> CSS), keyed for the cache;
every file that is not typeset -> its bytes."""

from __future__ import annotations

import gc
import html as htmllib
import itertools
import multiprocessing
import os
import re
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .. import allocator, fonts, inksaver
from ..errors import Problem, Problems
from ..project import Project
from . import compiled
from .assets import Access, Scanner, web_policy
from .digest import key_of, sha256
from .incremental import engine_fingerprint
from .jinja import Renderer, TemplateProblem
from .memo import Fingerprints, Memo, Split
from .plan import File, Job, Plan
from .records import Record, Rendered, join_fields, split_fields


@dataclass
class Pages:
    """What the render stage gives: the jobs' pages, the other files' bytes, and the project
    files the pages show (reference -> sha256), for the build record."""

    rendered: list[Rendered] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    shown: dict[str, str] = field(default_factory=dict)


_TAG = re.compile(r"<[^>]*>")


def render(project: Project, plan: Plan, problems: Problems, ink_saver: bool = False,
           memo: Memo | None = None) -> Pages:
    """Render every job and file of `plan`; template errors go to `problems`. With `memo`, a
    page whose template and context are as a build before left them is taken from it."""
    renderer = Renderer(project.templates,
                        memo.cache.root / compiled.FOLDER if memo is not None else None)
    if renderer.refused is not None:
        memo = None  # every template's error is reported
    pages = Pages(files=_files(renderer, plan, problems, memo))
    scanner = Scanner(Access.of(project), memo.references() if memo is not None else None)
    # Each stylesheet once: its text, and a digest of it for the keys.
    stylesheets: dict[tuple[tuple[str, ...], str], tuple[str, str]] = {}
    engine = engine_fingerprint()
    bases: dict[str, str] = {}
    grey = ("greyscale",) if ink_saver else ()  # images are drawn in grey
    font = project.settings.theme.font
    reported: set[tuple[str, str]] = set()
    missing: dict[str, list[str]] = {}  # a shared base's characters no font has
    refused: set[tuple[str, str]] = set()
    # Where the font packages are installed is not part of a key (their versions are): shard
    # machines with takehome installed elsewhere share entries.
    installed = [d.as_uri() for d in fonts.directories()]
    for job, body in zip(plan.jobs, _remembered(renderer, plan.jobs, memo), strict=True):
        try:
            key = (job.stylesheets, job.paper or "")
            if key not in stylesheets:
                made = _stylesheet(renderer, project, job, ink_saver, memo)
                stylesheets[key] = (made, sha256(_portable(made, installed).encode("utf-8")))
        except TemplateProblem as exc:
            problems.add(exc.problem)
            continue
        if isinstance(body, Problem):
            problems.add(body)
            continue
        css, css_digest = stylesheets[key]
        if ink_saver:  # colours given inline (a calendar's day marks) in grey too
            body = inksaver.grey_styles(_whole(body))
        # A personalised copy is kept as a base shared with the other copies and its words,
        # so a roster of thousands holds each page's HTML once (PDF structure is not stamped).
        if isinstance(body, Split):  # already split where the memo kept it (now or before)
            base, words = ((body.base, body.words) if not (job.tagged or job.forms)
                           else (join_fields(body.base, body.words), ()))
        else:
            base, words = split_fields(body) if not (job.tagged or job.forms) else (body, ())
        # No word in two fonts: done on the base and on each field's words alike, so that a
        # stamped copy and a full layout get the same HTML (each shared base once).
        base = fonts.whole_words(base, job.lang, font)
        words = tuple(fonts.whole_words(w, job.lang, font) for w in words)
        body = join_fields(base, words) if words else base
        if base not in missing:
            missing[base] = fonts.missing_characters(_text(base), font)
        _warn_missing_characters(job, missing[base] + fonts.missing_characters(
            htmllib.unescape(" ".join(words)), font), reported, problems)
        # The files the page shows, found by parsing it (its base's: fields hold words only).
        shown = scanner.scan(base, css)
        for problem in shown.problems:  # once per template, not once per family's copy
            if (job.template, problem) not in refused:
                refused.add((job.template, problem))
                problems.error(f"{job.output}: {problem}", renderer.template_path(job.template))
        if shown.problems:
            continue
        cache_key = key_of(engine, css_digest, body, job.lang, job.title, str(job.max_pages),
                           str(job.tagged), str(job.forms), str(job.alone), *shown.keys, *grey)
        assets = tuple(shown.files)
        record = (Record("", job.lang, job.title, job.max_pages, bases.setdefault(base, base),
                         words, tuple(shown.keys), assets) if words
                  else Record(body, job.lang, job.title, job.max_pages, assets=assets))
        pages.rendered.append(Rendered(job, record, css, cache_key))
    pages.shown = scanner.hashes
    if memo is not None:
        memo.save(scanner.parsed)
    return pages


def _whole(page: str | Split) -> str:
    return join_fields(page.base, page.words) if isinstance(page, Split) else page


def _remembered(renderer: Renderer, jobs: list[Job], memo: Memo | None
                ) -> Iterator[str | Split | Problem]:
    """As _bodies, each page whose inputs a build before rendered taken from `memo`, the
    others rendered (and remembered for the next build)."""
    if memo is None:
        yield from _bodies(renderer, jobs)
        return
    keys = [memo.key(job.template, job.context) for job in jobs]
    # The fingerprints of every context (about 6 KB a family) are done with: let go before the
    # renderers fork, so that the pages they render fill that memory instead of more.
    memo.fingerprints = Fingerprints()
    rendered = _bodies(renderer, [job for job, key in zip(jobs, keys, strict=True)
                                  if key is None or not memo.has(key)])
    for key in keys:
        kept = memo.page(key) if key is not None else None
        if kept is not None:
            yield kept
            continue
        page = next(rendered)
        yield memo.remember(key, page) if key is not None and isinstance(page, str) else page


PARALLEL_JOBS = 200  # fewer jobs are rendered in this process: forking costs more
SHARE = 64  # jobs a renderer renders at a time: what a share's pages take to send back (and
# wait in this process) stays the same whatever the roster's size
# Shares each renderer renders before fresh ones are forked: what a renderer copies of this
# process's memory (the contexts it reads) grows with the shares it has rendered: about 8 MB
# in 64 shares of a 10,000-family build. Each fresh fork copies again what it reads and
# starts with empty caches, so renewing more often costs processor time.
SHARES_PER_RENDERER = 64
_WORK: tuple[Renderer, list[Job]] | None = None  # what forked renderers inherit


def _body(renderer: Renderer, job: Job) -> str | Problem:
    try:
        return renderer.render(job.template, job.context)
    except TemplateProblem as exc:
        return exc.problem


def _render_range(span: tuple[int, int]) -> list[str | Problem]:
    assert _WORK is not None
    renderer, jobs = _WORK
    return [_body(renderer, job) for job in jobs[span[0]:span[1]]]


def _bodies(renderer: Renderer, jobs: list[Job]) -> Iterator[str | Problem]:
    """Every job's HTML (or what is wrong with its template), in order, each let go by the
    caller before the next shares come (a roster of thousands never holds every page). Many
    jobs are rendered by one forked process per core, a share of them at a time, from a
    process that has compiled every template once; never from a process running other threads
    (fork copies only this one), and not where fork does not exist."""
    global _WORK
    cores = min(os.cpu_count() or 1, 8)
    if (cores < 2 or len(jobs) < PARALLEL_JOBS or threading.active_count() > 1
            or "fork" not in multiprocessing.get_all_start_methods()):
        yield from (_body(renderer, job) for job in jobs)
        return
    early: dict[int, str | Problem] = {}
    seen: set[tuple[str, str]] = set()
    for i, job in enumerate(jobs):  # each template compiled here, once, for all the processes
        if (job.template, job.lang) not in seen:
            seen.add((job.template, job.lang))
            early[i] = _body(renderer, job)
    size = min(SHARE, -(-len(jobs) // (8 * cores)))  # every core busy to the end
    spans = [(start, min(start + size, len(jobs))) for start in range(0, len(jobs), size)]
    _WORK = (renderer, jobs)
    allocator.trim()
    each = SHARES_PER_RENDERER * cores
    try:
        # Each set of renderers is forked here, once the last set's processes and threads
        # have ended (never from a pool's thread, which could fork while this one holds a lock).
        for first in range(0, len(spans), each):
            # Their garbage collections would write to every object they inherit, and so copy
            # this process's whole heap (the plan of every family) into each of them.
            gc.freeze()
            for start, done in _shares(cores, spans[first:first + each]):
                for i, body in enumerate(done, start):
                    yield early.pop(i, body)
    finally:
        _WORK = None
        gc.unfreeze()


def _shares(cores: int, spans: list[tuple[int, int]]
            ) -> Iterator[tuple[int, list[str | Problem]]]:
    """Each span's pages, in order, rendered by `cores` forked processes. A few shares are in
    flight at a time: the pages of shares the caller has not reached yet do not pile up here
    while it splits and scans the ones before."""
    with multiprocessing.get_context("fork").Pool(cores) as pool:
        waiting = iter(spans)
        flight = deque((span[0], pool.apply_async(_render_range, (span,)))
                       for span in itertools.islice(waiting, 2 * cores))
        while flight:
            start, result = flight.popleft()
            done = result.get()
            flight.extend((span[0], pool.apply_async(_render_range, (span,)))
                          for span in itertools.islice(waiting, 1))
            yield start, done


def _page(renderer: Renderer, template: str, context: dict[str, Any], memo: Memo | None) -> str:
    """A web page's HTML (or a stylesheet), rendered unless `memo` kept it from a build before."""
    return _kept(memo, template, context, lambda: renderer.render(template, context))


def _made(make: Callable[..., str], arguments: dict[str, Any], memo: Memo | None) -> str:
    """The text `make(**arguments)` gives (an .ics), unless `memo` kept it from a build before
    (the function's code is part of the key, as a template's is)."""
    return _kept(memo, "(made)", {"make": make, **arguments}, lambda: make(**arguments))


def _kept(memo: Memo | None, name: str, context: dict[str, Any], make: Callable[[], str]) -> str:
    key = memo.key(name, context) if memo is not None else None
    kept = memo.page(key) if memo is not None and key is not None else None
    if kept is not None:
        return _whole(kept)
    page = make()
    if memo is not None and key is not None:
        memo.remember(key, page)
    return page


def _portable(css: str, installed: list[str]) -> str:
    for uri in installed:
        css = css.replace(uri, "fonts:")
    return css


def _stylesheet(renderer: Renderer, project: Project, job: Job, ink_saver: bool,
                memo: Memo | None) -> str:
    """A job's stylesheets, rendered for its paper (and greyed for ink-saver versions), or as
    `memo` kept them."""
    font = project.settings.theme.font
    context = project.stylesheet_context(job.paper or project.settings.paper,
                                         fonts=fonts.face_css(font), struts=fonts.struts(font))
    names = job.stylesheets + ((inksaver.STYLESHEET,) if ink_saver else ())
    css = "\n".join(_page(renderer, name, context, memo) for name in names)
    return inksaver.grey_css(css) if ink_saver else css


def _text(html: str) -> str:
    return htmllib.unescape(_TAG.sub(" ", html))


def _warn_missing_characters(job: Job, chars: list[str], reported: set[tuple[str, str]],
                             problems: Problems) -> None:
    """A character no font of the stack has would print as an empty box: say whose it is."""
    for char in dict.fromkeys(chars):
        if (job.subject, char) not in reported:
            reported.add((job.subject, char))
            who = f" for {job.subject}" if job.subject else ""
            problems.warn(f"{job.output}{who}: no font has the character {char!r} "
                          f"(U+{ord(char):04X}); it will print as an empty box")


def _files(renderer: Renderer, plan: Plan, problems: Problems, memo: Memo | None
           ) -> dict[str, bytes]:
    """Bytes of every file that is not typeset: templates (web pages) rendered and data made
    (or taken from `memo`)."""
    files = {}
    for step in (s for s in plan.steps if isinstance(s, File)):
        try:
            page = (_made(step.make, step.context, memo) if step.make is not None else
                    _page(renderer, step.template, step.context, memo)).encode("utf-8")
            # A web page from a template fetches nothing: the browser is told so.
            files[step.output] = web_policy(page) if step.output.endswith(".html") else page
        except TemplateProblem as exc:
            problems.add(exc.problem)
    return files
