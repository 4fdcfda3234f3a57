"""The one orchestrator: load -> validate -> plan -> render -> typeset -> write."""

from __future__ import annotations

import hashlib
import html as htmllib
import json
import os
import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

from . import __version__, fonts, inksaver
from .cache import Cache, Entry, file_sha256, key_of
from .errors import BuildError, Problem, Problems
from .models.base import Paper
from .output import MANIFEST, Writer, read_manifest
from .pdfjoin import join_pdfs
from .plan import Assembly, Batch, File, Job, Page, Step, split_fields
from .project import Project, check_translations, find_root, load_project
from .render import BUILTIN_TEMPLATES, Renderer, TemplateProblem

BATCH_RECORDS = 12  # records per WeasyPrint pass: small enough to keep both cores busy to the
# end and memory bounded (about 1 MB a page), large enough that a pass costs little extra
STAMP_RECORDS = 24  # stamped copies per pass: only their fields are laid out


@dataclass(frozen=True)
class Progress:
    """How far a build has got, for a progress bar."""

    done: int  # documents ready (typeset or from the cache)
    total: int
    pages: int  # pages typeset so far
    seconds: float


@dataclass
class Options:
    output: Path | None = None  # default: <project>/output
    only: tuple[str, ...] = ()  # document names (or folders of them) to build
    jobs: int = 0  # typesetting processes; 0: one per core
    shard: tuple[int, int] | None = None  # (k, n): typeset the k-th of n parts into the cache
    progress: Callable[[Progress], None] | None = None
    outputs: tuple[str, ...] = ()  # only these files (and the parts they join); others are kept
    paper: Paper | None = None  # lay every document out for this paper instead of the settings'
    ink_saver: bool = False  # greyscale, no fills: for sellers' ink-saver versions


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


@dataclass(frozen=True)
class Rendered:
    job: Job
    page: Page
    css: str
    key: str = ""


def load(root: Path) -> tuple[Project, Problems]:
    """Load and validate a project, stopping with every error if there is any."""
    problems = Problems()
    project = load_project(find_root(root), problems)
    problems.raise_if_errors()
    assert project is not None
    return project, problems


def apply_overrides(project: Project, options: Options) -> None:
    """Paper and ink-saver overrides, set on the settings so every kind plans with them."""
    update: dict[str, object] = {}
    if options.paper:
        update["paper"] = options.paper
    if options.ink_saver:
        theme = project.settings.theme
        update["theme"] = theme.model_copy(update={"accent": inksaver.grey(theme.accent)})
    if update:
        project.settings = project.settings.model_copy(update=update)


def select_outputs(steps: list[Step], outputs: tuple[str, ...], problems: Problems) -> list[Step]:
    """The steps making `outputs`, with the jobs their assemblies join."""
    if not outputs:
        return steps
    known = {s.output for s in steps}
    for missing in sorted(set(outputs) - known):
        problems.error(f"no file {missing} in this build")
    wanted = set(outputs)
    for step in steps:
        if isinstance(step, Assembly) and step.output in wanted:
            wanted.update(step.parts)
    return [s for s in steps if s.output in wanted]


def _selected(name: str, only: tuple[str, ...]) -> bool:
    return not only or any(name == o or name.startswith(o.rstrip("/") + "/") for o in only)


def make_plan(project: Project, only: tuple[str, ...], problems: Problems) -> list[Step]:
    """Every job and assembly of the build, in order."""
    steps: list[Step] = []
    documents = [d for d in project.documents if _selected(d.name, only)]
    if only and not documents:
        known = ", ".join(d.name for d in project.documents) or "none"
        problems.error(f"no document named {' or '.join(only)}; documents: {known}")
    for doc in documents:
        planned = doc.kind.plan(project, doc)
        languages = {s.lang for s in planned if isinstance(s, Job)}
        if doc.kind.check is not None:
            doc.kind.check(project, doc, languages, problems)
        else:
            check_translations(doc, languages, project.default_language, problems)
        steps += planned
    return _shared_once(steps)


def _shared_once(steps: list[Step]) -> list[Step]:
    """A job planned again as an unpublished part (a packet reusing the intake's copies) is
    rendered once; the publishing document keeps it."""
    index: dict[str, int] = {}
    out: list[Step] = []
    for step in steps:
        i = index.get(step.output)
        first = out[i] if i is not None else None
        if (isinstance(first, Job) and isinstance(step, Job)
                and not (first.publish and step.publish)
                and replace(step, document=first.document, publish=first.publish,
                            sources=first.sources) == first):
            if step.publish:
                out[i] = step  # type: ignore[index]
            continue
        index.setdefault(step.output, len(out))
        out.append(step)
    return out


_TAG = re.compile(r"<[^>]*>")


def render_files(project: Project, steps: list[Step], problems: Problems) -> dict[str, bytes]:
    """Bytes of every file that is not typeset: data as given, templates (web pages) rendered."""
    renderer = Renderer(project.templates)
    files = {}
    for step in (s for s in steps if isinstance(s, File)):
        try:
            files[step.output] = step.data or renderer.render(step.template,
                                                               step.context).encode("utf-8")
        except TemplateProblem as exc:
            problems.add(exc.problem)
    return files


def render(project: Project, steps: list[Step], problems: Problems,
           ink_saver: bool = False) -> list[Rendered]:
    """Jinja for every job; warns about characters that no font can print."""
    renderer = Renderer(project.templates)
    stylesheets: dict[tuple[tuple[str, ...], str], str] = {}
    font = project.settings.theme.font
    reported: set[tuple[str, str]] = set()
    rendered = []
    for job in (s for s in steps if isinstance(s, Job)):
        try:
            key = (job.stylesheets, job.paper)
            if key not in stylesheets:
                css_context = project.context(project.default_language, paper=job.paper,
                                              theme=project.settings.theme,
                                              fonts=fonts.face_css(font),
                                              struts=fonts.struts(font))
                names = job.stylesheets + ((inksaver.STYLESHEET,) if ink_saver else ())
                css = "\n".join(renderer.render(name, css_context) for name in names)
                stylesheets[key] = inksaver.grey_css(css) if ink_saver else css
            body = renderer.render(job.template, job.context)
        except TemplateProblem as exc:
            problems.add(exc.problem)
            continue
        text = htmllib.unescape(_TAG.sub(" ", body))
        for char in fonts.missing_characters(text, font):
            if (job.subject, char) not in reported:
                reported.add((job.subject, char))
                who = f" for {job.subject}" if job.subject else ""
                problems.warn(f"{job.output}{who}: no font has the character {char!r} "
                              f"(U+{ord(char):04X}); it will print as an empty box")
        rendered.append(Rendered(job, Page(body, job.lang, job.title, job.max_pages),
                                 stylesheets[key]))
    return rendered


def _assets(project: Project, text: str, memo: dict[str, str]) -> list[str]:
    """Hashes of the project files a page refers to (images), so editing one re-renders it."""
    found = []
    for ref in sorted({a or b for a, b in _REF.findall(text)}):
        if ref not in memo:
            path = (project.root / htmllib.unescape(ref)).resolve()
            try:
                memo[ref] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                memo[ref] = "missing"
        found.append(f"{ref}={memo[ref]}")
    return found


# Relative references in HTML attributes and CSS url(): the project files a page shows.
_REF = re.compile(r"""(?:src|href)="(?![a-z][a-z0-9+.-]*:|#)([^"]+)"|"""
                  r"""url\(['"]?(?![a-z][a-z0-9+.-]*:)([^'")]+)""")


def engine_fingerprint() -> str:
    """Versions of everything that shapes a PDF besides the content: part of every cache key."""
    return json.dumps({"takehome": __version__, "weasyprint": version("weasyprint"),
                       "pypdf": version("pypdf"),
                       "pikepdf": version("pikepdf"), "fonts": fonts.versions()}, sort_keys=True)


def with_keys(project: Project, rendered: list[Rendered], greyscale: bool = False,
              memo: dict[str, str] | None = None) -> list[Rendered]:
    """Each rendered job with its cache key: a hash of exactly what the typesetter receives.
    A personalised copy's page is then kept as a base shared with the other copies and its
    words (so a roster of thousands holds each page's HTML once). `memo` collects the project
    files the pages show (reference -> hash)."""
    engine, memo = engine_fingerprint(), {} if memo is None else memo
    bases: dict[str, str] = {}
    grey = ("greyscale",) if greyscale else ()  # images are drawn in grey
    out = []
    for r in rendered:
        refs = _assets(project, r.page.html + r.css, memo)
        key = key_of(engine, r.css, r.page.html, r.page.lang, r.page.title,
                     str(r.page.max_pages), str(r.job.tagged), str(r.job.forms),
                     str(r.job.alone), *refs, *grey)
        page = r.page
        if not (r.job.tagged or r.job.forms):  # PDF structure is not stamped
            base, words = split_fields(page.html)
            if words:
                page = replace(page, html="", base=bases.setdefault(base, base), fields=words)
        out.append(Rendered(r.job, page, r.css, key))
    return out


def batches(project: Project, rendered: list[Rendered],
            greyscale: bool = False) -> list[tuple[list[Rendered], Batch]]:
    """Group jobs into bounded WeasyPrint passes: copies that differ only in their fields share
    a base and are stamped; others share a pass when they share a stylesheet and options.
    Whether a copy is stamped depends on that copy alone, so its bytes never depend on which
    other copies a build happens to rebuild with it."""
    groups: dict[tuple[str, bool, bool, str, str, str], list[Rendered]] = defaultdict(list)
    for r in rendered:
        base = r.page.base
        alone = r.job.output if r.job.alone and not base else ""  # a base is laid out alone
        groups[(r.css, r.job.tagged, r.job.forms, alone, base, r.page.lang if base else "")
               ].append(r)
    out = []
    for (css, tagged, forms, _, base, _), members in groups.items():
        size = STAMP_RECORDS if base else BATCH_RECORDS
        for start in range(0, len(members), size):
            chunk = members[start:start + size]
            out.append((chunk, Batch(tuple(r.page for r in chunk), css, project.root, tagged, forms,
                                     greyscale, base or None)))
    return out


def _in_shard(output: str, shard: tuple[int, int] | None) -> bool:
    if shard is None:
        return True
    k, n = shard
    return int(hashlib.sha256(output.encode()).hexdigest()[:8], 16) % n == k - 1


def _typeset(project: Project, rendered: list[Rendered], cache: Cache, options: Options,
             problems: Problems, report: BuildReport, started: float) -> dict[str, Entry]:
    """Cached entries for every job: reused when the key matches, typeset otherwise."""
    entries: dict[str, Entry] = {}
    missing = []
    for r in rendered:
        hit = cache.get(r.key)
        if hit is None:
            if _in_shard(r.job.output, options.shard):
                missing.append(r)
            continue
        entries[r.job.output], warnings = hit
        report.reused += 1
        for message in warnings:
            problems.warn(f"{r.job.output}: {message}")
    for key in cache.discarded:
        problems.warn(f"discarded a corrupt cache entry ({key[:12]}); it was rendered again")
    planned = batches(project, missing, options.ink_saver)
    if not planned:
        return entries
    from .typeset import typeset_all  # WeasyPrint loads only when there is work for it

    jobs = options.jobs or os.cpu_count() or 1
    total, done, typeset_pages = len(entries) + len(missing), len(entries), 0
    for index, results in typeset_all([b for _, b in planned], jobs):
        for r, result in zip(planned[index][0], results, strict=True):
            for message in result.warnings:
                problems.warn(f"{r.job.output}: {message}")
            for message in result.errors:
                who = f" for {r.job.subject}" if r.job.subject else ""
                problems.error(f"{r.job.output}{who}: {message}")
            if not result.errors:
                entries[r.job.output] = cache.put(r.key, result)
                report.rendered.append(r.job.output)
                typeset_pages += result.pages
            done += 1
        if options.progress:
            options.progress(Progress(done, total, typeset_pages, time.perf_counter() - started))
    return entries


def build(root: Path, options: Options | None = None) -> BuildReport:
    """Build a project; raises BuildError (and leaves output/ untouched) if anything is wrong."""
    options = options or Options()
    started = time.perf_counter()
    root = find_root(root)
    output = options.output or root / "output"
    cache = Cache(root)
    key = _build_key(root, output, options)
    inputs = _inputs(root)  # before anything is read: a file saved during the build counts
    unchanged = _unchanged(cache.last_build(key), inputs, output, options)
    if unchanged is not None:
        unchanged.seconds = time.perf_counter() - started
        return unchanged
    project, problems = load(root)
    apply_overrides(project, options)
    steps = select_outputs(make_plan(project, options.only, problems), options.outputs, problems)
    shown: dict[str, str] = {}
    rendered = with_keys(project, render(project, steps, problems, options.ink_saver),
                         options.ink_saver, shown)
    files = render_files(project, steps, problems)
    problems.raise_if_errors()

    report = BuildReport()
    entries = _typeset(project, rendered, cache, options, problems, report, started)
    problems.raise_if_errors()
    report.warnings = problems.warnings
    if options.shard is None:
        _write(project, steps, entries, files, cache, options, report)
        extra = {str(root / htmllib.unescape(ref)): digest for ref, digest in shown.items()}
        if project.roster.path.is_file():
            extra[str(project.roster.path)] = file_sha256(project.roster.path)
        cache.record_build(key, {
            "inputs": inputs, "extra": extra, "outputs": _outputs(output), "files": report.files,
            "pages": report.pages, "documents": len(report.rendered) + report.reused,
            "warnings": [[w.message, str(w.path) if w.path else None, w.line, w.col]
                         for w in report.warnings]})
    report.seconds = time.perf_counter() - started
    return report


# A build whose inputs and output are as the last build with the same options left them does
# nothing, in the time it takes to hash the inputs: takehome's own code, catalogs and templates,
# the project's content/ and templates/, its roster and the files its pages show.
_PACKAGE = Path(__file__).parent


def _build_key(root: Path, output: Path, options: Options) -> str:
    return key_of(engine_fingerprint(), str(root), str(output.resolve()), *options.only,
                  "|", *options.outputs, str(options.paper), str(options.ink_saver))


def _inputs(root: Path) -> dict[str, str]:
    files = set()
    for folder in (_PACKAGE, BUILTIN_TEMPLATES, root / "content", root / "templates"):
        if folder.is_dir():
            files.update(p for p in folder.rglob("*") if "__pycache__" not in p.parts)
    return {str(p): file_sha256(p) for p in sorted(files) if p.is_file()}


def _outputs(output: Path) -> dict[str, str]:
    """The manifest's hash and the size of every file it lists that is there."""
    manifest = output / MANIFEST
    if not manifest.is_file():
        return {}
    files = (output / entry.get("path", "") for entry in read_manifest(output))
    return {MANIFEST: file_sha256(manifest),
            **{str(p): str(p.stat().st_size) for p in files if p.is_file()}}


def _unchanged(last: dict[str, Any] | None, inputs: dict[str, str], output: Path,
               options: Options) -> BuildReport | None:
    """The last build's report if nothing it read or wrote has changed since; None otherwise."""
    if last is None or options.shard is not None:
        return None
    try:
        if last["inputs"] != inputs or _outputs(output) != last["outputs"] or any(
                not Path(path).is_file() or file_sha256(Path(path)) != digest
                for path, digest in last["extra"].items()):
            return None
        warnings = [Problem(m, Path(p) if p else None, line, col, "warning")
                    for m, p, line, col in last["warnings"]]
        return BuildReport(files=last["files"], pages=last["pages"], reused=last["documents"],
                           warnings=warnings)
    except (AttributeError, KeyError, TypeError, ValueError):
        return None  # a record written by another version: build


def _write(project: Project, steps: list[Step], entries: dict[str, Entry],
           files: dict[str, bytes], cache: Cache, options: Options, report: BuildReport) -> None:
    """Join class sets and write every published file through the staged writer."""
    writer = Writer(options.output or project.root / "output", MANIFEST)
    try:
        for step in steps:
            if isinstance(step, File):
                writer.add_data(step.output, files[step.output], {
                    "kind": step.kind, "document": step.document, "language": step.lang,
                    "paper": step.paper, "pages": 0, "sources": list(step.sources)})
                report.files += 1
                continue
            if isinstance(step, Job):
                if not step.publish:
                    continue
                entry = entries[step.output]
            else:
                parts = [entries[p] for p in step.parts]
                key = key_of("join", str(step.duplex), *(p.sha256 for p in parts))
                hit = cache.get(key)
                if hit is None:
                    entry = cache.put_file(key, partial(join_pdfs, [cache.path(p) for p in parts],
                                                        step.duplex))
                else:
                    entry = hit[0]
            writer.add(step.output, entry.sha256, cache.path(entry), {
                "kind": step.kind, "document": step.document, "language": step.lang,
                "paper": step.paper, "pages": entry.pages, "sources": list(step.sources)})
            report.files += 1
            report.pages += entry.pages
        writer.commit(set() if options.outputs else
                      {s.document for s in steps} if options.only else None)
    except OSError as exc:
        writer.abort()
        where = Path(exc.filename) if exc.filename else None
        raise BuildError([Problem(f"could not write the output: {exc.strerror or exc}; the "
                                  "previous output is unchanged", where)]) from None
    except BaseException:
        writer.abort()
        raise


def typeset_jobs(project: Project, jobs: list[Job], problems: Problems,
                 ink_saver: bool = False) -> dict[str, bytes]:
    """PDFs of jobs made outside a build (a product's own pages), through the cache."""
    started = time.perf_counter()
    rendered = with_keys(project, render(project, list(jobs), problems, ink_saver), ink_saver)
    problems.raise_if_errors()
    cache = Cache(project.root)
    entries = _typeset(project, rendered, cache, Options(ink_saver=ink_saver), problems,
                       BuildReport(), started)
    problems.raise_if_errors()
    return {output: cache.read(entry) for output, entry in entries.items()}


def check(root: Path) -> tuple[Project, list[Problem]]:
    """Validate everything a build would, without typesetting; raises BuildError on errors."""
    project, problems = load(root)
    steps = make_plan(project, (), problems)
    render(project, steps, problems)
    render_files(project, steps, problems)
    problems.raise_if_errors()
    return project, problems.warnings
