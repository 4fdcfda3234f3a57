"""Stage: load and validate. content/ -> a Project: settings, roster, and every kind's documents
as typed models, with every problem found recorded at its file:line:col."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from .. import fonts, i18n
from ..errors import ContentError, Problems
from ..kinds.registry import KINDS
from ..models.settings import Settings
from ..project import SETTINGS_FILE, Project, find_root
from ..roster import Roster, Student, read_roster
from ..validate import load_model


def load(start: Path, problems: Problems) -> Project:
    """Load and validate the project at (or above) `start`; raises BuildError with every error
    found, so that nothing is built from content that would print wrong."""
    project = load_project(find_root(start), problems)
    problems.raise_if_errors()
    assert project is not None
    return project


def load_project(root: Path, problems: Problems) -> Project | None:
    """Load and validate everything; every problem found is recorded in `problems`."""
    content = root / "content"
    settings, _ = load_model(content / SETTINGS_FILE, Settings, problems, root)
    if settings is None:
        return None
    if settings.theme.font not in fonts.installed():
        problems.error(f"font {settings.theme.font!r} is not installed; installed fonts: "
                       f"{', '.join(fonts.installed())}", content / SETTINGS_FILE)
    roster_path = root / settings.roster.file
    try:
        columns = {str(field): header for field, header in settings.roster.columns.items()}
        roster = read_roster(roster_path, columns, problems, root)
    except ContentError as exc:
        problems.add(exc.problem)
        roster = Roster(roster_path)
    project = Project(root, settings, roster)
    _assign_languages(project, problems)
    for kind in KINDS:
        project.documents += kind.load(project, problems)
    return project


def _assign_languages(project: Project, problems: Problems) -> None:
    """Each family's language: the roster's, when takehome has its built-in strings."""
    available = set(i18n.catalog_languages())
    default = project.default_language
    unknown: list[Student] = []
    untranslated: dict[str, list[Student]] = defaultdict(list)
    for student in project.roster.students:
        if student.language_given and student.language is None:
            unknown.append(student)
        elif student.language and student.language not in available:
            untranslated[student.language].append(student)
        else:
            project.family_languages[student.number] = student.language or default
    fallback = i18n.language_name(default, "en")
    path = project.roster.path
    for student in unknown:
        problems.warn(f"home language {student.language_given!r} of {student.name} is not "
                      f"recognised; using {fallback}", path, student.line)
    for lang, students in sorted(untranslated.items()):
        names = ", ".join(s.name for s in students)
        problems.warn(f"no {i18n.language_name(lang, 'en')} translation of the built-in text yet; "
                      f"{len(students)} student(s) get {fallback} copies: {names}", path)
