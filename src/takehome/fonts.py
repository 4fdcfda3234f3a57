"""Fonts come from pinned Python packages, never from the machine, so every build is the same."""

from __future__ import annotations

import hashlib
import html
import os
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

import fontpkg
from fontTools.ttLib import TTFont

from . import files, i18n
from .errors import ContentError

# After the theme's font: families that cover what it lacks, static files first (a variable
# font gets a wrong text layer from the renderer: Vietnamese "đọc cho" in Noto Sans copies out
# of the PDF as "địc ch", Arabic "الغرفة" in Noto Sans Arabic as "الفرفة"). Fira Sans:
# Vietnamese, Cyrillic and Greek; IBM Plex Sans Arabic: Arabic script; the Noto families for
# the rarer letters.
FALLBACKS = ("Fira Sans", "IBM Plex Sans Arabic", "Noto Sans Arabic", "Noto Sans")


def installed() -> list[str]:
    """Names of the font families installed as packages."""
    return sorted(f.name for f in fontpkg.families().values())


def stack(primary: str) -> tuple[str, ...]:
    """The families tried in order for each character."""
    return (primary, *(f for f in FALLBACKS if f != primary))


@cache
def _cmap(name: str) -> frozenset[int]:
    """The characters a family has."""
    points: set[int] = set()
    for f in fontpkg.family(name).files:
        with TTFont(f.path, lazy=True) as font:
            # Glyph ids as names: the real names are not needed, and decoding them from the
            # `post` table took most of the time.
            font.setGlyphOrder([f"g{i}" for i in range(font["maxp"].numGlyphs)])
            points.update(font.getBestCmap() or {})
    return frozenset(points)


@cache
def language_family(lang: str, primary: str) -> str | None:
    """The family a language's documents are set in when the theme's font has only some of its
    letters (Vietnamese: Latin letters, but not "ị"): one that has them all, so a page does not
    change font from word to word. None: the theme's font has them all, or none of them (a
    script of its own, whose words fall back whole)."""
    catalog = i18n.translations(lang)
    texts = getattr(catalog, "_catalog", {}).values()
    # Its own letters: the catalogs also hold Latin words (PDF, offset_x) in every script.
    letters = {ord(c) for t in texts for c in unicodedata.normalize("NFC", str(t))
               if unicodedata.category(c).startswith("L") and not c.isascii()}
    have = letters & _cmap(primary)
    if not letters or have == letters or not have:
        return None
    return next((name for name in stack(primary)[1:] if letters <= _cmap(name)), None)


def document_stack(lang: str, primary: str) -> tuple[str, ...]:
    """The families tried in order for each character of a document in `lang`."""
    first = language_family(lang, primary)
    families = stack(primary)
    return families if first is None else (first, *(f for f in families if f != first))


@cache
def face_css(primary: str) -> str:
    """@font-face rules for the whole stack, pointing at the package files."""
    rules = []
    for name in stack(primary):
        family = fontpkg.family(name)
        for f in family.files:
            # WeasyPrint takes no weight ranges in @font-face: a variable file serves both weights.
            for weight in ((400, 700) if f.variable else (f.weight or 400,)):
                rules.append(
                    f"@font-face {{ font-family: '{family.name}'; src: url('{f.path.as_uri()}');"
                    f" font-weight: {weight}; font-style: {f.style}; }}"
                )
    families = ", ".join(f"'{name}'" for name in stack(primary))
    rules.append(f":root {{ --font-stack: {families}; }}")
    for lang in i18n.catalog_languages():
        if language_family(lang, primary):
            families = ", ".join(f"'{name}'" for name in document_stack(lang, primary))
            rules.append(f'[lang|="{i18n.tag(lang)}"] {{ font-family: {families}; }}')
    return "\n".join(rules)


@cache
def struts(primary: str) -> tuple[str, str]:
    """For the first two fallback families, a letter each has that the families before it
    lack, as a CSS string. Set invisibly in a line, each in a box of its own, they make the line
    as tall as a line in any script of the stack: the fallbacks have taller lines."""
    covered: set[int] = set()
    chars = []
    for name in stack(primary):
        points = _cmap(name)
        own = [p for p in sorted(points - covered) if unicodedata.category(chr(p)).startswith("L")]
        if covered and own:
            chars.append(f'"\\{own[0]:x}"')
        covered |= points
    before, after = (chars + ['""', '""'])[:2]
    return before, after


def directories() -> list[Path]:
    """Folders the renderer may read font files from."""
    dirs = {f.path.parent.resolve() for fam in fontpkg.families().values() for f in fam.files}
    return sorted(dirs)


@cache
def _coverage(primary: str) -> frozenset[int]:
    return frozenset().union(*(_cmap(name) for name in stack(primary)))


def missing_characters(text: str, primary: str) -> list[str]:
    """Characters of `text` that no font of the stack can draw (spaces and controls aside)."""
    covered = _coverage(primary)
    missing = []
    for char in dict.fromkeys(text):
        if ord(char) in covered or unicodedata.category(char)[0] in ("Z", "C", "M"):
            continue
        missing.append(char)
    return missing


_TAG = re.compile(r"(<[^>]*>)")
_RAW = re.compile(r"<(style|script|title|textarea)\b", re.IGNORECASE)  # no words to set
_WORD = re.compile(r"\S+")


def _drawn_by(char: str, families: tuple[str, ...]) -> str | None:
    """The family the renderer takes a character from: the first of the stack that has it."""
    return next((name for name in families if ord(char) in _cmap(name)), None)


def _family_for_word(word: str, families: tuple[str, ...]) -> str | None:
    """For a word whose letters would come from several families, one that has them all (or
    the most of them); None for a word set in one family anyway."""
    # Letters, marks and digits: punctuation beside a word ("José،") may come from anywhere.
    # A letter no family has prints as a box whatever the font (and is reported).
    chars = [c for c in unicodedata.normalize("NFC", html.unescape(word))
             if unicodedata.category(c)[0] in ("L", "M", "N") and _drawn_by(c, families)]
    if len({_drawn_by(c, families) for c in chars}) <= 1:
        return None
    return max(families, key=lambda name: (sum(ord(c) in _cmap(name) for c in chars),
                                           -families.index(name)))


def drawn_by(char: str, families: tuple[str, ...]) -> str | None:
    """The family of `families` that draws `char` (the first that has it)."""
    return _drawn_by(char, families)


def word_family(word: str, families: tuple[str, ...]) -> str | None:
    """The family a word is set in whole (whole_words), or None: each letter in its own."""
    return _family_for_word(word, families)


def _whole(text: str, families: tuple[str, ...]) -> str:
    """Text (escaped HTML) with each run of words that would be set in several families
    wrapped in a span set in one family that has all their letters. A run takes in the
    capitalised words beside it (the rest of a name: "Nguyễn Thị Lan" in one font)."""
    words = list(_WORD.finditer(text))
    chosen = [_family_for_word(w.group(), families) for w in words]
    for i, family in enumerate(list(chosen)):
        if family is None:
            continue
        for step in (-1, 1):
            j = i + step
            while 0 <= j < len(words) and chosen[j] is None and _name_part(words[j].group(),
                                                                           family):
                chosen[j] = family
                j += step
    out, last, i = [], 0, 0
    while i < len(words):
        family, j = chosen[i], i
        while j + 1 < len(words) and family is not None and chosen[j + 1] == family:
            j += 1
        if family is not None:
            out.append(f'{text[last:words[i].start()]}<span style="font-family: &quot;'
                       f'{family}&quot;">{text[words[i].start():words[j].end()]}</span>')
            last = words[j].end()
        i = j + 1
    out.append(text[last:])
    return "".join(out)


def _name_part(word: str, family: str) -> bool:
    """A capitalised word the family has every letter of (part of the same name)."""
    plain = unicodedata.normalize("NFC", html.unescape(word))
    letters = [c for c in plain if c.isalpha()]
    return bool(letters) and letters[0].isupper() and all(ord(c) in _cmap(family)
                                                          for c in plain)


@lru_cache(maxsize=2048)  # a shared base for every copy, a family's words on each of its copies
def whole_words(markup: str, lang: str, primary: str) -> str:
    """HTML in which no word is set in two fonts: a word with a letter the document's font
    lacks (Vietnamese "Thị" in an English page) is set whole in a font that has them all,
    so that it looks whole and a PDF reader extracts it whole."""
    families = document_stack(lang, primary)
    if all(ord(c) in _cmap(families[0]) for c in set(markup) if c.isprintable()
           and not c.isspace()):
        return markup  # every character is in the first family: nothing to do
    parts = _TAG.split(markup)
    raw = None  # inside <style>, <script>, ...: not words to set
    for i in range(0, len(parts), 2):
        if i:
            tag = parts[i - 1]
            if raw is None and (opened := _RAW.match(tag)):
                raw = opened.group(1).lower()
            elif raw is not None and tag.lower().startswith(f"</{raw}"):
                raw = None
        if raw is None and parts[i]:
            parts[i] = _whole(parts[i], families)
    return "".join(parts)


def credits() -> list[dict[str, str]]:
    """Name, version, licence and copyright of each installed font, for credits pages."""
    return [
        {"name": f.name, "version": f.version, "license": f.license,
         "copyright": _copyright(f.files[0].path) if f.files else ""}
        for f in sorted(fontpkg.families().values(), key=lambda f: f.name)
    ]


@cache
def _copyright(path: Path) -> str:
    """The copyright notice the font file carries (its name table, entry 0)."""
    with TTFont(path, lazy=True) as font:
        return (font["name"].getDebugName(0) or "").strip()


DEFAULT_EPOCH = 1577836800  # 2020-01-01
LAST_EPOCH = 4102444799  # 2099-12-31


def source_date_epoch() -> int:
    """The date stamped into PDFs and zips: SOURCE_DATE_EPOCH (the reproducible-builds
    convention), else 2020-01-01; anything but a whole number of seconds is an error."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return DEFAULT_EPOCH
    if not value.isdigit() or int(value) > LAST_EPOCH:
        raise ContentError(f"SOURCE_DATE_EPOCH is {value[:40]!r}: it must be a whole number of "
                           "seconds since 1970-01-01 before 2100, or not set")
    return int(value)


def prepare_environment() -> None:
    """Same input, same bytes: make fontconfig see only the font packages, never the machine's
    own fonts, and fix the date fontTools stamps on instanced variable fonts.

    Called before WeasyPrint loads fontconfig: a character our fonts lack then prints as an
    empty box (and is reported) on every machine alike, instead of borrowing a system font.
    """
    os.environ["SOURCE_DATE_EPOCH"] = str(source_date_epoch())
    # The temporary folder is shared with every user of the machine: the cache folder and the
    # configuration file are used only when they are this user's own (see files.py).
    user = os.getuid() if hasattr(os, "getuid") else 0
    cache = files.private_folder(f"takehome-fontconfig-{user}")
    dirs = "".join(f"<dir>{escape(str(d))}</dir>" for d in directories())
    conf = (f'<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>{dirs}'
            f"<cachedir>{escape(str(cache))}</cachedir></fontconfig>")
    digest = hashlib.sha256(conf.encode()).hexdigest()[:12]
    path = files.private_file(f"takehome-fonts-{user}-{digest}.conf", conf)
    os.environ["FONTCONFIG_FILE"] = str(path)
