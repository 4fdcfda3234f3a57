"""The files a page shows: found by parsing its HTML and CSS (references.py), checked against
the containment rules before anything is typeset, and hashed. What passes is the only thing the
typesetter's fetcher will serve (each file with the hash its cache key covers).

A page may show pictures, fonts and stylesheets from the project's templates/ and the built-in
templates, fonts from the font packages, and, from the rest of the project, only the pictures
the content names (a logo, a photo). Never the roster, a log, or any other file; never a file
attached to the PDF or embedded in it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

from .. import BUILTIN_TEMPLATES, files, fonts, images, references
from ..files import FONT_SUFFIXES, MAX_FILE_BYTES
from ..models.base import IMAGE_SUFFIXES, content_images
from ..project import Project
from ..references import ATTACHMENT, BASE, EMBED, FONT, IMAGE, STYLESHEET, Reference

SUFFIXES = {IMAGE: IMAGE_SUFFIXES, STYLESHEET: {".css"}, FONT: FONT_SUFFIXES}
MAX_STYLESHEET_BYTES = 1_000_000
MAX_DEPTH = 8  # stylesheets importing stylesheets
MAX_REFERENCES = 1_000  # files one page may show

_DATA_KINDS = {IMAGE: ("image/",), STYLESHEET: ("text/css",),
               FONT: ("font/", "application/font", "application/x-font", "application/vnd.ms-font",
                      "application/octet-stream")}


@dataclass(frozen=True)
class Access:
    """Where a project's pages may take files from."""

    root: Path  # the project, resolved
    templates: tuple[Path, ...]  # its templates/ (if inside it) and the built-in templates
    fonts: tuple[Path, ...]  # the font packages' folders
    pictures: frozenset[str]  # pictures the content names, relative to the project
    roster: Path | None

    @classmethod
    def of(cls, project: Project) -> Access:
        root = project.root.resolve()
        folders = [BUILTIN_TEMPLATES.resolve()]
        if project.templates.is_dir() and project.templates.resolve().is_relative_to(root):
            folders.insert(0, project.templates.resolve())
        named = content_images(project.settings)
        for document in project.documents:
            named |= content_images(document.model)
        roster = project.roster.path
        return cls(root, tuple(folders), tuple(fonts.directories()), frozenset(named),
                   roster.resolve() if roster is not None else None)


@dataclass
class Shown:
    """What one page shows: cache-key parts, the files the fetcher may serve (path, sha256),
    and why any reference was refused."""

    keys: list[str] = field(default_factory=list)
    files: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class Refused(Exception):
    """A reference that the containment rules refuse; the message says why."""


# What a reference to a file shows: its cache-key part, its real path and sha256, and the
# references inside it with the address they are relative to (a stylesheet's imports and fonts)
_File = tuple[str, str, str, list[tuple[Reference, str]]]


class Scanner:
    """Checks and hashes the files pages refer to. A page's references are parsed once per
    build for each distinct page (personalised copies share their base's) and stylesheet."""

    def __init__(self, access: Access,
                 known: dict[str, list[Reference]] | None = None) -> None:
        self.access = access
        self.hashes: dict[str, str] = {}  # resolved path -> sha256, for the build record
        # The references of pages' HTML and stylesheets, by their sha256: as an earlier build
        # found them (`known`, see memo.py), and as this build found them (`parsed`).
        self._known = known or {}
        self.parsed: dict[str, list[Reference]] = {}
        self._checked: dict[str, str | None] = {}  # data: address -> why refused
        # (path, kind) -> what _file gave, or why it refused the file
        self._files: dict[tuple[Path, str], _File | str | None] = {}
        self._pages: dict[tuple[str, bool], Shown] = {}

    def scan(self, html: str, css: str) -> Shown:
        """Every reference of a page (its HTML and its stylesheet), checked and hashed."""
        shown = Shown()
        for part in (self._scanned(html, False), self._scanned(css, True)):
            shown.keys += part.keys
            shown.files += part.files
            shown.problems += part.problems
        shown.keys.sort()
        return shown

    def _scanned(self, text: str, stylesheet: bool) -> Shown:
        if (text, stylesheet) not in self._pages:
            kind = "css:" if stylesheet else ""  # a stylesheet's digest is never a page's
            digest = hashlib.sha256((kind + text).encode("utf-8", "surrogatepass")).hexdigest()
            found = self._known.get(digest)
            if found is None:
                found = (references.css_references(text, "the stylesheet") if stylesheet
                         else references.html_references(text))
            self.parsed[digest] = found
            self._pages[(text, stylesheet)] = self._follow(found)
        return self._pages[(text, stylesheet)]

    def _follow(self, found: list[Reference]) -> Shown:
        """Check each reference, and the references inside the stylesheets they name."""
        shown = Shown()
        base = self.access.root.as_uri() + "/"
        waiting = [(ref, base, 0) for ref in found]
        seen: set[tuple[str, str, str]] = set()
        while waiting:
            ref, base_url, level = waiting.pop(0)
            if (ref.url, ref.kind, base_url) in seen:
                continue
            seen.add((ref.url, ref.kind, base_url))
            if len(seen) > MAX_REFERENCES:
                shown.problems.append(f"the page refers to more than {MAX_REFERENCES:,} files")
                break
            try:
                nested = self._check(ref, base_url, shown)
            except Refused as exc:
                shown.problems.append(f"{ref.where} {_quote(ref.url)}: {exc}")
                continue
            if nested and level >= MAX_DEPTH:
                shown.problems.append(f"stylesheets import each other more than {MAX_DEPTH} "
                                      "deep")
                continue
            waiting += [(inner, inner_base, level + 1) for inner, inner_base in nested]
        return shown

    def _check(self, ref: Reference, base_url: str, shown: Shown
               ) -> list[tuple[Reference, str]]:
        """Check one reference (recording what it shows); the references inside it, if any."""
        if ref.kind == ATTACHMENT:
            raise Refused("attaching files to a PDF is refused (the roster or a log could "
                          "travel with it)")
        if ref.kind == EMBED:
            raise Refused("embedding a file or page is refused; show a picture with <img>")
        if ref.kind == BASE:
            raise Refused("<base> is refused: every address is relative to the project")
        url = ref.url.strip()
        if url.lower().startswith("data:"):
            return self._data(url, ref.kind)
        parts = urlsplit(urljoin(base_url, url))
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise Refused("only files inside the project can be shown (no web addresses)")
        path = Path(url2pathname(parts.path))
        if (path, ref.kind) not in self._files:  # a file many pages show is read once
            try:
                self._files[path, ref.kind] = self._file(path, ref.kind)
            except Refused as exc:
                self._files[path, ref.kind] = str(exc)
        found = self._files[path, ref.kind]
        if isinstance(found, str):
            raise Refused(found)
        if found is None:  # a font package's file: its version is in every cache key
            return []
        key, real, digest, nested = found
        shown.keys.append(key)
        shown.files.append((real, digest))
        return nested

    def _file(self, path: Path, kind: str) -> _File | None:
        """What a reference to the file at `path` shows: its key, real path and hash, and the
        references inside it (a stylesheet's); None for a font package's file."""
        real = self._contained(path, kind)
        if real is None:
            return None
        if real.suffix.lower() not in SUFFIXES[kind]:
            raise Refused(f"a {kind} must be a {', '.join(sorted(SUFFIXES[kind]))} file")
        limit = MAX_STYLESHEET_BYTES if kind == STYLESHEET else MAX_FILE_BYTES
        try:
            data = files.read_bytes(real, real.parent, limit)
        except files.Refused as exc:
            raise Refused(exc.problem.message) from None
        digest = hashlib.sha256(data).hexdigest()
        self.hashes[str(real)] = digest
        if kind == IMAGE:
            problem = images.data_problem(data, real.suffix.lower() == ".svg")
            if problem:
                raise Refused(str(problem))
        nested = []
        if kind == STYLESHEET:
            text = data.decode("utf-8", errors="replace")
            nested = [(r, real.as_uri()) for r in references.css_references(text, real.name)]
        return f"{self._label(real)}={digest}", str(real), digest, nested

    def _contained(self, path: Path, kind: str) -> Path | None:
        """The file's real path if a page may show it; None for a font package's file."""
        access = self.access
        try:
            real = files.check(path, [access.root, *access.templates, *access.fonts],
                               MAX_FILE_BYTES)
        except files.Refused as exc:
            raise Refused(exc.problem.message) from None
        if any(real.is_relative_to(f) for f in access.fonts):
            if kind != FONT or real.suffix.lower() not in FONT_SUFFIXES:
                raise Refused("only fonts are taken from the font packages")
            return None
        if any(real.is_relative_to(t) for t in access.templates):
            return real
        relative = real.relative_to(access.root).as_posix()
        if real == access.roster:
            raise Refused(f"{relative} is the roster: it is never put into a document")
        if relative in access.pictures and kind == IMAGE:
            return real
        raise Refused(f"{relative} is neither a picture the content names (a logo, a photo) "
                      "nor a file in templates/")

    def _label(self, real: Path) -> str:
        """Where a file is, the same on every machine (for cache keys)."""
        for name, folder in (("project", self.access.root),
                             ("built-in", BUILTIN_TEMPLATES.resolve())):
            if real.is_relative_to(folder):
                return f"{name}:{real.relative_to(folder).as_posix()}"
        return str(real)

    def _data(self, url: str, kind: str) -> list[tuple[Reference, str]]:
        """A data: address: its bytes are in the page (and so in its key); check what they are."""
        if url not in self._checked:
            try:
                mime, data = images.decode_data_url(url)
            except ValueError as exc:
                raise Refused(f"a data: address that cannot be read ({exc})") from None
            if not mime.startswith(_DATA_KINDS[kind]):
                self._checked[url] = f"a {kind} cannot be {mime} data"
            elif kind == IMAGE:
                self._checked[url] = images.data_problem(data, mime == "image/svg+xml")
            else:
                self._checked[url] = None
            if kind == STYLESHEET and self._checked[url] is None:
                inner = references.css_references(data.decode("utf-8", errors="replace"),
                                                  "a data: stylesheet")
                if inner:
                    self._checked[url] = "a data: stylesheet may not refer to other files"
        if self._checked[url]:
            raise Refused(str(self._checked[url]))
        return []


# What a web page made from a template may load: nothing from anywhere (pictures and styles are
# inside the page), no scripts, no forms, no base address.
WEB_POLICY = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
              "base-uri 'none'; form-action 'none'")
_DOCTYPE = re.compile(rb"\s*(?:<!--.*?-->\s*)*<!doctype[^>]*>", re.IGNORECASE | re.DOTALL)


def web_policy(page: bytes) -> bytes:
    """A web page with takehome's Content-Security-Policy first in its head, before anything a
    template wrote (a browser enforces every policy a page gives, so a template's own can only
    narrow it)."""
    meta = f'<meta http-equiv="Content-Security-Policy" content="{WEB_POLICY}">'.encode()
    doctype = _DOCTYPE.match(page)
    at = doctype.end() if doctype else 0
    return page[:at] + meta + page[at:]


def _quote(url: str, limit: int = 80) -> str:
    url = url.strip()
    return repr(url if len(url) <= limit else url[:limit - 1] + "…")
