"""Stage: load and validate. content/ -> a Project: settings, roster, and every kind's documents
as typed models, with every problem found recorded at its file:line:col."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .. import fonts, i18n, translations
from ..derived import Derived
from ..errors import ContentError, Problem, Problems
from ..files import SETTINGS_FILE, find_root
from ..kinds.registry import KINDS
from ..models.settings import Settings
from ..project import Project
from ..roster import Editions, Roster, assign, read_roster
from ..validate import load_model
from .digest import code_key

if TYPE_CHECKING:
    from .incremental import Cache

DERIVED = "derived.json"  # in the cache: values slow to derive from content (derived.py)


def load(start: Path, problems: Problems, cache: Cache | None = None) -> Project:
    """Load and validate the project at (or above) `start`; raises BuildError with every error
    found, so that nothing is built from content that would print wrong. With a `cache`, what
    the last build derived from content that had not changed is reused (and this one's kept)."""
    kept = cache.read_signed(cache.root / DERIVED) if cache is not None else None
    derived = Derived(code_key(), kept or {})
    project = load_project(find_root(start), problems, derived)
    problems.raise_if_errors()
    assert project is not None
    if cache is not None and derived.learnt():
        cache.write_signed(cache.root / DERIVED, derived.used)
    return project


def load_project(root: Path, problems: Problems, derived: Derived | None = None
                 ) -> Project | None:
    """Load and validate everything; every problem found is recorded in `problems`."""
    content = root / "content"
    settings, _ = load_model(content / SETTINGS_FILE, Settings, problems, root)
    if settings is None:
        return None
    if settings.theme.font not in fonts.installed():
        problems.error(f"font {settings.theme.font!r} is not installed; installed fonts: "
                       f"{', '.join(fonts.installed())}", content / SETTINGS_FILE)
    roster = load_roster(root, settings, problems)
    project = Project(root, settings, roster)
    if derived is not None:
        project.derived = derived
    editions = assign(roster, project.default_language)
    project.family_languages = editions.chosen
    _warn_languages(roster, editions, problems)
    for kind in KINDS:
        project.documents += kind.load(project, problems)
    translations.translate_project(project, translations.load_glossary(root, problems))
    return project


def load_settings_and_roster(start: Path) -> tuple[Roster, Editions, list[Problem]]:
    """The settings and roster alone (for `takehome roster`); raises BuildError with their
    errors, if any."""
    problems = Problems()
    root = find_root(start)
    settings, _ = load_model(root / "content" / SETTINGS_FILE, Settings, problems, root)
    problems.raise_if_errors()
    assert settings is not None
    roster = load_roster(root, settings, problems)
    problems.raise_if_errors()
    editions = assign(roster, settings.language)
    _warn_languages(roster, editions, problems)
    return roster, editions, problems.warnings


def load_roster(root: Path, settings: Settings, problems: Problems) -> Roster:
    """The roster that settings point at (an empty one, with the error recorded, if it cannot
    be read at all)."""
    path = root / settings.roster.file
    try:
        columns = {str(field): header for field, header in settings.roster.columns.items()}
        return read_roster(path, columns, problems, choose=settings.roster.class_,
                           sheet=settings.roster.sheet)
    except ContentError as exc:
        problems.add(exc.problem)
        return Roster(path)


def _warn_languages(roster: Roster, editions: Editions, problems: Problems) -> None:
    """One warning per language value takehome does not know, and per language it has no
    translation for, naming the students (who get the default language)."""
    fallback = i18n.language_name(editions.default, "en")
    path = roster.rows_path
    for value, students in editions.unknown.items():
        names = ", ".join(f"{s.name} (line {s.line})" for s in students)
        problems.warn(f"{students[0].language_field or 'language'} {value!r} is not a language "
                      f"takehome recognises; {len(students)} student(s) get {fallback} copies: "
                      f"{names}", path, students[0].line)
    for lang, students in editions.untranslated.items():
        names = ", ".join(s.name for s in students)
        problems.warn(f"no {i18n.language_name(lang, 'en')} translation of the built-in text yet; "
                      f"{len(students)} student(s) get {fallback} copies: {names}", path)
