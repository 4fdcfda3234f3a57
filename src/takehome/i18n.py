"""Languages: gettext catalogs for built-in strings, and what a roster calls a language.

A language is named by a Babel locale identifier: "es", "ar", "ht", and, where one language is
printed in two ways, the way takehome has a catalog for: "en_GB" (British wording), "pt_BR",
"zh_Hans" and "zh_Hant". `tag` turns one into a BCP 47 tag for HTML and PDF ("pt-BR").
"""

from __future__ import annotations

import gettext
import io
import pickle
import unicodedata
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError, localedata
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "takehome"
SOURCE_LANGUAGE = "en"  # the language the templates are written in
RTL_SCRIPTS = {"Arab", "Hebr", "Thaa", "Syrc", "Nkoo", "Adlm", "Rohg"}
# Languages printed in one of several ways: a roster's "Portuguese" or "pt-PT" gets the Brazilian
# catalog (the Portuguese of most US families), British-spelling countries the British wording.
_ENGLISH_GB = {"GB", "IE", "AU", "NZ"}
_CHINESE_TRADITIONAL = {"TW", "HK", "MO"}
# Names rosters use that are not a language's name in CLDR.
_ALIASES = {"mandarin": "zh_Hans", "haitian": "ht", "kreyol": "ht", "kreyolayisyen": "ht",
            "creolehaitian": "ht", "haitiancreole": "ht", "farsi": "fa", "brazilian": "pt_BR",
            "chinesesimplified": "zh_Hans", "chinesetraditional": "zh_Hant"}


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a string for extraction into the catalogs; it is translated when rendered."""
    return message


def catalog_text(message: str) -> dict[str, str]:
    """A built-in string in every language that has a catalog, to seed a Text default."""
    return {lang: translations(lang).gettext(message) for lang in catalog_languages()}


@cache
def catalog_languages() -> list[str]:
    """Languages whose built-in strings are translated (the source language included)."""
    catalogs = LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")
    return sorted({SOURCE_LANGUAGE} | {p.parts[-3] for p in catalogs})


def base_language(lang: str) -> str:
    """The language without its region or script: "pt_BR" -> "pt"."""
    return lang.split("_")[0]


def tag(lang: str) -> str:
    """A BCP 47 language tag for HTML `lang` and a PDF's /Lang: "pt_BR" -> "pt-BR"."""
    return lang.replace("_", "-")


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog for `lang`, read from its .po file (no compiled files in git)."""
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if c.isalnum())


@cache
def _english_names() -> dict[str, str]:
    """Language names in English and codes (one locale to load) -> code."""
    names: dict[str, str] = {}
    for code, name in Locale("en").languages.items():
        # "Brazilian Portuguese", "Simplified Chinese", "British English" name a way of writing.
        if "_" not in code or code in ("pt_BR", "zh_Hans", "zh_Hant", "en_GB"):
            names.setdefault(_fold(name), code)
            names.setdefault(_fold(code), code)
    return names


@cache
def _native_names() -> dict[str, str]:
    """Each language's name in itself ("español", "Tiếng Việt") -> code; loads every locale."""
    names: dict[str, str] = {}
    for code in localedata.locale_identifiers():
        if "_" in code:
            continue
        # The locale's own data file only: merging each locale with its parents costs ten
        # times more, and localedata.load(merge_inherited=False) would poison Babel's cache.
        with open(localedata.resolve_locale_filename(code), "rb") as fh:
            native = pickle.load(fh).get("languages", {}).get(code)  # noqa: S301 - Babel's data
        if native:
            names.setdefault(_fold(native), code)
    return names


def _edition(language: str, script: str | None = None, territory: str | None = None) -> str:
    """The language takehome prints for a locale: its language, or the way of writing it that
    takehome knows ("en_GB" for British English, "pt_BR" for any Portuguese, "zh_Hans")."""
    if language == "en":
        return "en_GB" if territory in _ENGLISH_GB else "en"
    if language == "pt":
        return "pt_BR"
    if language == "zh":
        traditional = script == "Hant" or (script is None and territory in _CHINESE_TRADITIONAL)
        return "zh_Hant" if traditional else "zh_Hans"
    return language


@cache  # asked for every page and every family
def _from_code(code: str) -> str:
    locale = Locale.parse(code)
    return _edition(str(locale.language), locale.script, locale.territory)


def edition(code: str) -> str:
    """The language takehome prints for a language code ("zh" -> "zh_Hans", "pt" -> "pt_BR");
    a code Babel has no data for ("tlh"), as it is."""
    try:
        return _from_code(code)
    except (UnknownLocaleError, ValueError, TypeError):
        return code


def parse_language(value: str) -> str | None:
    """A language code from a code or a name in English or in the language itself."""
    value = value.strip()
    if not value:
        return None
    try:
        return _from_code(value.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        pass
    folded = _fold(value)
    found = (_ALIASES.get(folded) or _english_names().get(folded)
             or _native_names().get(folded))
    if found is None and "(" in value:  # "Chinese (Simplified)", "Portuguese (Brazil)"
        found = _ALIASES.get(_fold(value.replace("(", " ").replace(")", " ")))
        found = found or parse_language(value.split("(")[0])
    return edition(found) if found else None


@cache
def is_rtl(lang: str) -> bool:
    """Whether text in `lang` runs right to left."""
    try:
        return Locale.parse(lang).character_order == "right-to-left"
    except (UnknownLocaleError, ValueError):
        return False


@cache
def language_name(lang: str, in_lang: str) -> str:
    """The name of `lang` written in `in_lang` (e.g. "español" or "Spanish")."""
    try:
        return Locale.parse(lang).get_display_name(in_lang) or lang
    except (UnknownLocaleError, ValueError):
        return lang
