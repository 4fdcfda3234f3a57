"""Dates and times in the document's language: days, ranges of days, repeated dates and times of
day, through Babel, in one style per document (the school's 12- or 24-hour clock).

Each date is one unbreakable word (typography.glued_date): a line never ends between a day and
its month; a list of dates breaks between its dates."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache, lru_cache
from typing import Protocol

from babel.dates import format_interval, format_skeleton, get_day_names
from babel.lists import format_list

from . import i18n
from .i18n import N_
from .typography import DIGIT, glued_date


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


def tidy(text: str) -> str:
    """Babel's output with spaces every font of the stack has: a no-break space keeps "6:30"
    with its "PM" (CLDR's narrow no-break space is missing from many fonts, and would be set
    in another font than its words); a thin space around a range's dash becomes a space."""
    return text.replace("\u202f", "\u00a0").replace("\u2009", " ")


def format_span(start: dt.date, end: dt.date, lang: str, skeleton: str = "MMMEd") -> str:
    """One day or a range of days, the way `lang` writes them ("Mon, Dec 21 – Fri, Jan 1")."""
    if start == end:
        return glued_date(format_skeleton(skeleton, start, locale=lang))
    return glued_date(format_interval(start, end, skeleton, locale=lang))


@cache
def clock(lang: str, style: str | None) -> str:
    """The clock a document in `lang` shows: "12h" or "24h". `style` is the school's choice
    (None: the language's own custom); a language with no words of its own for a.m. and p.m.
    (CLDR gives it the English "AM"/"PM") keeps its 24-hour clock."""
    own = "24h" if "H" in _short_pattern(lang) else "12h"
    if style is None or style == own:
        return own
    if style == "12h" and re.search(r"[AP]M", format_skeleton("hm", dt.time(18), locale=lang)) \
            and not lang.startswith("en"):
        return "24h"
    return style


@cache
def _short_pattern(lang: str) -> str:
    from babel.dates import get_time_format

    return str(get_time_format("short", locale=lang).pattern)


def _unbreakable(text: str) -> str:
    """A time never split from its am/pm at the end of a line."""
    return re.sub(r"(?<=\d) (?=[^\d\s–-])", "\u00a0", tidy(text))


@lru_cache(maxsize=4096)  # a calendar's month pages print a few times thousands of times
def format_clock(value: dt.time, lang: str, style: str | None = None) -> str:
    """A time of day in the document's clock: "6:30 PM", "6:30 p. m.", "18:30"."""
    skeleton = "hm" if clock(lang, style) == "12h" else "Hm"
    return _unbreakable(format_skeleton(skeleton, value, locale=lang))


def format_clock_range(start: dt.time, end: dt.time, lang: str, style: str | None = None) -> str:
    """Two times of one day as a range: "3:15 – 4:30 PM", "15:15–16:30"."""
    skeleton = "hm" if clock(lang, style) == "12h" else "Hm"
    day = dt.date(2000, 1, 1)
    return _unbreakable(format_interval(dt.datetime.combine(day, start),
                                        dt.datetime.combine(day, end), skeleton, locale=lang))


# A time written by hand in content: "6:30 pm", "6:00 p. m.", "6 PM", "18:30", and a range
# whose first time borrows the second's am/pm ("3:15–4:30 pm", "9am-12pm").
_AM_PM = r"(?:\s?(?P<{}>[ap])(?:\.\s?m\.|\s?m\b))?"  # "pm", "p.m.", "p. m."
_HAND_TIME = re.compile(
    r"(?<![\d:.,/])(?P<ah>\d{1,2})(?::(?P<am>[0-5]\d))?" + _AM_PM.format("ap")
    + r"(?:\s?[–-]\s?(?P<bh>\d{1,2})(?::(?P<bm>[0-5]\d))?" + _AM_PM.format("bp") + ")?"
    r"(?![\d:])", re.IGNORECASE)
_SENTENCE_END = re.compile(r"\s*(?:$|\n|\s[A-ZÀ-Ý¿¡])")


def _hour(hour: int, meridiem: str | None) -> int | None:
    if meridiem is None:
        return hour if 13 <= hour <= 23 else None  # "3:15" alone could be anything
    if not 1 <= hour <= 12:
        return None
    return hour % 12 + (12 if meridiem.lower() == "p" else 0)


@lru_cache(maxsize=4096)  # the same teacher-written sentences on every family's pages
def normalise_times(text: str, lang: str, style: str | None = None) -> str:
    """Times written by hand in `text` in the document's one style: with am/pm, or in 24-hour
    form, they are written again by `format_clock`; bare numbers ("3:15", a score) are kept."""
    if not DIGIT.search(text):
        return text

    def again(match: re.Match[str]) -> str:
        ah, am, ap = match["ah"], match["am"], match["ap"]
        bh, bm, bp = match["bh"], match["bm"], match["bp"]
        if bh is None:
            if am is None and ap is None:
                return match.group()
            hour = _hour(int(ah), ap)
            return match.group() if hour is None else format_clock(
                dt.time(hour, int(am or 0)), lang, style)
        if (am is None and ap is None) and (bm is None and bp is None):
            return match.group()  # "2-3": a range of numbers
        end = _hour(int(bh), bp)
        start = _hour(int(ah), ap or bp)
        if start is not None and end is not None and start > end and ap is None and bp:
            start = _hour(int(ah), "a" if bp.lower() == "p" else "p")
        if start is None or end is None:
            return match.group()
        if start == end or (am is None and ap is None and int(ah) > 12):
            return match.group()
        return format_clock_range(dt.time(start, int(am or 0)), dt.time(end, int(bm or 0)),
                                  lang, style)

    def replace(match: re.Match[str]) -> str:
        written = again(match)
        # "... at 6 p.m." ends a sentence: its full stop was the abbreviation's.
        if (written != match.group() and match.group().endswith(".")
                and not written.endswith(".") and _SENTENCE_END.match(text, match.end())):
            written += "."
        if written.endswith(".") and text.startswith(".", match.end()):
            written = written[:-1]  # "p. m." before the text's own full stop
        return written

    return _HAND_TIME.sub(replace, text)


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
    return tidy(format_list([format_span(a, b, lang, short) for a, b in key.spans], locale=lang))
