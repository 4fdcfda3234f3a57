"""Translations of content: a glossary mapping a text in the default language to its translations,
applied to every text a family reads (imported calendar titles and locations included).

The glossary is `content/translations.yaml` (written by hand) and every `.po` or `.csv` file in
`content/translations/` (filled in by a translator from `takehome translations export`, brought
back with `takehome translations import`). A title written in two languages at once, "PTA Meeting
/ Reunión de la PTA", is split and each half printed in its own language's edition.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, RootModel

from .. import i18n
from ..derived import Derived
from ..errors import Problems
from ..models.base import LangCode, Text
from ..validate import load_model

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

    from ..project import Project

GLOSSARY_FILE = "translations.yaml"  # under content/
FOLDER = "translations"  # under content/: filled-in .po and .csv files
SEPARATOR = " / "  # between the languages of a bilingual title
MAX_BILINGUAL_CHARS = 300  # a title, not a paragraph
SURE = 0.6  # how likely each part of a bilingual title must be in the language it is given


def key(text: str) -> str:
    """A source text as the glossary matches it: the same words, however the lines wrap."""
    return " ".join(text.split())


class GlossaryFile(RootModel[dict[str, dict[LangCode, str]]]):
    """content/translations.yaml: each source text, then its translations by language."""


@dataclass
class Glossary:
    """Source text (in the default language) -> translations by language, with where each
    entry was written (for messages)."""

    entries: dict[str, dict[str, str]] = field(default_factory=dict)
    origins: dict[tuple[str, str], str] = field(default_factory=dict)  # (source, lang) -> file

    def add(self, source: str, lang: str, text: str, origin: str, problems: Problems) -> None:
        """One translation; a second, different one for the same text and language warns."""
        source, text = key(source), text.strip()
        if not source or not text:
            return
        have = self.entries.setdefault(source, {})
        if lang in have and have[lang] != key(text):
            problems.warn(f"{origin}: a second {i18n.language_name(lang, 'en')} translation of "
                          f"{source!r}; this one is used (the other is in "
                          f"{self.origins[(source, lang)]})")
        have[lang] = text
        self.origins[(source, lang)] = origin

    def lookup(self, source: str) -> dict[str, str]:
        return self.entries.get(key(source), {})


def load_glossary(root: Path, problems: Problems) -> Glossary:
    """The project's glossary: translations.yaml, then the filled-in files, in name order."""
    from .files import read_filled

    glossary = Glossary()
    content = root / "content"
    path = content / GLOSSARY_FILE
    if path.is_file():
        model, loaded = load_model(path, GlossaryFile, problems, root)
        if model is not None and loaded is not None:
            for source, texts in model.root.items():
                line, _ = loaded.marks.locate((source,), key=True)
                origin = f"content/{GLOSSARY_FILE}:{line}" if line else f"content/{GLOSSARY_FILE}"
                for lang, text in texts.items():
                    glossary.add(source, lang, text, origin, problems)
    folder = content / FOLDER
    if folder.is_dir():
        for file in sorted(folder.iterdir()):
            if file.suffix.lower() in (".po", ".csv") and file.is_file():
                for entry in read_filled(file, problems):
                    origin = f"content/{FOLDER}/{file.name}:{entry.line}"
                    glossary.add(entry.source, entry.lang, entry.text, origin, problems)
    return glossary


@cache
def _identifier() -> tuple[LanguageIdentifier, frozenset[str]]:
    """The language identifier and the languages it knows (loaded when first needed: about a
    second, and only projects with a bilingual title need it)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return identifier, frozenset(identifier.labels)


@cache
def _model_version() -> str:
    return version("py3langid")


def _kept_split(kept: Any) -> dict[str, str] | None:
    found = kept["split"]
    if found is None or isinstance(found, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in found.items()):
        return found
    raise ValueError("not a split")


def _likelihoods(part: str, known: list[str]) -> dict[str, float]:
    """How likely `part` is written in each of the `known` languages (py3langid codes)."""
    identifier, _ = _identifier()
    identifier.set_languages(known)  # choosing among the project's languages only
    return {str(lang): float(p) for lang, p in identifier.rank(part)}


def bilingual(text: str, default: str, languages: list[str]) -> dict[str, str] | None:
    """"PTA Meeting / Reunión de la PTA" -> {"en": ..., "es": ...}: each part in a different
    language of the project, one of them the default; None when the text is not that (the
    likeliest way to give each part its own language is taken)."""
    if SEPARATOR not in text or "\n" in text or len(text) > MAX_BILINGUAL_CHARS:
        return None
    parts = [p.strip() for p in text.split(SEPARATOR)]
    candidates: dict[str, str] = {}  # base language -> the project's language; the default first
    for lang in [default, *languages]:  # (an en_GB school whose families also read "en")
        candidates.setdefault(i18n.base_language(lang), lang)
    _, labels = _identifier()
    known = sorted(c for c in candidates if c in labels)
    home = i18n.base_language(default)
    if home not in known or len(known) < 2 or len(parts) > min(len(known), 4) \
            or not all(parts):
        return None
    odds = [_likelihoods(part, known) for part in parts]
    best, best_score = None, 0.0
    for assignment in itertools.permutations(known, len(parts)):
        if home not in assignment:
            continue
        score = math.prod(o.get(lang, 0.0) for o, lang in zip(odds, assignment, strict=True))
        if score > best_score:
            best, best_score = assignment, score
    # Each other part clearly in its language ("Math / Science Night" is one title, not two).
    if best is None or any(lang != home and (max(o, key=o.__getitem__) != lang or o[lang] < SURE)
                           for o, lang in zip(odds, best, strict=True)):
        return None
    return {candidates[lang]: part for lang, part in zip(best, parts, strict=True)}


@dataclass
class Translator:
    """Applies a glossary (and bilingual splitting) to the texts of a loaded project."""

    glossary: Glossary
    default: str
    languages: list[str]
    derived: Derived  # how titles were split before
    _done: dict[int, Any] = field(default_factory=dict)

    def text(self, text: Text) -> Text:
        """`text` with the glossary's translations, or split if it is a bilingual title."""
        source = text.source(self.default)
        if source is None:
            return text
        if isinstance(text.root, str):
            split = self._split(source)
            if split:  # each part in its language; the glossary can give the others
                text, source = Text(split), split[self.default]
        found = self.glossary.lookup(source) or self._builtin(source)
        return text.with_translations(self.default, found) if found else text

    def _split(self, text: str) -> dict[str, str] | None:
        """bilingual(text, ...), as an earlier build found it if one did."""
        if SEPARATOR not in text:
            return None
        return self.derived.get(
            ["split", _model_version(), text, self.default, self.languages],
            lambda: bilingual(text, self.default, self.languages),
            lambda found: {"split": found}, _kept_split)

    def _builtin(self, source: str) -> dict[str, str]:
        """A text that is one of takehome's own strings ("Getting to know your child") reads
        the catalogs' translations of it."""
        if i18n.base_language(self.default) != i18n.SOURCE_LANGUAGE:
            return {}
        return {lang: text for lang, text in i18n.catalog_text(source).items()
                if text != source and i18n.base_language(lang) != i18n.SOURCE_LANGUAGE}

    def apply(self, value: Any) -> Any:
        """`value` (a model, a dataclass, a list ...) with every Text inside translated; objects
        shared by several parents (a calendar category) stay shared."""
        if id(value) in self._done:
            return self._done[id(value)]
        result = self._apply(value)
        self._done[id(value)] = result
        return result

    def _apply(self, value: Any) -> Any:
        if isinstance(value, Text):
            return self.text(value)
        if isinstance(value, BaseModel):
            changed = {name: new for name in type(value).model_fields
                       if (new := self.apply(old := getattr(value, name))) is not old}
            return value.model_copy(update=changed) if changed else value
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changed = {f.name: new for f in dataclasses.fields(value)
                       if (new := self.apply(old := getattr(value, f.name))) is not old}
            return dataclasses.replace(value, **changed) if changed else value
        if isinstance(value, list | tuple):
            items = [self.apply(v) for v in value]
            if all(a is b for a, b in zip(items, value, strict=True)):
                return value
            return items if isinstance(value, list) else tuple(items)
        if isinstance(value, dict):
            new = {k: self.apply(v) for k, v in value.items()}
            return value if all(new[k] is value[k] for k in value) else new
        return value


def _translator(project: Project, glossary: Glossary) -> Translator:
    languages = list(dict.fromkeys([*project.editions, *project.family_languages.values()]))
    return Translator(glossary, project.default_language, languages, project.derived)


def translated(project: Project, value: Any) -> Any:
    """`value` (a document's model made after loading: a product's with keys replaced) with
    the translations every loaded text has: the glossary's, and the catalogs' of takehome's own
    strings."""
    if project.glossary is None:
        return value
    return _translator(project, project.glossary).apply(value)


def translate_project(project: Project, glossary: Glossary) -> None:
    """Every family-facing text of `project` with its glossary translations."""
    project.glossary = glossary
    translator = _translator(project, glossary)
    project.settings = translator.apply(project.settings)
    for doc in project.documents:
        doc.model = translator.apply(doc.model)
    calendar = project.calendar
    if calendar is not None:
        calendar.categories = translator.apply(calendar.categories)
        calendar.events = translator.apply(calendar.events)
        calendar.content = translator.apply(calendar.content)
        for doc in project.documents:
            if doc.kind.name == "calendar":
                doc.model = calendar.content
    # The identifier's model (about 77 MB) is not kept through the build: a later build in
    # this process (--watch, serve) finds the titles it split in `project.derived`.
    _identifier.cache_clear()
