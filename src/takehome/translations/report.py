"""What an edition prints in another language: one grouped warning per edition of a document,
naming each text and where it came from, and the list `takehome translations export` writes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .. import i18n
from ..models.base import Text, walk_texts
from .files import Wanted

if TYPE_CHECKING:
    from ..errors import Problems
    from ..kinds.calendar.schoolyear import Event
    from ..project import Document, Project

Sourced = tuple[Text, str]  # a text and where it came from ("content/intake.yaml:12")


def document_texts(project: Project, doc: Document, value: Any = None,
                   loc: tuple[str | int, ...] = ()) -> list[Sourced]:
    """Every Text of `doc`'s model (or of `value`, found at `loc` in it), with its line."""
    part = doc.model if value is None else value
    found = []
    name = project.relative(doc.path)
    # A key a product replaced (generic.py) was written in the product's file: named there.
    replaced = project.generic.origins.get(doc.name, {}) if project.generic else {}
    for where, text in walk_texts(part, loc):
        if where and where[0] in replaced:
            found.append((text, replaced[str(where[0])]))
            continue
        line, _ = doc.loaded.marks.locate(where)
        found.append((text, f"{name}:{line}" if line else name))
    return found


def settings_texts(project: Project, *names: str) -> list[Sourced]:
    """The teacher's texts in the settings (`hours`, `about`, `hopes`, ...)."""
    teacher = project.settings.teacher
    found = []
    for name in names:
        text = getattr(teacher, name, None)
        if isinstance(text, Text):
            found.append((text, f"content/settings.yaml (teacher: {name})"))
    interpreter = getattr(project.settings, "interpreter", None)
    if "interpreter" in names and isinstance(interpreter, Text):
        found.append((interpreter, "content/settings.yaml (interpreter)"))
    return found


def event_texts(events: Iterable[Event]) -> list[Sourced]:
    """Calendar events' titles and locations, and their categories' labels."""
    found: list[Sourced] = []
    for event in events:
        found.append((event.title, event.source))
        if event.location is not None:
            found.append((event.location, event.source))
    return found


def key_date_texts(project: Project, key_dates: Iterable[Any]) -> list[Sourced]:
    """The titles and locations of the calendar events behind key dates, with their sources."""
    calendar = project.calendar
    if calendar is None:
        return []
    return event_texts(e for k in key_dates for e in calendar.between(k.start, k.end)
                       if e.title == k.title)


def check(project: Project, problems: Problems, doc: Document,
          by_language: dict[str, list[Sourced]]) -> None:
    """One warning per edition of `doc` that prints texts in another language, naming each
    text and where it came from; the texts are kept for `takehome translations export`."""
    default = project.default_language
    for lang, texts in sorted(by_language.items()):
        if i18n.base_language(lang) == i18n.base_language(default):
            continue  # British wording reads the English text
        missing: dict[str, list[str]] = {}
        for text, origin in texts:
            source = text.source(default)
            if source is None or text.has(lang) or not source.strip():
                continue
            origins = missing.setdefault(source, [])
            if origin not in origins:
                origins.append(origin)
        for source, origins in missing.items():
            project.untranslated.setdefault((lang, source), [])
            known = project.untranslated[(lang, source)]
            known += [o for o in origins if o not in known]
        if missing:
            listed = "; ".join(f"{_short(source)!r} ({_places(origins)})"
                               for source, origins in missing.items())
            count = len(missing)
            problems.warn(
                f"the {i18n.language_name(lang, 'en')} edition of {doc.name} prints {count} "
                f"text{'s' if count != 1 else ''} in {i18n.language_name(default, 'en')}: "
                f"{listed} (translate them in content/translations.yaml, or with `takehome "
                f"translations export`{_in_place(project, missing, lang)})", doc.path)


def same_texts(languages: Iterable[str], texts: list[Sourced]) -> dict[str, list[Sourced]]:
    """The same texts for every language."""
    return {lang: texts for lang in languages}


def wanted(project: Project, languages: Iterable[str] = ()) -> list[Wanted]:
    """What the checks found untranslated, for `languages` (default: all), in the order found."""
    only = set(languages)
    return [Wanted(source, lang, tuple(origins))
            for (lang, source), origins in project.untranslated.items()
            if not only or lang in only]


def _in_place(project: Project, missing: dict[str, list[str]], lang: str) -> str:
    """The other way for a product's own text: its translation beside it, in its file."""
    written = ({o for keys in project.generic.origins.values() for o in keys.values()}
               if project.generic else set())
    if not any(o in written for origins in missing.values() for o in origins):
        return ""
    return f"; or, for a product's text, give it an `{lang}:` version where it is written"


def _places(origins: list[str]) -> str:
    more = len(origins) - 1
    return origins[0] + (f" and {more} more place{'s' if more > 1 else ''}" if more else "")


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
