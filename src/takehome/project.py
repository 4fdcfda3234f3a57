"""A project on disk: settings, roster and content documents, loaded and validated together."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import fonts, i18n
from .calendar_data import load_calendar
from .errors import ContentError, Problems
from .kinds import Kind, all_kinds
from .load import Loaded, load_yaml
from .models.base import Model, walk_texts
from .models.settings import Settings
from .roster import Roster, Student, read_roster
from .schoolyear import Calendar
from .validate import validate

SETTINGS_FILE = "settings.yaml"


@dataclass
class Document:
    """One content file of a kind, validated."""

    name: str  # its path under content/ without suffix: "intake", "newsletters/2026-12"
    kind: Kind
    path: Path
    model: Any
    loaded: Loaded


@dataclass
class Project:
    root: Path
    settings: Settings
    roster: Roster
    documents: list[Document] = field(default_factory=list)
    family_languages: dict[int, str] = field(default_factory=dict)  # student number -> language
    calendar: Calendar | None = None  # content/calendar.yaml and content/calendar/*.ics

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def default_language(self) -> str:
        return self.settings.language

    @property
    def editions(self) -> list[str]:
        """Languages of the generic (not personalised) documents."""
        if self.settings.languages:
            return list(dict.fromkeys([self.default_language, *self.settings.languages]))
        return list(dict.fromkeys([self.default_language, *sorted(
            set(self.family_languages.values()))]))

    def family_language(self, student: Student) -> str:
        return self.family_languages.get(student.number, self.default_language)

    def context(self, lang: str, **extra: Any) -> dict[str, Any]:
        """What every template sees, plus a kind's own variables."""
        return {
            "settings": self.settings, "school": self.settings.school,
            "teacher": self.settings.teacher, "year": self.settings.year,
            "lang": lang, "default_lang": self.default_language,
            "dir": "rtl" if i18n.is_rtl(lang) else "ltr", "paper": self.settings.paper,
            **extra,
        }

    def relative(self, path: Path) -> str:
        return path.resolve().relative_to(self.root.resolve()).as_posix()


def find_root(start: Path) -> Path:
    """The project folder: `start` or the nearest parent holding content/settings.yaml."""
    start = start.resolve()
    for candidate in (start, *start.parents):
        if (candidate / "content" / SETTINGS_FILE).is_file():
            return candidate
    raise ContentError(f"no project here: {start} has no content/{SETTINGS_FILE} "
                       "(start one with `takehome new DIR`)")


def _load(path: Path, model: type[Model], problems: Problems,
          root: Path) -> tuple[Any, Loaded | None]:
    try:
        loaded = load_yaml(path)
    except ContentError as exc:
        problems.add(exc.problem)
        return None, None
    return validate(model, loaded, problems, {"root": root}), loaded


def load_project(root: Path, problems: Problems) -> Project | None:
    """Load and validate everything; every problem found is recorded in `problems`."""
    content = root / "content"
    settings, _ = _load(content / SETTINGS_FILE, Settings, problems, root)
    if settings is None:
        return None
    if settings.theme.font not in fonts.installed():
        problems.error(f"font {settings.theme.font!r} is not installed; installed fonts: "
                       f"{', '.join(fonts.installed())}", content / SETTINGS_FILE)
    roster_path = root / settings.roster.file
    try:
        roster = read_roster(roster_path, settings.roster.columns, problems)
    except ContentError as exc:
        problems.add(exc.problem)
        roster = Roster(roster_path)
    project = Project(root, settings, roster, calendar=load_calendar(root, settings, problems))
    _assign_languages(project, problems)
    for kind in all_kinds():
        if kind.documents is not None:
            project.documents += kind.documents(project)
            continue
        for path in sorted(content.glob(kind.pattern)):
            model, loaded = _load(path, kind.model, problems, root)
            if model is not None and loaded is not None:
                name = path.relative_to(content).with_suffix("").as_posix()
                project.documents.append(Document(name, kind, path, model, loaded))
    for document in project.documents:
        if document.kind.cross_check is not None:
            document.kind.cross_check(project, document, problems)
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


def check_translations(document: Document, languages: set[str], default: str,
                       problems: Problems, value: Any = None, loc: tuple[str | int, ...] = (),
                       what: str = "") -> None:
    """Warn, once per text, where teacher-written text lacks a language it is printed in.

    `value` and `loc`: check only this part of the document (found at `loc`); `what` names it
    in the message (e.g. 'section "Dates to remember"').
    """
    part = document.model if value is None else value
    for where, text in walk_texts(part, loc):
        missing = sorted(lang for lang in languages if lang != default and not text.has(lang))
        if missing:
            line, col = document.loaded.marks.locate(where)
            names = ", ".join(i18n.language_name(m, "en") for m in missing)
            problems.warn(f"{what + ': ' if what else ''}no {names} translation; the "
                          f"{i18n.language_name(default, 'en')} text is printed instead",
                          document.path, line, col)
