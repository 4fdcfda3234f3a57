"""Class sets: many PDFs joined into one, written as they are read, in bounded memory.

A PDF library joins files by holding every object of the result until it is saved: about 4 KB
an object in qpdf, 1.2 GB for a 2,000-family packet class set. Here each part is opened in turn
(pikepdf reads it, and qpdf spells each object), the objects its pages use are written out at
once under new numbers, and only the page numbers and file offsets are kept for the page tree
and the cross-reference table written at the end, a piece at a time. Memory grows by the
objects' offsets, 8 bytes each (a family's packet has about 190 objects: 1.5 KB), and by each
part's line in the journal.

A part's objects are written the same way whenever its bytes and its first object number are
the same, so a join keeps a journal of where each part lies in the file (signed with the cache
entry, see incremental.py); the next join of the same class set copies the bytes of every part
that has not changed from the last joined file instead of spelling them out again. One family's
changed row re-joins one part; the file is the same, byte for byte, as a join from scratch.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from array import array
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple

import pikepdf

from .digest import hash_file, key_of

if TYPE_CHECKING:
    from .incremental import Cache, Cached
    from .plan import Assembly
    from .typeset import Workers

AHEAD = 8  # joins missing from the cache: fewer (one family's row changed) are made by write


def join_ahead(steps: Sequence[Assembly], entries: Mapping[str, Cached], cache: Cache,
               workers: Workers | None) -> None:
    """Join the assemblies the cache lacks on the build's typesetting processes, the largest
    first, for write's joined() to find there: a packet's class set takes as long as all its
    families' packets, which the other processes join meanwhile."""
    # (an entry of the join's key, made from one of its parts', names the file it would be)
    missing = [s for s in steps if not cache.path(
        replace(entries[s.parts[0]], key=_key(s, entries))).exists()]
    if workers is None or workers.jobs <= 1 or len(missing) < AHEAD:
        return
    missing.sort(key=lambda s: len(s.parts), reverse=True)
    for _ in workers.in_turn(joined, [(s, {p: entries[p] for p in s.parts}, cache)
                                      for s in missing]):
        pass


def _key(step: Assembly, entries: Mapping[str, Cached]) -> str:
    """The cache key an assembly's join is kept under: its parts' bytes and how it joins them."""
    return _join_key(step.duplex, step.title, step.lang, _backs(step),
                     [entries[p].sha256 for p in step.parts])


def _join_key(duplex: bool, title: str, lang: str, backs: Sequence[bool],
              digests: Sequence[str]) -> str:
    """What a join is made of (its parts' sha256) and how it joins them: the key its cache
    entry is kept under, and the joined file's /ID."""
    return key_of("join", str(duplex), title, lang, str(list(backs)), *digests)


def _backs(step: Assembly) -> list[bool]:
    """Whether each part is printed on the back of the one before (a class set of cards has a
    back for each of thousands of parts: looked up in a set)."""
    backs = set(step.backs)
    return [p in backs for p in step.parts]


def joined(step: Assembly, entries: Mapping[str, Cached], cache: Cache) -> Cached:
    """An assembly's joined PDF: from the cache, or joined now (lending the unchanged parts'
    bytes of the last join of the same file) and cached."""
    parts = [entries[p] for p in step.parts]
    digests = [p.sha256 for p in parts]
    backs = _backs(step)
    key = _join_key(step.duplex, step.title, step.lang, backs, digests)
    hit = cache.get(key)
    if hit is not None:
        return hit[0]
    last = cache.last_join(step.output)
    previous = (cache.path(last[0]), last[1]) if last else None
    journal: dict[str, Any] = {}
    made = cache.put_file(key, partial(join_pdfs, [cache.path(p) for p in parts], step.duplex,
                                       title=step.title, lang=step.lang, backs=backs,
                                       digests=digests, previous=previous, journal=journal),
                          extra=journal)
    cache.note_join(step.output, key)
    return made


# Kept from a page's ancestors in its part: the joined file has a page tree of its own.
_INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
# In an object as qpdf spells it: a string (qpdf escapes every parenthesis inside one), or an
# indirect reference (two integers and R, apart from any name or number around them).
_TOKENS = re.compile(rb"\((?:[^\\()]|\\.)*\)|<[0-9A-Fa-f]*>"
                     rb"|(?<![\w#./+-])(\d+) (\d+) R(?![\w#])", re.DOTALL)
CATALOG, PAGES = 1, 2  # object numbers; both are written last
XREF_LINES = 4096
# How parts are spelled: a journal of another lends none of its parts (the file would not be
# the same, byte for byte, as a join from scratch).
FORMAT = 2


class Joined(NamedTuple):
    pages: int
    sha256: str  # of the file written


def join_pdfs(parts: Sequence[Path], duplex: bool, target: Path, digests: Sequence[str] = (),
              previous: tuple[Path, dict[str, Any]] | None = None,
              journal: dict[str, Any] | None = None, *, title: str = "", lang: str = "",
              backs: Sequence[bool] = ()) -> Joined:
    """Join PDF files in order into `target`, with a blank page after each odd-length part when
    `duplex` (so every part starts on a new sheet), except before a part marked in `backs`
    (printed on the back of the one before). The file carries its title and language, and
    asks the print dialog for one or both sides. `digests`, the parts' sha256 (read from them
    if not given), name the file (its /ID); `previous` (a file this function joined, and its
    journal) lends the bytes of the parts it shares, and `journal` is filled in for the next
    join."""
    digests = list(digests) or [hash_file(path) for path in parts]
    flags = [*backs, *[False] * len(parts)][:len(parts)]
    old = _Previous(*previous) if previous and previous[1].get("duplex") == duplex \
        and previous[1].get("format") == FORMAT else None
    spans: list[list[Any]] = []
    with target.open("wb") as fh, old or contextlib.nullcontext():
        joined = _Writer(fh)
        for i, path in enumerate(parts):
            start, first, pages = fh.tell(), len(joined.offsets) + 1, len(joined.kids)
            # The blank back that starts the next part on a new sheet is written with this
            # part (it has this part's size), so a part's bytes are the same from join to join.
            follows = i + 1 < len(parts) and flags[i + 1]
            span = old.span(digests[i], first) if old else None
            if span is not None and old is not None and span[6] == _needs_blank(
                    duplex, follows, pages + len(span[5]) - span[6]):
                joined.copy(old, span)
                blank = span[6]
            else:
                with pikepdf.open(path) as part:
                    joined.part(part)
                    box = [float(v) for v in part.pages[-1].mediabox]
                blank = _needs_blank(duplex, follows, len(joined.kids))
                if blank:
                    joined.blank(box)
            spans.append([digests[i], first, len(joined.offsets) + 1, start, fh.tell(),
                          joined.kids[pages:], blank])
        # Named by what it is made of: the same parts joined the same way, the same name.
        named = _join_key(duplex, title, lang, flags, digests)[:32]
        xref = joined.finish(named, title, lang, duplex)
        if journal is not None:
            journal.update(format=FORMAT, duplex=duplex, parts=spans, xref=xref,
                           size=len(joined.offsets) + 1, copied=old.copied if old else 0)
        return Joined(len(joined.kids), joined.digest.hexdigest())


def _needs_blank(duplex: bool, follows: bool, pages: int) -> bool:
    """Whether a blank page goes after a part that ends on page `pages`: when duplex and the
    next part starts a new sheet (it is not `follows`, printed on this one's back)."""
    return duplex and not follows and pages % 2 == 1


class _Previous:
    """A file join_pdfs wrote, and its journal: where each of its parts lies."""

    def __init__(self, path: Path, journal: dict[str, Any]) -> None:
        self.fh = path.open("rb")
        self.journal = journal
        # (a journal without the blank flag is an older join's: none of its parts is lent)
        self.spans = {(s[0], s[1]): s for s in journal["parts"] if len(s) == 7}
        self._offsets = array("q")
        self.copied = 0

    def __enter__(self) -> _Previous:
        return self

    def __exit__(self, *_: object) -> None:
        self.fh.close()

    def span(self, digest: str, first: int) -> list[Any] | None:
        """Where the part with this sha256 lies, if it was written from object `first` on."""
        return self.spans.get((digest, first))

    def offsets(self) -> array[int]:
        """The old file's object offsets, by object number (0: the free entry)."""
        if not self._offsets:
            size = int(self.journal["size"])
            self.fh.seek(int(self.journal["xref"]) + len(b"xref\n0 %d\n" % size))
            for start in range(0, size, XREF_LINES):  # a piece of the table at a time
                table = self.fh.read(20 * min(XREF_LINES, size - start))
                self._offsets.extend(int(table[i:i + 10]) for i in range(0, len(table), 20))
        return self._offsets

    def read(self, start: int, end: int) -> bytes:
        self.fh.seek(start)
        self.copied += 1
        return self.fh.read(end - start)


class _Writer:
    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.digest = hashlib.sha256()  # of everything written: the file's sha256
        # By object number - 1; 8 bytes each (a list's ints took 40: a 10,000-family class
        # set has about two million objects)
        self.offsets = array("q", [0, 0])
        self.kids: list[int] = []
        self.numbers: dict[tuple[int, int], int] = {}  # the current part's objects, renumbered
        self.queue: deque[Any] = deque()
        self.dests: pikepdf.NameTree | None = None  # the current part's named places
        self.pdf: pikepdf.Pdf | None = None  # the current part
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def _write(self, data: bytes) -> None:
        self.fh.write(data)
        self.digest.update(data)

    def _object(self, number: int, body: bytes) -> None:
        self.offsets[number - 1] = self.fh.tell()
        self._write(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    def _number(self) -> int:
        self.offsets.append(0)
        return len(self.offsets)

    def part(self, pdf: pikepdf.Pdf) -> None:
        """A part's pages and everything they use, written now."""
        self.numbers.clear()
        self.pdf = pdf
        names = pdf.Root.get("/Names")
        self.dests = pikepdf.NameTree(names.Dests) if names and "/Dests" in names else None
        self.kids += [self._ref(page.obj) for page in pdf.pages]
        while self.queue:
            obj = self.queue.popleft()
            self._object(self.numbers[obj.objgen], self._body(obj))

    def copy(self, old: _Previous, span: list[Any]) -> None:
        """A part as the previous join wrote it, from the same object number on."""
        _, first, after, start, end, kids, _blank = span
        data = old.read(start, end)
        shift = self.fh.tell() - start
        self.offsets.extend(offset + shift for offset in old.offsets()[first:after])
        self.kids += kids
        self._write(data)

    def blank(self, box: list[float]) -> None:
        number = self._number()
        self.kids.append(number)
        size = b" ".join(f"{v:.4f}".rstrip("0").rstrip(".").encode() for v in box)
        self._object(number, b"<< /Type /Page /Parent %d 0 R /MediaBox [ %s ] /Resources << >> >>"
                     % (PAGES, size))

    def finish(self, identifier: str, title: str = "", lang: str = "", duplex: bool = True
               ) -> int:
        """The page tree, catalog (asking for one or both sides) and cross-reference table, and
        the file's /ID, title and language; returns the table's offset."""
        kids = b" ".join(b"%d 0 R" % k for k in self.kids)
        self._object(PAGES, b"<< /Type /Pages /Kids [ %s ] /Count %d >>" % (kids, len(self.kids)))
        sides = b"/DuplexFlipLongEdge" if duplex else b"/Simplex"
        language = b" /Lang %s" % pikepdf.String(lang).unparse() if lang else b""
        self._object(CATALOG, b"<< /Type /Catalog /Pages %d 0 R /ViewerPreferences << /Duplex %s "
                     b"/DisplayDocTitle true >>%s >>" % (PAGES, sides, language))
        info = self._number()
        named = b" /Title %s" % pikepdf.String(title).unparse() if title else b""
        self._object(info, b"<< /Producer (takehome)%s >>" % named)
        xref = self.fh.tell()
        self._write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(self.offsets) + 1))
        # A few thousand lines at a time: a 10,000-family class set has about two million.
        for start in range(0, len(self.offsets), XREF_LINES):
            self._write(b"".join(b"%010d 00000 n \n" % offset
                                 for offset in self.offsets[start:start + XREF_LINES]))
        self._write(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [ <%s> <%s> ] >>\n"
                    b"startxref\n%d\n%%%%EOF\n"
                    % (len(self.offsets) + 1, CATALOG, info, identifier.encode(),
                       identifier.encode(), xref))
        return xref

    def _ref(self, obj: Any) -> int:
        if obj.objgen not in self.numbers:
            self.numbers[obj.objgen] = self._number()
            self.queue.append(obj)
        return self.numbers[obj.objgen]

    def _body(self, obj: Any) -> bytes:
        """An indirect object's own text: its value, with its stream if it has one."""
        if isinstance(obj, pikepdf.Stream):
            data = obj.read_raw_bytes()  # still compressed: copied as it is
            entries = {k: v for k, v in obj.items() if k != "/Length"}
            return b"%s\nstream\n%s\nendstream" % (
                self._spelled(entries, b" /Length %d" % len(data)), data)
        if obj.get("/Type") == pikepdf.Name.Page:
            entries = {k: v for k, v in obj.items() if k != "/Parent"}
            for key in _INHERITED:
                parent = obj.get("/Parent")
                while key not in entries and parent is not None:
                    if key in parent:
                        entries[key] = parent[key]
                    parent = parent.get("/Parent")
            return self._spelled(entries, b" /Parent %d 0 R" % PAGES)
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Array):
            text = self._renumbered(obj.unparse(resolved=True))
            if text is not None:
                return text
        return self._value(obj, top=True)

    def _spelled(self, entries: dict[str, Any], last: bytes) -> bytes:
        """A dictionary of these entries, then `last` (a key and value of the writer's own)."""
        text = self._renumbered(pikepdf.Dictionary(entries).unparse())
        if text is None:
            return self._dictionary(entries, last)
        return text[:-len(b" >>")] + last + b" >>"

    def _renumbered(self, text: bytes) -> bytes | None:
        """An object as qpdf spells it, with every reference to an object of the part given its
        number in the joined file (spelling it in Python, value by value, took most of a
        join); None when it may name a place in its part (a link): _value spells that."""
        if self.dests is not None and (b"/Dest" in text or b"/D " in text):
            return None
        assert self.pdf is not None
        get = self.pdf.get_object

        def number(match: re.Match[bytes]) -> bytes:
            if match[1] is None:
                return match[0]  # a string: written as it is
            return self._value(get((int(match[1]), int(match[2]))))

        return _TOKENS.sub(number, text)

    def _dictionary(self, entries: dict[str, Any], last: bytes = b"") -> bytes:
        items = b" ".join(b"%s %s" % (pikepdf.Name(k).unparse(), self._value(self._dest(k, v)))
                          for k, v in entries.items())
        return b"<< %s%s >>" % (items, last)

    def _dest(self, key: str, value: Any) -> Any:
        """A link to a named place in its part, as the page and position it names: the part's
        name tree stays behind (and other parts use the same names)."""
        if key in ("/Dest", "/D") and isinstance(value, pikepdf.String) and self.dests:
            place = self.dests.get(str(value))
            if isinstance(place, pikepdf.Dictionary):
                place = place.get("/D")
            return place if place is not None else value
        return value

    def _value(self, obj: Any, top: bool = False) -> bytes:
        if isinstance(obj, pikepdf.Object) and obj.is_indirect and not top:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") in (
                    pikepdf.Name.Catalog, pikepdf.Name.Pages):
                return b"null"  # the part's own document structure stays behind
            return b"%d 0 R" % self._ref(obj)
        if isinstance(obj, pikepdf.Dictionary):
            return self._dictionary(dict(obj.items()))
        if isinstance(obj, pikepdf.Array):
            return b"[ %s ]" % b" ".join(self._value(v) for v in obj)
        if obj is None:
            return b"null"
        if isinstance(obj, bool):
            return b"true" if obj else b"false"
        if isinstance(obj, int):
            return b"%d" % obj
        if isinstance(obj, Decimal | float):
            return format(Decimal(obj), "f").encode()
        return bytes(obj.unparse())  # names, strings, and whatever else pikepdf can spell
