"""A loaded project: its settings, roster, school calendar and content documents (build/load.py
loads one)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import i18n, inksaver
from .derived import Derived
from .generic import Generic, replaced
from .generic import settings as generic_settings
from .models.settings import Settings
from .paper import PageBox, Paper
from .roster import Roster, Student
from .translations import Glossary, translated
from .yamlfile import Loaded

if TYPE_CHECKING:
    from .kinds.base import Kind
    from .kinds.calendar.schoolyear import Calendar

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
    failed: set[str] = field(default_factory=set)  # documents that did not load (reported)
    # (language, text in the default language) -> where it is printed untranslated
    untranslated: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    generic: Generic | None = None  # built without its school, teacher and dates (generic.py)
    glossary: Glossary | None = None  # content translations (translations/): set when loaded
    derived: Derived = field(default_factory=Derived)  # kept between builds (derived.py)
    # path -> relative(path): every personal copy names its document and the roster as sources
    _relative: dict[Path, str] = field(default_factory=dict, init=False, repr=False,
                                       compare=False)

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
            # A listed language the school writes in its own variant (en in an en_GB school)
            # is the default edition, as for families who read it.
            home = i18n.base_language(self.default_language)
            return list(dict.fromkeys([self.default_language, *(
                self.default_language if i18n.base_language(lang) == home else lang
                for lang in self.settings.languages)]))
        return list(dict.fromkeys([self.default_language, *sorted(
            set(self.family_languages.values()))]))

    def family_language(self, student: Student) -> str:
        return self.family_languages.get(student.number, self.default_language)

    def context(self, lang: str, **extra: Any) -> dict[str, Any]:
        """What every template sees, plus a kind's own variables."""
        return {
            "settings": self.settings, "school": self.settings.school,
            "teacher": self.settings.teacher, "year": self.settings.year,
            "lang": lang, "default_lang": self.default_language, "lang_tag": i18n.tag(lang),
            "dir": "rtl" if i18n.is_rtl(lang) else "ltr", "paper": self.settings.paper,
            **extra,
        }

    def stylesheet_context(self, paper: str, **extra: Any) -> dict[str, Any]:
        """What every stylesheet sees: the theme and the page geometry for `paper`."""
        page = PageBox(paper)  # type: ignore[arg-type]
        return self.context(self.default_language, paper=paper, theme=self.settings.theme,
                            page=page, landscape=PageBox(page.paper, "landscape"), **extra)

    def relative(self, path: Path) -> str:
        """`path` from the project's folder, as steps name their sources."""
        found = self._relative.get(path)
        if found is None:
            found = self._relative[path] = path.resolve().relative_to(
                self.root.resolve()).as_posix()
        return found

    @property
    def roster_source(self) -> tuple[str, ...]:
        """The roster as a source of a step (nothing when the project has none)."""
        path = self.roster.path
        return (self.relative(path),) if path is not None else ()

    def with_overrides(self, paper: Paper | None = None, ink_saver: bool = False,
                       generic: Generic | None = None) -> Project:
        """The project laid out for another paper, in ink-saver greys, or generic (sellers'
        versions): set on the settings, so that every kind plans with them."""
        if generic is not None:
            # A document with keys replaced is validated anew: its texts, the replacements
            # among them, read the glossary's translations as every loaded text did.
            documents = [replace(d, model=translated(self, replaced(
                d.kind.model, d.loaded.data, generic.content[d.name], {"root": self.root})))
                         if d.name in generic.content else d for d in self.documents]
            return replace(self, settings=generic_settings(self.settings, generic),
                           documents=documents, generic=generic).with_overrides(paper, ink_saver)
        update: dict[str, object] = {}
        if paper:
            update["paper"] = paper
        if ink_saver:
            theme = self.settings.theme
            update["theme"] = theme.model_copy(update={"accent": inksaver.grey(theme.accent)})
        if not update:
            return self
        return replace(self, settings=self.settings.model_copy(update=update))


