"""Catalogs: every built-in string translated, in US English by default; languages recognised
however rosters write them; every catalog's text drawn by the font stack."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from takehome import fonts, i18n
from takehome.i18n import catalog_languages, parse_language, translations

from .conftest import REPO, render_project

CATALOGS = sorted(i18n.LOCALE_DIR.glob("*/LC_MESSAGES/takehome.po"))


def builtin_strings() -> set[str]:
    method_map = [("src/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"trim_blocks": "true", "lstrip_blocks": "true"}}
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(REPO), method_map, options, keywords):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("po", CATALOGS, ids=[p.parts[-3] for p in CATALOGS])
def test_catalogs_are_complete(po: Path) -> None:
    """Every built-in string has a translation that is not marked fuzzy, in every plural form,
    with the same placeholders as the English."""
    messages = builtin_strings()
    assert "Getting to know your child" in messages and len(messages) > 200
    with po.open("rb") as fh:
        catalog = read_po(fh)
    entries = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
    missing = sorted(messages - set(entries))
    assert not missing, f"not in {po}: {missing[:5]} (update the catalogs: see babel.cfg)"
    fuzzy = sorted(i for i in messages if "fuzzy" in entries[i].flags)
    assert not fuzzy, f"fuzzy in {po}: {fuzzy[:5]}"
    empty = sorted(i for i in messages if not all(
        entries[i].string if isinstance(entries[i].string, tuple) else (entries[i].string,)))
    assert not empty, f"untranslated in {po}: {empty[:5]}"
    problems = [(m.id, str(e)) for m, errors in catalog.check() for e in errors]
    assert not problems, problems[:5]


def test_the_languages_of_us_schools_have_catalogs() -> None:
    assert {"en", "en_GB", "es", "ar", "vi", "pt_BR", "ht", "fr", "ru"} <= set(catalog_languages())


def test_built_in_english_is_us_english_with_british_wording_in_en_gb() -> None:
    british = re.compile(r"\b(colour|centre|maths|tick|favourite|grey|neighbour|dialogue|"
                         r"practise|organis\w*|licence|programme)\b", re.IGNORECASE)
    found = sorted(m for m in builtin_strings() if british.search(m))
    assert not found, found
    assert "Check all that apply." in builtin_strings()
    gb = translations("en_GB").gettext
    assert gb("Check all that apply.") == "Tick all that apply."
    assert "maths" in gb("Count, measure and compare while you cook or shop: everyday math sticks.")
    assert gb("Email") == "Email"  # the same where British and US English agree


def test_spanish_reads_as_a_school_would_write_it() -> None:
    es = translations("es").gettext
    assert es("Proud of you!") != "¡Orgullo de ti!"
    assert es("Dear family of %(name)s,") == "Estimada familia de %(name)s:"
    assert "Conferencias" not in es("Conferences")  # a false friend


@pytest.mark.parametrize("po", CATALOGS, ids=[p.parts[-3] for p in CATALOGS])
def test_every_catalog_is_drawn_by_the_font_stack(po: Path) -> None:
    with po.open("rb") as fh:
        catalog = read_po(fh)
    text = "".join(s for m in catalog for s in (
        m.string if isinstance(m.string, tuple) else (m.string,)) if s)
    assert fonts.missing_characters(unicodedata.normalize("NFC", text),
                                    "Atkinson Hyperlegible") == []


@pytest.mark.parametrize("given, code", [
    ("es", "es"), ("Spanish", "es"), ("Español", "es"), (" SPANISH ", "es"), ("es-MX", "es"),
    ("Vietnamese", "vi"), ("Tiếng Việt", "vi"), ("Arabic", "ar"), ("العربية", "ar"),
    ("pt", "pt_BR"), ("pt-BR", "pt_BR"), ("pt-PT", "pt_BR"), ("Portuguese", "pt_BR"),
    ("Português", "pt_BR"), ("Portuguese (Brazil)", "pt_BR"),
    ("ht", "ht"), ("Haitian Creole", "ht"), ("Kreyòl ayisyen", "ht"), ("Haitian", "ht"),
    ("zh", "zh_Hans"), ("zh-Hans", "zh_Hans"), ("zh-CN", "zh_Hans"), ("Mandarin", "zh_Hans"),
    ("Chinese (Simplified)", "zh_Hans"), ("zh-TW", "zh_Hant"), ("Chinese (Traditional)", "zh_Hant"),
    ("en", "en"), ("en-US", "en"), ("en-GB", "en_GB"), ("British English", "en_GB"),
    ("French", "fr"), ("Français", "fr"), ("Russian", "ru"), ("Русский", "ru"),
    ("Gibberish", None), ("", None),
])
def test_language_names(given: str, code: str | None) -> None:
    assert parse_language(given) == code


def test_language_tags_for_html_and_pdf() -> None:
    assert i18n.tag("pt_BR") == "pt-BR" and i18n.tag("zh_Hans") == "zh-Hans"


def test_families_get_their_catalog_and_others_one_warning(project: Path) -> None:
    """A Brazilian, a Haitian and a Russian family get their language; a family whose
    language has no catalog gets English, with one warning naming them."""
    roster = project / "content" / "roster.csv"
    lines = roster.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",Spanish", ",pt-BR")
    lines[2] = lines[2].replace(",English", ",Kreyòl ayisyen")
    lines[3] = lines[3].replace(",Vietnamese", ",Русский")
    lines[4] = lines[4].replace(",Español", ",Somali")
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    built, problems, _ = render_project(project, ("intake",))
    by_name = {s.name.split()[-1]: built.family_language(s) for s in built.roster.students}
    assert by_name["López"] == "pt_BR"
    assert by_name["Okafor"] == "ht"
    assert by_name["Nguyễn"] == "ru"
    assert by_name["Ramírez"] == "en"
    somali = [str(w) for w in problems.warnings if "Somali" in str(w)]
    assert len(somali) == 1 and "Ramírez" in somali[0]


def test_a_british_school_prints_british_wording(project: Path) -> None:
    settings = project / "content" / "settings.yaml"
    text = settings.read_text(encoding="utf-8").replace("language: en ", "language: en-GB ")
    settings.write_text(text, encoding="utf-8")
    built, _, pages = render_project(project, ("intake",))
    assert built.default_language == "en_GB"
    english = [r for r in pages.rendered if r.job.output == "intake/blank.en_GB.pdf"]
    assert english and "Tick all that apply." in english[0].record.markup
    # English-speaking families read the school's own wording, not a second edition.
    assert "en" not in built.editions
