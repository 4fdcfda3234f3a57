"""Stage: render. Every job's template -> HTML (and its stylesheets -> CSS), keyed for the cache;
every file that is not typeset -> its bytes."""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass, field

from .. import fonts, inksaver
from ..errors import Problems
from ..project import Project
from .digest import key_of
from .incremental import assets, engine_fingerprint
from .jinja import Renderer, TemplateProblem
from .plan import File, Job, Plan
from .records import Record, Rendered, split_fields


@dataclass
class Pages:
    """What the render stage gives: the jobs' pages, the other files' bytes, and the project
    files the pages show (reference -> sha256), for the build record."""

    rendered: list[Rendered] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    shown: dict[str, str] = field(default_factory=dict)


_TAG = re.compile(r"<[^>]*>")


def render(project: Project, plan: Plan, problems: Problems, ink_saver: bool = False) -> Pages:
    """Render every job and file of `plan`; template errors go to `problems`."""
    renderer = Renderer(project.templates)
    pages = Pages(files=_files(renderer, plan, problems))
    stylesheets: dict[tuple[tuple[str, ...], str], str] = {}
    engine = engine_fingerprint()
    bases: dict[str, str] = {}
    grey = ("greyscale",) if ink_saver else ()  # images are drawn in grey
    font = project.settings.theme.font
    reported: set[tuple[str, str]] = set()
    for job in plan.jobs:
        try:
            key = (job.stylesheets, job.paper or "")
            if key not in stylesheets:
                stylesheets[key] = _stylesheet(renderer, project, job, ink_saver)
            body = renderer.render(job.template, job.context)
        except TemplateProblem as exc:
            problems.add(exc.problem)
            continue
        css = stylesheets[key]
        if ink_saver:  # colours given inline (a calendar's day marks) in grey too
            body = inksaver.grey_styles(body)
        _warn_missing_characters(job, body, font, reported, problems)
        record = Record(body, job.lang, job.title, job.max_pages)
        refs = assets(project.root, body + css, pages.shown)
        cache_key = key_of(engine, css, body, job.lang, job.title, str(job.max_pages),
                           str(job.tagged), str(job.forms), str(job.alone), *refs, *grey)
        if not (job.tagged or job.forms):  # PDF structure is not stamped
            # A personalised copy is kept as a base shared with the other copies and its
            # words, so a roster of thousands holds each page's HTML once.
            base, words = split_fields(body)
            if words:
                record = Record("", job.lang, job.title, job.max_pages,
                                bases.setdefault(base, base), words)
        pages.rendered.append(Rendered(job, record, css, cache_key))
    return pages


def _stylesheet(renderer: Renderer, project: Project, job: Job, ink_saver: bool) -> str:
    """A job's stylesheets, rendered for its paper (and greyed for ink-saver versions)."""
    font = project.settings.theme.font
    context = project.stylesheet_context(job.paper or project.settings.paper,
                                         fonts=fonts.face_css(font), struts=fonts.struts(font))
    names = job.stylesheets + ((inksaver.STYLESHEET,) if ink_saver else ())
    css = "\n".join(renderer.render(name, context) for name in names)
    return inksaver.grey_css(css) if ink_saver else css


def _warn_missing_characters(job: Job, body: str, font: str, reported: set[tuple[str, str]],
                             problems: Problems) -> None:
    """A character no font of the stack has would print as an empty box: say whose it is."""
    text = htmllib.unescape(_TAG.sub(" ", body))
    for char in fonts.missing_characters(text, font):
        if (job.subject, char) not in reported:
            reported.add((job.subject, char))
            who = f" for {job.subject}" if job.subject else ""
            problems.warn(f"{job.output}{who}: no font has the character {char!r} "
                          f"(U+{ord(char):04X}); it will print as an empty box")


def _files(renderer: Renderer, plan: Plan, problems: Problems) -> dict[str, bytes]:
    """Bytes of every file that is not typeset: data as given, templates (web pages) rendered."""
    files = {}
    for step in (s for s in plan.steps if isinstance(s, File)):
        try:
            files[step.output] = step.data or renderer.render(step.template,
                                                               step.context).encode("utf-8")
        except TemplateProblem as exc:
            problems.add(exc.problem)
    return files
