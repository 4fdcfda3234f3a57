"""Dates in the document's language: days, ranges of days and repeated dates, through Babel.

Each date is one unbreakable word (typography.glued_date): a line never ends between a day and
its month; a list of dates breaks between its dates."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from babel.dates import format_interval, format_skeleton, get_day_names
from babel.lists import format_list

from . import i18n
from .i18n import N_
from .typography import glued_date


class DateRun(Protocol):
    """Days to print as one entry (a calendar's KeyDate): a run, repeats, or every week."""

    @property
    def start(self) -> dt.date: ...

    @property
    def end(self) -> dt.date: ...

    @property
    def repeats(self) -> bool: ...

    @property
    def spans(self) -> tuple[tuple[dt.date, dt.date], ...]: ...

    @property
    def weekly(self) -> bool: ...

    @property
    def skipped(self) -> tuple[dt.date, ...]: ...


def format_span(start: dt.date, end: dt.date, lang: str, skeleton: str = "MMMEd") -> str:
    """One day or a range of days, the way `lang` writes them ("Mon, Dec 21 – Fri, Jan 1")."""
    if start == end:
        return glued_date(format_skeleton(skeleton, start, locale=lang))
    return glued_date(format_interval(start, end, skeleton, locale=lang))


def format_key_date(key: DateRun, lang: str, skeleton: str = "MMMEd") -> str:
    """A key date's days in words: a range, a list of days, or "Every Wednesday, Sep 2 – Jun 9"."""
    gettext = i18n.translations(lang).gettext
    short = skeleton.replace("E", "") or "MMMd"
    if key.weekly:
        weekday = get_day_names("wide", "format", locale=lang)[key.start.weekday()]
        text = gettext(N_("Every %(weekday)s, %(range)s")) % {
            "weekday": weekday, "range": format_span(key.start, key.end, lang, short)}
        if key.skipped:
            dates = format_list([format_span(d, d, lang, short) for d in key.skipped], locale=lang)
            text += " " + gettext(N_("(except %(dates)s)")) % {"dates": dates}
        return text
    if not key.repeats:
        return format_span(key.start, key.end, lang, skeleton)
    return format_list([format_span(a, b, lang, short) for a, b in key.spans], locale=lang)
