"""Rendered pages remembered by what they are made from, so that a rebuild renders again only the
templates whose inputs changed (one family's copies when one row changed, one page when one
file was saved) instead of every page of the project just to find its cache key.

A job's HTML is a function of its template files, takehome's own code and catalogs, the
libraries that format dates and numbers, and its context. The context is fingerprinted value by
value (pydantic models, dataclasses, containers, plain values); a context holding anything else
is never remembered, and its template is rendered every time. Pages are kept with the
references their HTML makes (a pure function of the HTML too), so an unchanged page is not
parsed again either. The record is signed as cache entries are (trust.py): one that does not
verify is ignored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import functools
import logging
import types
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path, PurePath
from typing import Any, NamedTuple

import pydantic

from .. import BUILTIN_TEMPLATES, files
from ..references import Reference
from .digest import code_key, file_sha256, key_of, sha256
from .incremental import Cache
from .records import join_fields, split_fields

log = logging.getLogger(__name__)

_LIBRARIES = ("jinja2", "babel", "markupsafe", "segno", "markdown-it-py", "pydantic",
              "icalendar")
MAX_DEPTH = 40  # nesting in a context; deeper is not remembered
# Values whose repr says exactly what they are (True is not 1, 1.0 is not 1, b"a" is not "a").
_PLAIN = frozenset({type(None), bool, int, float, str, bytes})
# Pages kept between builds in this process, per record (what --watch and serve rebuild from):
# the pages, their bases and the references of their HTML, as the record on disk keeps them.
_KEPT: dict[Path, tuple[dict[str, Any], ...]] = {}
MAX_KEPT = 8


class Split(NamedTuple):
    """A page as split_fields splits it: its base and its fields' words."""

    base: str
    words: tuple[str, ...]


class Unknown(Exception):
    """A value whose state a fingerprint cannot be sure to cover."""


class Fingerprints:
    """Fingerprints of context values; each model or dataclass object once per build."""

    def __init__(self) -> None:
        # id -> (the object, kept alive so that its id is not reused; its fingerprint)
        self._objects: dict[int, tuple[object, str]] = {}
        self._open: set[int] = set()

    def of(self, value: object, depth: int = 0) -> str:
        kind = type(value)
        if kind in _PLAIN:
            return f"{kind.__name__}:{value!r}"
        known = self._objects.get(id(value))  # a model or container met before
        if known is not None and known[0] is value:
            return known[1]
        if depth > MAX_DEPTH:
            raise Unknown("nested too deep")
        if isinstance(value, str | bytes | int | float) and not isinstance(value, enum.Enum):
            return f"{_name(kind)}:{value!r}"  # Markup and other subclasses: the type too
        if isinstance(value, dt.date | dt.time | dt.timedelta | decimal.Decimal | PurePath):
            return f"{_name(kind)}:{value!r}"
        if isinstance(value, enum.Enum):
            return f"{_name(kind)}:{value.value!r}"
        if isinstance(value, list | tuple | set | frozenset | dict):
            return self._remembered(value, depth, self._container) if value else _name(kind)
        if isinstance(value, types.FunctionType):
            # Its code (takehome's own: its source is part of the setup) and what it holds:
            # the values it closes over and its defaults.
            cells = tuple(cell.cell_contents for cell in value.__closure__ or ())
            held = self.of((cells, value.__defaults__, value.__kwdefaults__), depth + 1)
            return (f"function:{value.__module__}.{value.__qualname__}:"
                    f"{_code(value.__code__)}:{held}")
        if isinstance(value, pydantic.BaseModel) or (dataclasses.is_dataclass(value)
                                                     and not isinstance(value, type)):
            return self._remembered(value, depth, self._object)
        raise Unknown(_name(kind))

    def _remembered(self, value: Any, depth: int, how: Callable[[Any, int], str]) -> str:
        """The fingerprint of a model, dataclass or container, each object once per build
        (templates cannot change what they are given: the sandbox is immutable)."""
        known = self._objects.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        if id(value) in self._open:
            raise Unknown("a value that contains itself")
        self._open.add(id(value))
        try:
            digest = sha256(how(value, depth).encode("utf-8", "surrogatepass"))
        finally:
            self._open.discard(id(value))
        self._objects[id(value)] = (value, digest)
        return digest

    def _container(self, value: Any, depth: int) -> str:
        """A container's type and contents, in order: plain values as they are, others by
        their fingerprint in a 1-tuple (which no plain value is), then repr'd at once."""
        kind, depth = type(value), depth + 1
        if isinstance(value, set | frozenset):  # in no order a template could rely on
            return f"{_name(kind)}{{{','.join(sorted(self.of(v, depth) for v in value))}}}"
        if isinstance(value, dict):  # in its order, as a template iterating it sees it
            parts: list[Any] = [
                (k if type(k) in _PLAIN else (self.of(k, depth),),
                 v if type(v) in _PLAIN else (self.of(v, depth),)) for k, v in value.items()]
        else:
            parts = [v if type(v) in _PLAIN else (self.of(v, depth),) for v in value]
        return f"{_name(kind)}{parts!r}"

    def _object(self, value: Any, depth: int) -> str:
        """A model's or dataclass's type and every value it holds."""
        kind = type(value)
        state = dict(vars(value)) if hasattr(value, "__dict__") else {}
        if dataclasses.is_dataclass(value):
            state.update({f.name: getattr(value, f.name) for f in dataclasses.fields(value)
                          if f.name not in state})
        for name in list(state):  # computed from the rest, and only once asked for
            if isinstance(getattr(kind, name, None), functools.cached_property):
                del state[name]
        if isinstance(value, pydantic.BaseModel):
            state["(extra)"] = value.__pydantic_extra__
            state["(private)"] = value.__pydantic_private__
        return f"{_name(kind)}({self._container(state, depth + 1)})"


def _code(code: types.CodeType) -> str:
    """A function's code, whatever the process (a code object's repr has its address)."""
    consts = tuple(_code(c) if isinstance(c, types.CodeType) else repr(c)
                   for c in code.co_consts)
    return key_of(str(code.co_firstlineno), code.co_code, repr(code.co_names), repr(consts))


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _name(kind: type) -> str:
    return f"{kind.__module__}.{kind.__qualname__}"


def setup(project_templates: Path) -> str:
    """What every page's HTML depends on besides its context: the templates (the project's and
    the built-in ones), takehome's code and catalogs, and the formatting libraries."""
    found: set[Path] = set()
    for folder, inside in ((BUILTIN_TEMPLATES, BUILTIN_TEMPLATES),
                           (project_templates, project_templates.parent)):
        found.update(files.regular_files(folder, inside))
    listed = [f"{p}={file_sha256(p)}" for p in sorted(found)]
    return key_of(code_key(), *(f"{lib}={version(lib)}" for lib in _LIBRARIES), *listed)


class Memo:
    """The pages of the last build with the same options, by a key of what each is made from."""

    def __init__(self, cache: Cache, name: str, project_templates: Path,
                 keep: bool = True) -> None:
        self.cache = cache
        self.keep = keep  # the pages kept in this process too, for its next build
        self.path = cache.root / "renders" / f"{name}.json"
        self.setup = setup(project_templates)
        self.fingerprints = Fingerprints()
        kept = _KEPT.get(self.path)
        if kept is None:
            record = cache.read_signed(self.path) or {}
            kept = tuple(_dict(record.get(part)) for part in ("pages", "bases", "references"))
        self._pages, self._bases, self._references = kept
        self._used: dict[str, list[Any]] = {}
        self._new_bases: dict[str, dict[str, Any]] = {}

    def key(self, template: str, context: dict[str, Any]) -> str | None:
        """The key of a page made from `template` and `context` (None: not to be remembered)."""
        try:
            return key_of(self.setup, template, self.fingerprints.of(context))
        except Unknown as exc:
            log.debug("not remembered: %s (%s)", template, exc)
            return None

    def has(self, key: str) -> bool:
        """Whether a build kept the page with this key (page() then gives it)."""
        return self._kept(key) is not None

    def _kept(self, key: str) -> tuple[str, list[str] | None, dict[str, Any]] | None:
        try:
            digest, words = self._used.get(key) or self._pages[key]
            base = self._new_bases.get(digest) or self._bases[digest]
        except (KeyError, TypeError, ValueError):
            return None
        if not (isinstance(digest, str) and isinstance(base, dict)
                and isinstance(base.get("html"), str) and (words is None or (
                    isinstance(words, list) and all(isinstance(w, str) for w in words)))):
            return None
        return digest, words, base

    def page(self, key: str) -> str | Split | None:
        """The page with this key as a build before rendered it, if one kept it: as split_fields
        splits it (a Split), or its HTML where that split would not give it back."""
        kept = self._kept(key)
        if kept is None:
            return None
        digest, words, base = kept
        self._keep(key, digest, words, base)
        html = str(base["html"])
        return html if words is None else Split(html, tuple(words))

    def remember(self, key: str, page: str) -> str | Split:
        """Keep a page rendered now (split as copies are, so each shared base is kept once);
        the page as page() will give it, so that it is not split again."""
        html, split = split_fields(page)
        words: list[str] | None = list(split)
        if join_fields(html, split) != page:  # not split exactly: kept whole
            html, words = page, None
        digest = sha256(html.encode("utf-8", "surrogatepass"))
        base = self._bases.get(digest) or self._new_bases.get(digest) or {"html": html}
        self._keep(key, digest, words, base)
        return html if words is None else Split(html, split)

    def _keep(self, key: str, digest: str, words: list[str] | None,
              base: dict[str, Any]) -> None:
        self._used[key] = [digest, words]
        self._new_bases[digest] = base

    def references(self) -> dict[str, list[Reference]]:
        """The references of the pages and stylesheets the last build parsed, by digest (for
        the scanner, which adds the ones it parses)."""
        found = {}
        for digest, listed in self._references.items():
            try:
                found[digest] = [Reference(str(url), str(kind), str(where))
                                 for url, kind, where in listed]
            except (TypeError, ValueError):
                continue
        return found

    def save(self, references: dict[str, list[Reference]]) -> None:
        """Keep this build's pages (and only those) for the next build with the same options,
        and the references of the pages the scanner parsed in it (`references`)."""
        parsed = {digest: [[r.url, r.kind, r.where] for r in found]
                  for digest, found in references.items()}
        if (self._used, self._new_bases, parsed) != (self._pages, self._bases, self._references):
            record = {"pages": self._used, "bases": self._new_bases, "references": parsed}
            try:
                self.cache.write_signed(self.path, record)
            except OSError as exc:  # only the next build is slower
                log.warning("could not keep the rendered pages for the next build: %s", exc)
        _KEPT.pop(self.path, None)
        if self.keep:
            _KEPT[self.path] = (self._used, self._new_bases, parsed)
        while len(_KEPT) > MAX_KEPT:
            del _KEPT[next(iter(_KEPT))]
