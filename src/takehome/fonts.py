"""Fonts come from pinned Python packages, never from the machine, so every build is the same."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import fontpkg
from fontTools.ttLib import TTFont

from . import files
from .errors import ContentError

# After the theme's font: families that cover what it lacks (Vietnamese, Greek, Cyrillic,
# Devanagari in Noto Sans; Arabic script in Noto Sans Arabic).
FALLBACKS = ("Noto Sans", "Noto Sans Arabic")


def installed() -> list[str]:
    """Names of the font families installed as packages."""
    return sorted(f.name for f in fontpkg.families().values())


def stack(primary: str) -> tuple[str, ...]:
    """The families tried in order for each character."""
    return (primary, *(f for f in FALLBACKS if f != primary))


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
    return "\n".join(rules)


@cache
def struts(primary: str) -> tuple[str, str]:
    """For each fallback family (there are two), a letter it has that the families before it
    lack, as a CSS string. Set invisibly in a line, each in a box of its own, they make the line
    as tall as a line in any script of the stack: the fallbacks have taller lines."""
    covered: set[int] = set()
    chars = []
    for name in stack(primary):
        points: set[int] = set()
        for f in fontpkg.family(name).files:
            with TTFont(f.path, lazy=True) as font:
                points.update(font.getBestCmap() or {})
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
    points: set[int] = set()
    for name in stack(primary):
        for f in fontpkg.family(name).files:
            with TTFont(f.path, lazy=True) as font:
                points.update(font.getBestCmap() or {})
    return frozenset(points)


def missing_characters(text: str, primary: str) -> list[str]:
    """Characters of `text` that no font of the stack can draw (spaces and controls aside)."""
    covered = _coverage(primary)
    missing = []
    for char in dict.fromkeys(text):
        if ord(char) in covered or unicodedata.category(char)[0] in ("Z", "C", "M"):
            continue
        missing.append(char)
    return missing


def versions() -> dict[str, str]:
    """Installed font family versions, part of every cache key."""
    return {f.name: f.version for f in fontpkg.families().values()}


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
