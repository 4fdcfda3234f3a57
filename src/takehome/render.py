"""Jinja2: templates -> HTML. Autoescape everywhere, StrictUndefined, content is data only."""

from __future__ import annotations

import datetime as dt
import sys
import unicodedata
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2
import segno
from babel.dates import format_date, format_skeleton, format_time
from jinja2 import pass_context
from markupsafe import Markup

from . import i18n
from .errors import Problem
from .models.base import Text
from .richtext import markdown, short_url
from .schoolyear import KeyDate, format_key_date, format_span

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"
if not BUILTIN_TEMPLATES.is_dir():  # a source checkout: the wheel puts them beside this file
    BUILTIN_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pass_context
def _tr(ctx: jinja2.runtime.Context, value: Text | str | None) -> str:
    """Print teacher-written Text in the document's language."""
    if value is None:
        return ""
    if isinstance(value, Text):
        return value.get(ctx["lang"], ctx["default_lang"])
    return str(value)


@pass_context
def _date(ctx: jinja2.runtime.Context, value: dt.date | None, format: str = "long",
          skeleton: str | None = None) -> str:
    """A date written the way the document's language writes it (Babel).

    `skeleton` ("yMMMM", "MMMEd") names the fields wanted and lets the language order them.
    """
    if value is None:
        return ""
    if skeleton:
        return format_skeleton(skeleton, value, locale=ctx["lang"])
    return format_date(value, format=format, locale=ctx["lang"])


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
def _daterange(ctx: jinja2.runtime.Context, value: dt.date | KeyDate, end: dt.date | None = None,
               skeleton: str = "MMMEd") -> str:
    """A day, a range of days or a key date in the document's language ("Mon, Dec 21 – Fri, Jan 1").

    `skeleton` is a CLDR date skeleton: "MMMEd" (default), "MMMd", "yMMMEd", "MMMMd", ...
    """
    if isinstance(value, KeyDate):
        return format_key_date(value, ctx["lang"], skeleton)
    return format_span(value, end or value, ctx["lang"], skeleton)


@pass_context
def _time(ctx: jinja2.runtime.Context, value: dt.time | None) -> str:
    """A time of day in the document's language ("6:30 PM", "18:30")."""
    return "" if value is None else format_time(value, format="short", locale=ctx["lang"])


def _qr(data: str, size_mm: float = 25.0) -> Markup:
    """A vector QR code as inline SVG, sized in millimetres."""
    qr = segno.make(data, error="m")
    svg = qr.svg_inline(scale=1, border=0, dark="#000", omitsize=True)
    return Markup(f'<span class="qr" style="width:{size_mm}mm;height:{size_mm}mm">{svg}</span>')


class TemplateProblem(Exception):
    """A template failed to render; carries a Problem naming the template and line."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class Renderer:
    """One Jinja environment per language, sharing loaders; project templates override built-ins."""

    def __init__(self, project_templates: Path | None = None) -> None:
        self.search = [p for p in (project_templates, BUILTIN_TEMPLATES) if p and p.is_dir()]
        self._envs: dict[str, jinja2.Environment] = {}

    @cached_property
    def loader(self) -> jinja2.BaseLoader:
        return jinja2.FileSystemLoader([str(p) for p in self.search])

    def env(self, lang: str) -> jinja2.Environment:
        if lang not in self._envs:
            env = jinja2.Environment(
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
            env.filters.update(tr=_tr, date=_date, qr=_qr, daterange=_daterange, time=_time,
                               markdown=_markdown, isolate=_isolate, short_url=short_url)
            self._envs[lang] = env
        return self._envs[lang]

    def source(self, name: str) -> str:
        """A template's source text (for cache keys)."""
        source, _, _ = self.loader.get_source(self.env(i18n.SOURCE_LANGUAGE), name)
        return source

    def render(self, name: str, context: dict[str, Any]) -> str:
        """Render template `name` with `context`; `context['lang']` picks the language."""
        try:
            template = self.env(context["lang"]).get_template(name)
            return template.render(context)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateProblem(Problem(f"template error: {exc.message}",
                                          Path(exc.filename or exc.name or name),
                                          exc.lineno)) from None
        except jinja2.TemplateNotFound as exc:
            raise TemplateProblem(Problem(f"template {exc.name!r} not found")) from None
        except Exception as exc:  # an error raised while a template runs
            path, line = self._template_frame(exc)
            raise TemplateProblem(Problem(f"template error: {exc}", path, line)) from None

    def _template_frame(self, exc: BaseException) -> tuple[Path | None, int | None]:
        """The innermost template file and line in a traceback (Jinja rewrites frames)."""
        found: tuple[Path | None, int | None] = (None, None)
        tb = exc.__traceback__ or sys.exc_info()[2]
        roots = [str(p) for p in self.search]
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if any(filename.startswith(r) for r in roots):
                found = (Path(filename), tb.tb_lineno)
            tb = tb.tb_next
        return found
