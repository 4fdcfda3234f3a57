"""Jinja2: the sandboxed environment and filters that turn templates into HTML.

Autoescape everywhere, StrictUndefined, bounded time and size: content is data, never code.
"""

from __future__ import annotations

import datetime as dt
import signal
import sys
import threading
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2
import segno
from babel.dates import format_date, format_skeleton, format_time
from jinja2 import pass_context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from .. import i18n
from ..dates import DateRun, format_key_date, format_span
from ..errors import Problem
from ..models.base import Text
from ..richtext import markdown, short_url
from ..typography import glued_date, keep_together

BUILTIN_TEMPLATES = Path(__file__).parents[1] / "templates"
if not BUILTIN_TEMPLATES.is_dir():  # a source checkout: the wheel puts them beside this file
    BUILTIN_TEMPLATES = Path(__file__).resolve().parents[3] / "templates"


@pass_context
def _tr(ctx: jinja2.runtime.Context, value: Text | str | None) -> str:
    """Print teacher-written Text in the document's language."""
    if value is None:
        return ""
    if isinstance(value, Text):
        return keep_together(value.get(ctx["lang"], ctx["default_lang"]))
    return keep_together(str(value))


@pass_context
def _date(ctx: jinja2.runtime.Context, value: dt.date | None, format: str = "long",
          skeleton: str | None = None) -> str:
    """A date written the way the document's language writes it (Babel).

    `skeleton` ("yMMMM", "MMMEd") names the fields wanted and lets the language order them.
    """
    if value is None:
        return ""
    if skeleton:
        return glued_date(format_skeleton(skeleton, value, locale=ctx["lang"]))
    return glued_date(format_date(value, format=format, locale=ctx["lang"]))


def _isolate(value: object) -> Markup:
    """Text set apart in its own direction (from its first letter), so that a phone number,
    address or name keeps its order inside a paragraph running the other way."""
    text = str(value)
    direction = "ltr"
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("L", "R", "AL"):
            direction = "ltr" if kind == "L" else "rtl"
            break
    return Markup('<span dir="{}">{}</span>').format(direction, text)


def _markdown(value: str, web: bool = False) -> Markup:
    """Teacher-written Markdown as HTML; on paper each link's address is printed after it."""
    return markdown(value, print_links=not web)


@pass_context
def _daterange(ctx: jinja2.runtime.Context, value: dt.date | DateRun, end: dt.date | None = None,
               skeleton: str = "MMMEd") -> str:
    """A day, a range of days or a key date in the document's language ("Mon, Dec 21 – Fri, Jan 1").

    `skeleton` is a CLDR date skeleton: "MMMEd" (default), "MMMd", "yMMMEd", "MMMMd", ...
    """
    if not isinstance(value, dt.date):
        return format_key_date(value, ctx["lang"], skeleton)
    return format_span(value, end or value, ctx["lang"], skeleton)


@pass_context
def _time(ctx: jinja2.runtime.Context, value: dt.time | None) -> str:
    """A time of day in the document's language ("6:30 PM", "18:30")."""
    return "" if value is None else format_time(value, format="short", locale=ctx["lang"])


def _glued(gettext: Any) -> Any:
    """A built-in string, translated and filled in, with no line break between a number and
    its unit ("50 mm", "14+ days")."""
    @pass_context
    def glued(ctx: jinja2.runtime.Context, *args: Any, **kwargs: Any) -> str:
        text = str(ctx.call(gettext, *args, **kwargs))
        return Markup(keep_together(text)) if ctx.eval_ctx.autoescape else keep_together(text)

    return glued


def _qr(data: str, size_mm: float = 25.0) -> Markup:
    """A vector QR code as inline SVG, sized in millimetres."""
    qr = segno.make(data, error="m")
    svg = qr.svg_inline(scale=1, border=0, dark="#000", omitsize=True)
    return Markup(f'<span class="qr" style="width:{size_mm}mm;height:{size_mm}mm">{svg}</span>')


RENDER_SECONDS = 20.0  # one template render; a template that loops for ever is stopped
MAX_HTML_CHARS = 5_000_000  # one record's HTML


class _TemplateTimeout(Exception):
    pass


class _Environment(ImmutableSandboxedEnvironment):
    """Templates may come from other people (shared products): no access to Python internals,
    bounded ranges, and a deadline checked on every call a template makes."""

    deadline = float("inf")

    def call(self, __context, __obj, *args, **kwargs):  # type: ignore[no-untyped-def]
        if time.monotonic() > self.deadline:
            raise _TemplateTimeout
        return super().call(__context, __obj, *args, **kwargs)


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Interrupt a runaway template in the main thread (loops that call nothing)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(_signum: int, _frame: object) -> None:
        raise _TemplateTimeout

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class TemplateProblem(Exception):
    """A template failed to render; carries a Problem naming the template and line."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class Renderer:
    """One Jinja environment per language, sharing loaders; project templates override built-ins."""

    def __init__(self, project_templates: Path | None = None) -> None:
        self.search = [p for p in (project_templates, BUILTIN_TEMPLATES) if p and p.is_dir()]
        self._envs: dict[str, _Environment] = {}
        self._failed: dict[str, TemplateProblem] = {}  # a broken template is reported once

    @cached_property
    def loader(self) -> jinja2.BaseLoader:
        return jinja2.FileSystemLoader([str(p) for p in self.search])

    def env(self, lang: str) -> _Environment:
        if lang not in self._envs:
            env = _Environment(
                loader=self.loader,
                # Stylesheets only take validated values (colours, installed font names), and HTML
                # escaping would corrupt their quotes; everything else is escaped.
                autoescape=lambda name: not (name or "").endswith(".css"),
                undefined=jinja2.StrictUndefined,
                extensions=["jinja2.ext.i18n"],
                trim_blocks=True,
                lstrip_blocks=True,
            )
            env.install_gettext_translations(i18n.translations(lang), newstyle=True)  # type: ignore[attr-defined]
            for name in ("gettext", "_", "ngettext"):
                env.globals[name] = _glued(env.globals[name])
            env.filters.update(tr=_tr, date=_date, qr=_qr, daterange=_daterange, time=_time,
                               markdown=_markdown, isolate=_isolate, short_url=short_url)
            self._envs[lang] = env
        return self._envs[lang]

    def render(self, name: str, context: dict[str, Any]) -> str:
        """Render template `name` with `context`; `context['lang']` picks the language."""
        if name in self._failed:
            raise self._failed[name]
        try:
            return self._render(name, context)
        except TemplateProblem as exc:
            self._failed[name] = exc
            raise

    def _render(self, name: str, context: dict[str, Any]) -> str:
        env = self.env(context["lang"])
        try:
            template = env.get_template(name)
            env.deadline = time.monotonic() + RENDER_SECONDS
            parts, size = [], 0
            with _alarm(RENDER_SECONDS + 1):
                for part in template.generate(context):
                    parts.append(part)
                    size += len(part)
                    if size > MAX_HTML_CHARS:
                        raise TemplateProblem(Problem(
                            f"template {name!r} produced more than {MAX_HTML_CHARS:,} characters",
                            self._path(name)))
                    if time.monotonic() > env.deadline:
                        raise _TemplateTimeout
            return "".join(parts)
        except TemplateProblem:
            raise
        except _TemplateTimeout:
            path, line = self._template_frame(sys.exc_info()[1])
            raise TemplateProblem(Problem(
                f"template {name!r} ran for more than {RENDER_SECONDS:.0f} s (an endless loop?)",
                path or self._path(name), line)) from None
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateProblem(Problem(f"template error: {exc.message}",
                                          Path(exc.filename or exc.name or name),
                                          exc.lineno)) from None
        except jinja2.TemplateNotFound as exc:
            raise TemplateProblem(Problem(f"template {exc.name!r} not found")) from None
        except Exception as exc:  # an error raised while a template runs
            path, line = self._template_frame(exc)
            raise TemplateProblem(Problem(f"template error: {exc}", path, line)) from None

    def _path(self, name: str) -> Path | None:
        for root in self.search:
            if (root / name).is_file():
                return root / name
        return None

    def _template_frame(self, exc: BaseException | None) -> tuple[Path | None, int | None]:
        """The innermost template file and line in a traceback (Jinja rewrites frames)."""
        found: tuple[Path | None, int | None] = (None, None)
        tb = exc.__traceback__ if exc is not None else None
        roots = [str(p) for p in self.search]
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if any(filename.startswith(r) for r in roots):
                found = (Path(filename), tb.tb_lineno)
            tb = tb.tb_next
        return found
