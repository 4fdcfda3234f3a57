"""The one orchestrator: load -> validate -> plan -> render -> typeset -> write."""

from __future__ import annotations

import html as htmllib
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from . import fonts
from .errors import Problem, Problems
from .output import OutputFile, commit, join_pdfs, sha256
from .plan import Assembly, Job, Step, TemplateFile
from .project import Project, check_translations, find_root, load_project
from .render import Renderer, TemplateProblem
from .typeset import Batch, Page, Typeset, typeset

BATCH_RECORDS = 40  # records laid out per WeasyPrint pass: bounds memory (about 1 MB a page)


@dataclass
class Options:
    output: Path | None = None  # default: <project>/output
    only: tuple[str, ...] = ()  # document names (or folders of them) to build


@dataclass
class BuildReport:
    files: list[OutputFile] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def pages(self) -> int:
        return sum(int(f.entry.get("pages") or 0) for f in self.files)


@dataclass(frozen=True)
class Rendered:
    job: Job
    page: Page
    css: str


def load(root: Path) -> tuple[Project, Problems]:
    """Load and validate a project, stopping with every error if there is any."""
    problems = Problems()
    project = load_project(find_root(root), problems)
    problems.raise_if_errors()
    assert project is not None
    return project, problems


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
    return steps


_TAG = re.compile(r"<[^>]*>")


def render_files(project: Project, steps: list[Step], problems: Problems) -> dict[str, bytes]:
    """Jinja for every file that is not typeset (web pages), as UTF-8 bytes by output path."""
    renderer = Renderer(project.templates)
    files = {}
    for step in (s for s in steps if isinstance(s, TemplateFile)):
        try:
            files[step.output] = renderer.render(step.template, step.context).encode("utf-8")
        except TemplateProblem as exc:
            problems.add(exc.problem)
    return files


def render(project: Project, steps: list[Step], problems: Problems) -> list[Rendered]:
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
                css_context = project.context(project.default_language, theme=project.settings.theme,
                                              paper=job.paper, fonts=fonts.face_css(font))
                stylesheets[key] = "\n".join(renderer.render(name, css_context)
                                             for name in job.stylesheets)
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


def batches(project: Project, rendered: list[Rendered]) -> list[tuple[list[Job], Batch]]:
    """Group jobs that share a stylesheet and PDF options into bounded WeasyPrint passes."""
    groups: dict[tuple[str, bool, bool, str], list[Rendered]] = defaultdict(list)
    for r in rendered:
        groups[(r.css, r.job.tagged, r.job.forms, r.job.output if r.job.alone else "")].append(r)
    out = []
    for (css, tagged, forms, _), members in groups.items():
        for start in range(0, len(members), BATCH_RECORDS):
            chunk = members[start:start + BATCH_RECORDS]
            out.append(([r.job for r in chunk],
                        Batch(tuple(r.page for r in chunk), css, project.root, tagged, forms)))
    return out


def build(root: Path, options: Options | None = None) -> BuildReport:
    """Build a project; raises BuildError (and writes nothing) if anything is wrong."""
    options = options or Options()
    started = time.perf_counter()
    project, problems = load(root)
    steps = make_plan(project, options.only, problems)
    rendered = render(project, steps, problems)
    texts = render_files(project, steps, problems)
    problems.raise_if_errors()

    results: dict[str, Typeset] = {}
    for jobs, batch in batches(project, rendered):
        for job, result in zip(jobs, typeset(batch), strict=True):
            results[job.output] = result
            for message in result.warnings:
                problems.warn(f"{job.output}: {message}")
            for message in result.errors:
                problems.error(f"{job.output}{' for ' + job.subject if job.subject else ''}: "
                               f"{message}")
    problems.raise_if_errors()

    files = []
    for step in steps:
        if isinstance(step, TemplateFile):
            data = texts[step.output]
            files.append(OutputFile(step.output, data, _entry(step, data, 0)))
            continue
        if isinstance(step, Job):
            if not step.publish:
                continue
            data, pages = results[step.output].pdf, results[step.output].pages
        else:
            data, pages = join_pdfs([results[p].pdf for p in step.parts], step.duplex)
        files.append(OutputFile(step.output, data, _entry(step, data, pages)))
    out_dir = options.output or project.root / "output"
    replaces = {s.document for s in steps} if options.only else None
    commit(out_dir, files, replaces)
    return BuildReport(files, problems.warnings, time.perf_counter() - started)


def _entry(step: Step, data: bytes, pages: int) -> dict[str, object]:
    return {
        "kind": step.kind, "document": step.document, "language": step.lang,
        "paper": step.paper, "pages": pages, "sha256": sha256(data),
        "sources": list(step.sources),
    }


def check(root: Path) -> tuple[Project, list[Problem]]:
    """Validate everything a build would, without typesetting; raises BuildError on errors."""
    project, problems = load(root)
    steps = make_plan(project, (), problems)
    render(project, steps, problems)
    render_files(project, steps, problems)
    problems.raise_if_errors()
    return project, problems.warnings
