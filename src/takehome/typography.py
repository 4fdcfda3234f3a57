"""Words that must not be split at the end of a line: a number and its unit, a time and its
a.m./p.m., a day and its month. Text is glued where it is built (dates here and in dates.py,
teacher-written and imported text by the templates' `tr` filter), with no-break spaces. And
where an address may be split: after its @, before a dot or a slash."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from babel.dates import get_month_names

from . import i18n

NBSP = "\u00a0"

# A number (digits, maybe with : . , + or %) and what it counts or measures: units, times of day,
# spans of time (English and Spanish, and the symbols every language uses).
_UNITS = (r"a\.\s?m\.|p\.\s?m\.|am|pm|mm|cm|km|kg|mg|ml|min|h|hrs?|°[CF]?|%|"
          r"days?|weeks?|months?|hours?|minutes?|years?|"
          r"d[ií]as?|semanas?|meses|mes|horas?|minutos?|años?")
_NUMBER_UNIT = re.compile(rf"(\d[\d:.,]*[+%]?)[ \t]+(?=(?:{_UNITS})(?![\w]))", re.IGNORECASE)
# "p. m." itself: one word.
_SPLIT_MERIDIEM = re.compile(r"\b([ap])\.[ \t]+m\.", re.IGNORECASE)


@cache
def _day_and_month() -> re.Pattern[str]:
    """A day and its month, in the languages takehome writes: "December 17", "5 de enero"."""
    names: set[str] = set()
    for lang in i18n.catalog_languages():
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                names |= {n.rstrip(".") for n in get_month_names(width, context, lang).values()}
    months = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
    return re.compile(rf"\b(?:(\d{{1,2}})[ \t]+(?:(de)[ \t]+)?({months})\b|({months})\.?[ \t]+"
                      rf"(\d{{1,2}})\b(?!:))", re.IGNORECASE)


DIGIT = re.compile(r"\d")  # without one, a text has no number, date or time to glue or rewrite


@lru_cache(maxsize=4096)  # the same sentences, in a few languages, on every family's pages
def keep_together(text: str) -> str:
    """`text` with no-break spaces where a line must not break: "1:15 pm", "50 mm", "14+ days",
    "December 17", "5 de enero"."""
    if not DIGIT.search(text):
        return text
    text = _SPLIT_MERIDIEM.sub(rf"\1.{NBSP}m.", text)
    text = _NUMBER_UNIT.sub(rf"\1{NBSP}", text)
    return _day_and_month().sub(lambda m: re.sub(r"[ \t]+", NBSP, m[0]), text)


# Babel's narrow no-break and thin spaces are missing from many fonts of the stack (a space in
# another font than its words): every space of a date becomes a plain no-break space.
_SPACE = re.compile(r"[ \t\u2000-\u200a\u202f]")
_AFTER_DASH = re.compile(rf"{NBSP}([–—-]){NBSP}")


def glued_date(text: str) -> str:
    """A date written by Babel as one unbreakable word ("Nov 25", "28 de agosto de 2026"); a
    range of dates may still break after its dash ("Mon, Dec 21 – / Fri, Jan 1")."""
    return _AFTER_DASH.sub(rf"{NBSP}\1 ", _SPACE.sub(NBSP, text))


# After an @ or a scheme's //, or before a dot or slash that follows a letter or digit.
_ADDRESS_BREAK = re.compile(r"(?<=@)|(?<=\w://)|(?<=\w)(?=[./])")
ZWSP = "\u200b"  # a break opportunity WeasyPrint honours (it has no <wbr>), and never prints


def breakable_address(address: str) -> str:
    """An e-mail or web address that a line may end in only where a reader expects it to
    ("ms.rivera@" / "maplegrove" / ".example.org"), never inside a name."""
    return _ADDRESS_BREAK.sub(ZWSP, address)
