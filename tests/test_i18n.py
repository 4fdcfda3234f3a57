"""Catalogs: every built-in string translated; languages recognised however rosters write them."""

from __future__ import annotations

import pytest
from babel.messages.extract import extract_from_dir

from takehome import i18n
from takehome.i18n import catalog_languages, parse_language, translations

from .conftest import REPO


def builtin_strings() -> set[str]:
    method_map = [("src/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"trim_blocks": "true", "lstrip_blocks": "true"}}
    keywords = {"_": None, "gettext": None, "N_": None}
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(REPO), method_map, options, keywords):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_catalogs_are_complete() -> None:
    messages = builtin_strings()
    assert "Getting to know your child" in messages and len(messages) > 30
    for lang in catalog_languages():
        if lang == i18n.SOURCE_LANGUAGE:
            continue
        catalog = translations(lang)
        untranslated = sorted(m for m in messages if catalog.gettext(m) == m and m != "No")
        assert not untranslated, f"{lang}: {untranslated}"


def test_english_and_spanish_are_available() -> None:
    assert {"en", "es"} <= set(catalog_languages())


@pytest.mark.parametrize("given, code", [
    ("es", "es"), ("Spanish", "es"), ("Español", "es"), (" SPANISH ", "es"), ("es-MX", "es"),
    ("Vietnamese", "vi"), ("Tiếng Việt", "vi"), ("Arabic", "ar"), ("العربية", "ar"),
    ("Chinese (Simplified)", "zh"), ("Gibberish", None), ("", None),
])
def test_language_names(given: str, code: str | None) -> None:
    assert parse_language(given) == code
