"""Jinja2: the sandboxed environment and filters that turn templates into HTML.

Autoescape everywhere, StrictUndefined, bounded time and size: content is data, never code.
"""

from __future__ import annotations

import datetime as dt
import re
import signal
import sys
import threading
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import jinja2
import segno
from babel.dates import format_date, format_skeleton
from babel.lists import format_list
from babel.numbers import format_decimal
from jinja2 import pass_context
from markupsafe import Markup

from .. import BUILTIN_TEMPLATES, files, i18n
from ..dates import (
    DateRun,
    format_clock,
    format_clock_range,
    format_key_date,
    format_span,
    normalise_times,
    tidy,
)
from ..errors import Problem
from ..generic import Blank, printed
from ..models.base import Text
from ..richtext import markdown, short_url
from ..typography import breakable_address, glued_date, keep_together
from .compiled import SignedBytecode
from .sandbox import BoundedEnvironment, ContainedLoader, TemplateTimeout


def _time_style(ctx: jinja2.runtime.Context) -> str | None:
    settings = ctx.get("settings")
    return getattr(settings, "time_style", None)


@pass_context
def _tr(ctx: jinja2.runtime.Context, value: Text | str | Blank | None) -> Any:
    """Print teacher-written Text in the document's language, its times in the document's
    style ("6:00 pm" and "18:30" both as "6:00 PM" in a school that writes 12-hour times)."""
    if value is None:
        return ""
    if isinstance(value, Blank):
        return value  # a generic page's line to write on, printed as such
    if isinstance(value, Text):
        lang = value.language_of(ctx["lang"], ctx["default_lang"])
        text = keep_together(normalise_times(value.get(ctx["lang"], ctx["default_lang"]), lang,
                                             _time_style(ctx)))
    else:
        text = keep_together(str(value))
    return _isolate_runs(text) if i18n.is_rtl(ctx["lang"]) else text


# A phone number, e-mail address or web address inside right-to-left words: without its own
# direction "(555) 010-4400" prints as "010-4400 (555)".
_LEFT_TO_RIGHT_RUN = re.compile(
    r"https?://[^\s<>\u2066-\u2069]+[^\s<>.,;:!?)\u2066-\u2069]"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|\+?\(?\d[\d\u00a0 ().-]{5,}\d")


def _isolate_runs(text: str) -> str:
    """Right-to-left text with each phone number, e-mail and web address in it set apart as
    left-to-right by Unicode isolates (LRI ... PDI): plain text, good in attributes and fields."""
    return _LEFT_TO_RIGHT_RUN.sub(lambda m: f"\u2066{m[0]}\u2069", text)


@pass_context
def _text(ctx: jinja2.runtime.Context, value: Text | str | Blank | None) -> Any:
    """Teacher-written or imported text for a page's body, as `tr` prints it; set apart in its
    own language and direction when it runs the other way from the edition (English words in an
    Arabic edition keep their order, and their full stop at their end)."""
    if isinstance(value, Blank):
        return value  # a generic page's line to write on, printed as such
    text = str(_tr(ctx, value))
    if value is None or not text:
        return text
    # Its letters say which way it runs (a title imported from a district's .ics is in the
    # default language only by assumption); its language is named when that agrees.
    direction = _strong_direction(text)
    if direction is None or direction == _direction(ctx["lang"]):
        return text
    lang = value.language_of(ctx["lang"], ctx["default_lang"]) if isinstance(value, Text) else ""
    if not lang or _direction(lang) != direction:
        return Markup('<span dir="{}">{}</span>').format(direction, text)
    return Markup('<span lang="{}" dir="{}">{}</span>').format(i18n.tag(lang), direction, text)


@pass_context
def _date(ctx: jinja2.runtime.Context, value: dt.date | Blank | None, format: str = "long",
          skeleton: str | None = None) -> Any:
    """A date written the way the document's language writes it (Babel).

    `skeleton` ("yMMMM", "MMMEd") names the fields wanted and lets the language order them.
    """
    if value is None:
        return ""
    if isinstance(value, Blank):
        return value
    if skeleton:
        return glued_date(format_skeleton(skeleton, value, locale=ctx["lang"]))
    return glued_date(format_date(value, format=format, locale=ctx["lang"]))


def _strong_direction(text: str) -> str | None:
    """The direction of a text's first letter with one ("ltr", "rtl"), or None (digits only)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("L", "R", "AL"):
            return "ltr" if kind == "L" else "rtl"
    return None


def _isolate(value: object) -> Any:
    """Text set apart in its own direction (from its first letter), so that a phone number,
    address or name keeps its order inside a paragraph running the other way."""
    if isinstance(value, Blank):
        return value  # a generic page's line to write on, printed as such
    text = str(value)
    return Markup('<span dir="{}">{}</span>').format(_strong_direction(text) or "ltr", text)


def _address(value: object) -> Any:
    """An e-mail or web address that wraps only where a reader expects it to."""
    if isinstance(value, Blank):
        return value  # a generic page's line to write on
    return breakable_address(str(value))


def _bidi(value: object) -> Any:
    """Plain text set apart in its own direction by Unicode isolates (FSI ... PDI): a name or
    phone number inside a family's field (data-field), which holds text and no tags."""
    if isinstance(value, Blank):
        return value
    text = str(value)
    return f"\u2068{text}\u2069" if text else text


def _direction(lang: str) -> str:
    """The direction a language is written in, for a `dir` attribute."""
    return "rtl" if i18n.is_rtl(lang) else "ltr"


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
def _time(ctx: jinja2.runtime.Context, value: dt.time | None, end: dt.time | None = None) -> str:
    """A time of day, or a range of times (`end`), in the document's language and the school's
    clock ("6:30 PM", "6:30 p. m.", "18:30")."""
    if value is None:
        return ""
    if end is not None:
        return format_clock_range(value, end, ctx["lang"], _time_style(ctx))
    return format_clock(value, ctx["lang"], _time_style(ctx))


@pass_context
def _number(ctx: jinja2.runtime.Context, value: float, digits: int = 0) -> str:
    """A number the way the document's language writes it ("1,234.5", "1 234,5")."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return tidy(format_decimal(value, format=pattern, locale=ctx["lang"]))


@pass_context
def _listing(ctx: jinja2.runtime.Context, values: list[Any], style: str = "standard") -> str:
    """Items joined the way the document's language joins them ("A, B and C", "A, B y C")."""
    return format_list([str(v) for v in values], style=style,  # type: ignore[arg-type]
                       locale=ctx["lang"])


def _glued(gettext: Any) -> Any:
    """A built-in string, translated and filled in, with no line break between a number and
    its unit ("50 mm", "14+ days")."""
    @pass_context
    def glued(ctx: jinja2.runtime.Context, *args: Any, **kwargs: Any) -> str:
        text = str(ctx.call(gettext, *args, **kwargs))
        return Markup(keep_together(text)) if ctx.eval_ctx.autoescape else keep_together(text)

    return glued


@lru_cache(maxsize=64)  # the same school web address on every family's sheet
def _qr(data: str, size_mm: float = 25.0) -> Markup:
    """A vector QR code as inline SVG, sized in millimetres."""
    try:
        qr = segno.make(data, error="m")
    except segno.DataOverflowError:
        raise ValueError(f"{len(data):,} characters are too many for a QR code") from None
    svg = qr.svg_inline(scale=1, border=0, dark="#000", omitsize=True)
    return Markup(f'<span class="qr" style="width:{size_mm}mm;height:{size_mm}mm">{svg}</span>')


RENDER_SECONDS = 20.0  # one template render; a template that loops for ever is stopped
MAX_HTML_CHARS = 5_000_000  # one record's HTML


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Interrupt a runaway template in the main thread (loops that call nothing)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(_signum: int, _frame: object) -> None:
        raise TemplateTimeout

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


@lru_cache(maxsize=32)
def _environment(search: tuple[Path, ...], lang: str, compiled: Path | None
                 ) -> BoundedEnvironment:
    """The Jinja environment for templates found in `search`, in `lang`: one per process, so
    that a build in a process that built before (--watch, serve) compiles only the templates
    changed since (each is checked against its file when used). `compiled`: the folder of the
    project's cache where compiled templates are kept for builds in other processes."""
    translations = i18n.translations(lang)
    env = BoundedEnvironment(
        # A generic page's blanks print as lines captioned in the page's language.
        finalize=partial(printed, gettext=translations.gettext),
        loader=ContainedLoader(list(search)),
        bytecode_cache=SignedBytecode(compiled) if compiled is not None else None,
        # Stylesheets only take validated values (colours, installed font names), and HTML
        # escaping would corrupt their quotes; everything else is escaped.
        autoescape=lambda name: not (name or "").endswith(".css"),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    for name in ("gettext", "_", "ngettext"):
        env.globals[name] = _glued(env.globals[name])
    env.filters.update(tr=_tr, date=_date, qr=_qr, daterange=_daterange, time=_time,
                       number=_number, listing=_listing, markdown=_markdown,
                       isolate=_isolate, address=_address, short_url=short_url,
                       langtag=i18n.tag, direction=_direction, text=_text, bidi=_bidi)
    return env


class Renderer:
    """One Jinja environment per language, sharing loaders; project templates override built-ins."""

    def __init__(self, project_templates: Path | None = None, compiled: Path | None = None
                 ) -> None:
        self.search = [p for p in (project_templates, BUILTIN_TEMPLATES) if p and p.is_dir()]
        self.compiled = compiled  # where compiled templates are kept (compiled.py)
        self._envs: dict[str, BoundedEnvironment] = {}
        self._failed: dict[str, TemplateProblem] = {}  # a broken template is reported once
        self._refused: Problem | None = None
        if project_templates is not None and project_templates.is_dir() and not \
                project_templates.resolve().is_relative_to(project_templates.parent.resolve()):
            # The folder itself leads out of the project: nothing in it is read.
            self._refused = Problem(f"the templates folder is a link to "
                                    f"{project_templates.resolve()}, outside the project",
                                    project_templates)

    @property
    def refused(self) -> Problem | None:
        """Why no template can be read (the templates folder leads out of the project)."""
        return self._refused

    def env(self, lang: str) -> BoundedEnvironment:
        if lang not in self._envs:
            self._envs[lang] = _environment(tuple(self.search), lang, self.compiled)
        return self._envs[lang]

    def render(self, name: str, context: dict[str, Any]) -> str:
        """Render template `name` with `context`; `context['lang']` picks the language."""
        if self._refused is not None:
            raise TemplateProblem(self._refused)
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
            # Compiling runs template code too (constant folding): under the same deadline.
            env.deadline = time.monotonic() + RENDER_SECONDS
            parts, size = [], 0
            with _alarm(RENDER_SECONDS + 1):
                template = env.get_template(name)
                for part in template.generate(context):
                    parts.append(part)
                    size += len(part)
                    if size > MAX_HTML_CHARS:
                        raise TemplateProblem(Problem(
                            f"template {name!r} produced more than {MAX_HTML_CHARS:,} characters",
                            self._path(name)))
                    if time.monotonic() > env.deadline:
                        raise TemplateTimeout
            return "".join(parts)
        except TemplateProblem:
            raise
        except files.Refused as exc:
            raise TemplateProblem(exc.problem) from None
        except TemplateTimeout:
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
        finally:  # the environment lives on in this process: no deadline left behind
            env.deadline = float("inf")

    def template_path(self, name: str) -> Path | None:
        """The file template `name` is read from (the project's, else the built-in one)."""
        return self._path(name)

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
