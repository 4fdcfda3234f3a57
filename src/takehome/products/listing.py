"""Product definitions: read, validated, and resolved to the built files they are made of."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from pydantic import ValidationError
from slugify import slugify

from .. import i18n
from ..build.plan import Job, Planning, Step
from ..errors import Problems
from ..generic import Generic, replaced
from ..models.base import Text, walk_texts
from ..project import Document, Project
from ..validate import load_model
from ..yamlfile import Loaded
from .fields import FieldFont, FieldFontError, field_font
from .model import Part, Product

PRODUCT_FILE = "product.yaml"  # one product
PRODUCTS_GLOB = "products/*.yaml"  # or several, one a file


@dataclass(frozen=True)
class Item:
    """One built file in the product."""

    output: str  # its path in a build, e.g. "intake/blank.en.pdf"
    title: str
    lang: str
    backs: bool = False  # fronts and backs: double-sided whatever its length
    cut: str = ""  # "marks" (crop marks) or "guides" (dashed lines): cut after printing


@dataclass(frozen=True)
class Section:
    """One part of the product: a contents entry and its files."""

    part: Part
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Listing:
    """A validated product with its files resolved."""

    path: Path
    model: Product
    loaded: Loaded
    slug: str
    lang: str
    default_lang: str  # the project's: what a text without the product's language falls back to
    sections: tuple[Section, ...]
    origins: dict[str, dict[str, str]] = field(default_factory=dict)  # of `content:` keys
    field_font: FieldFont | None = None  # an editable product's: what its fields are set in

    @property
    def generic(self) -> Generic:
        """How the product's documents are built: without the project's people and dates."""
        content = {s.part.document: s.part.content for s in self.sections if s.part.content}
        return Generic(self.model.generic, content, self.model.editable, self.origins)

    @property
    def documents(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.part.document for s in self.sections))

    @property
    def outputs(self) -> tuple[str, ...]:
        return tuple(i.output for s in self.sections for i in s.items)

    def text(self, value: Text | None) -> str:
        """A Text of the product in its language ("" for none)."""
        return value.get(self.lang, self.default_lang) if value is not None else ""


def product_paths(project: Project) -> list[Path]:
    """The product files of a project, single file first."""
    single = project.content / PRODUCT_FILE
    return ([single] if single.is_file() else []) + sorted(project.content.glob(PRODUCTS_GLOB))


def _matches(output: str, document: str, pattern: str) -> bool:
    """A files: entry names a file with or without its folder and its .pdf."""
    names = {output, output.removesuffix(".pdf")}
    prefix = document.rstrip("/") + "/"
    names |= {n.removeprefix(prefix) for n in names if n.startswith(prefix)}
    return any(fnmatchcase(name, pattern) for name in names)


Where = tuple[Path, int | None, int | None]


def _resolve(planning: Planning, listing_lang: str, part: Part, doc: Document, where: Where,
             problems: Problems) -> list[Step]:
    """The files of `doc` that `part` puts in the product, in order: printed pages only."""
    steps = [s for s in planning.steps_of(doc) if s.printed]
    generic = [s for s in steps if not s.personal and not (isinstance(s, Job) and s.forms)]
    if not part.files:
        chosen = [s for s in generic if s.lang == listing_lang]
        if not generic and steps:
            problems.error(f"{doc.name} has only personalised files, made from the roster's "
                           "children and families; a product carries generic copies only",
                           *where)
        elif not chosen:
            names = ", ".join(s.output for s in generic) or "none"
            problems.error(f"{doc.name} has no printable file in {listing_lang!r}; name them "
                           f"under files: (generic files: {names})", *where)
        return chosen
    chosen = []
    for pattern in part.files:
        found = [s for s in steps if _matches(s.output, doc.name, pattern)]
        if not found:
            names = ", ".join(s.output for s in generic) or "none"
            problems.error(f"no file of {doc.name} matches {pattern!r}; its printable files: "
                           f"{names}", *where)
        for step in found:
            if step.personal:
                problems.error(f"{step.output} is personalised with the roster's children and "
                               "families; a product carries generic copies only", *where)
            elif isinstance(step, Job) and step.forms:
                problems.error(f"{step.output} has form fields; products are printed, so "
                               "choose its printable version", *where)
            elif step not in chosen:
                chosen.append(step)
    return chosen


def _listing(project: Project, path: Path, problems: Problems) -> Listing | None:
    model, loaded = load_model(path, Product, problems, project.root)
    if model is None or loaded is None:
        return None
    lang = model.language or project.default_language
    by_name = {d.name: d for d in project.documents}
    content = {}
    for index, part in enumerate(model.documents):
        doc = by_name.get(part.document)
        if doc is not None and part.content and \
                _check_content(project, doc, part, loaded, index, problems):
            content[doc.name] = part.content
    # Planned as the product builds them (generic), so that titles are the product's; the
    # documents' own problems are the build's to report (`takehome check` does).
    origins = content_origins(model, loaded, project.relative(path))
    planning = Planning(project.with_overrides(generic=Generic(
        model.generic, content, model.editable, origins)), Problems())
    sections = []
    seen: set[str] = set()
    for index, part in enumerate(model.documents):
        line, col = loaded.marks.locate(("documents", index))
        where = (path, line, col)
        doc = by_name.get(part.document)
        if doc is None:
            close = difflib.get_close_matches(part.document, list(by_name), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else \
                f"; documents: {', '.join(by_name) or 'none'}"
            problems.error(f"no document named {part.document!r}{hint}", *where)
            continue
        steps = _resolve(planning, lang, part, doc, where, problems)
        for step in steps:
            if step.output in seen:
                problems.error(f"{step.output} is already in this product", *where)
            seen.add(step.output)
        items = tuple(Item(s.output, s.title, s.lang, s.two_sided, s.cut) for s in steps)
        if items:
            title = part.title.get(lang, project.default_language) if part.title \
                else items[0].title
            sections.append(Section(part, title, items))
    _check_translations(model, loaded, lang, project.default_language, problems)
    title = model.title.get(lang, project.default_language)
    slug = model.slug or slugify(title, max_length=60, word_boundary=True)
    return Listing(path, model, loaded, slug or "product", lang, project.default_language,
                   tuple(sections), origins,
                   _field_font(project, model, loaded, lang, sections, problems))


def content_origins(model: Product, loaded: Loaded, name: str) -> dict[str, dict[str, str]]:
    """Where each part's `content:` key is written in the product's file `name`: document ->
    key -> "content/product.yaml:31"."""
    origins: dict[str, dict[str, str]] = {}
    for index, part in enumerate(model.documents):
        for key in part.content or {}:
            line, _ = loaded.marks.locate(("documents", index, "content", key))
            origins.setdefault(part.document, {})[key] = f"{name}:{line}" if line else name
    return origins


def _field_font(project: Project, model: Product, loaded: Loaded, lang: str,
                sections: list[Section], problems: Problems) -> FieldFont | None:
    """An editable product's field font, for its languages and the theme's font."""
    if not model.editable:
        return None
    langs = {lang} | {i.lang for s in sections for i in s.items if i.lang}
    try:
        return field_font(project.settings.theme.font, langs)
    except FieldFontError as exc:
        line, col = loaded.marks.locate(("editable",))
        problems.error(f"editable: {exc}; leave those files out of the editable product, or "
                       "make it print-and-go (editable: false)", loaded.marks.path, line, col)
        return None


def _check_content(project: Project, doc: Document, part: Part, loaded: Loaded, index: int,
                   problems: Problems) -> bool:
    """A part's `content:` must make a valid document of its kind: each error at its key."""
    try:
        replaced(doc.kind.model, doc.loaded.data, part.content, {"root": project.root})
        return True
    except ValidationError as exc:
        for error in exc.errors():
            key = error["loc"][0] if error["loc"] else None
            loc: tuple[str | int, ...] = ("documents", index, "content")
            if key in part.content:
                loc = (*loc, key)
            line, col = loaded.marks.locate(loc)
            where = ".".join(str(k) for k in error["loc"])
            problems.error(f"{doc.name}: {where}: {error['msg']}" if where else
                           f"{doc.name}: {error['msg']}", loaded.marks.path, line, col)
        return False


def _check_translations(model: Product, loaded: Loaded, lang: str, default: str,
                        problems: Problems) -> None:
    """Warn where the product's own text lacks the language it is printed in."""
    if lang == default:
        return
    for loc, text in walk_texts(model):
        if not text.has(lang):
            line, col = loaded.marks.locate(loc)
            problems.warn(f"no {i18n.language_name(lang, 'en')} text; the "
                          f"{i18n.language_name(default, 'en')} text is printed instead",
                          loaded.marks.path, line, col)


def load_listings(project: Project, problems: Problems, required: bool = True) -> list[Listing]:
    """Every product of the project, validated against what the project builds."""
    paths = product_paths(project)
    if not paths and required:
        problems.error(f"no product here: write content/{PRODUCT_FILE} (or one file per product "
                       f"in content/products/) to say what goes in")
    listings = [lst for p in paths if (lst := _listing(project, p, problems)) is not None]
    slugs: dict[str, Path] = {}
    for listing in listings:
        if listing.slug in slugs:
            problems.error(f"two products would be written to dist/{listing.slug}/ (the other is "
                           f"{project.relative(slugs[listing.slug])}); give one a `slug`",
                           listing.path)
        slugs[listing.slug] = listing.path
    return listings
