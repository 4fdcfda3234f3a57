"""Class sets: many PDFs joined into one, written as they are read, in bounded memory.

A PDF library joins files by holding every object of the result until it is saved: about 4 KB
an object in qpdf, 1.2 GB for a 2,000-family packet class set. Here each part is opened in turn
(pikepdf reads it, qpdf spells each object), the objects its pages use are written at once under
new numbers, and only the page numbers and file offsets (8 bytes an object: a family's packet has
about 190) are kept, for the page tree and cross-reference table written at the end.

A part's objects are numbered in the order they are met from its pages, from the first number
free in the file: spelled elsewhere (in a family's packet, in the class set of every packet),
they differ only by a constant added to each number. A join keeps a journal of where each part
lies (signed with the cache entry, see incremental.py) and takes from the files it is lent (the
last join of the same class set, the packets a class set holds) the parts they hold: copied as
they lie where their numbers are the same, else object by object, each reference in its
dictionary renumbered (its stream's bytes as they are). One family's changed row re-joins one
part; the file is the same, byte for byte, as a join from scratch.
"""

from __future__ import annotations

import hashlib
import re
from array import array
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import pikepdf

from .digest import hash_file, key_of


def join_key(duplex: bool, title: str, lang: str, backs: Sequence[bool],
             digests: Sequence[str]) -> str:
    """What a join is made of (its parts' sha256) and how it joins them: the key its cache
    entry is kept under, and the joined file's /ID."""
    return key_of("join", str(duplex), title, lang, str(list(backs)), *digests)


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
FORMAT = 3


class Joined(NamedTuple):
    pages: int
    sha256: str  # of the file written


def join_pdfs(parts: Sequence[Path], duplex: bool, target: Path, digests: Sequence[str] = (),
              previous: tuple[Path, dict[str, Any]] | None = None,
              journal: dict[str, Any] | None = None, *, title: str = "", lang: str = "",
              backs: Sequence[bool] = (), holders: Mapping[str, Holder] | None = None
              ) -> Joined:
    """Join PDF files in order into `target`, with a blank page after each odd-length part when
    `duplex` (so every part starts on a new sheet), except before a part marked in `backs`
    (printed on the back of the one before). The file carries its title and language, and
    asks the print dialog for one or both sides. `digests`, the parts' sha256 (read from them
    if not given), name the file (its /ID); `previous` (a file this function joined, and its
    journal) and `holders` (for a part's sha256, what gives another such file holding it)
    lend the bytes of the parts they hold, and `journal` is filled in for the next join."""
    digests = list(digests) or [hash_file(path) for path in parts]
    flags = [*backs, *[False] * len(parts)][:len(parts)]
    spans: list[list[Any]] = []
    with target.open("wb") as fh, _Lenders(previous, holders or {}) as lenders:
        joined = _Writer(fh)
        for i, path in enumerate(parts):
            start, first, pages = fh.tell(), len(joined.offsets) + 1, len(joined.kids)
            # The blank back that starts the next part on a new sheet is written with this
            # part (it has this part's size), so a part's bytes are the same from join to join.
            follows = i + 1 < len(parts) and flags[i + 1]

            def blank_after(count: int, pages: int = pages, follows: bool = follows) -> bool:
                return _needs_blank(duplex, follows, pages + count)

            found = lenders.find(digests[i], first, blank_after)
            if found is not None:
                lent, span = found
                box, blank = span[7], blank_after(len(span[5]) - span[6])
                if joined.lend(lent, span, blank):
                    lenders.copied += 1
                else:
                    lenders.moved += 1
            else:
                with pikepdf.open(path) as part:
                    joined.part(part)
                    box = [float(v) for v in part.pages[-1].mediabox]
                blank = _needs_blank(duplex, follows, len(joined.kids))
                if blank:
                    joined.blank(box)
            spans.append([digests[i], first, len(joined.offsets) + 1, start, fh.tell(),
                          joined.kids[pages:], blank, box])
        # Named by what it is made of: the same parts joined the same way, the same name.
        named = join_key(duplex, title, lang, flags, digests)[:32]
        xref = joined.finish(named, title, lang, duplex)
        if journal is not None:
            journal.update(format=FORMAT, duplex=duplex, parts=spans, xref=xref,
                           size=len(joined.offsets) + 1, copied=lenders.copied,
                           moved=lenders.moved)
        return Joined(len(joined.kids), joined.digest.hexdigest())


def _needs_blank(duplex: bool, follows: bool, pages: int) -> bool:
    """Whether a blank page goes after a part that ends on page `pages`: when duplex and the
    next part starts a new sheet (it is not `follows`, printed on this one's back)."""
    return duplex and not follows and pages % 2 == 1


class _Lent:
    """A file join_pdfs wrote, and its journal: where each of its parts lies."""

    def __init__(self, path: Path, journal: dict[str, Any]) -> None:
        self.path = path
        self.journal = journal
        self.spans: dict[str, list[list[Any]]] = {}  # by the part's sha256
        if journal.get("format") == FORMAT:  # a journal of another format lends nothing
            for span in journal["parts"]:
                self.spans.setdefault(span[0], []).append(span)
        self._offsets = array("q")
        self._fh: BinaryIO | None = None

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()

    def _file(self) -> BinaryIO:
        if self._fh is None:
            self._fh = self.path.open("rb")
        return self._fh

    def offsets(self) -> array[int]:
        """The file's object offsets, by object number (0: the free entry)."""
        if not self._offsets:
            fh, size = self._file(), int(self.journal["size"])
            fh.seek(int(self.journal["xref"]) + len(b"xref\n0 %d\n" % size))
            for start in range(0, size, XREF_LINES):  # a piece of the table at a time
                table = fh.read(20 * min(XREF_LINES, size - start))
                self._offsets.extend(int(table[i:i + 10]) for i in range(0, len(table), 20))
        return self._offsets

    def read(self, start: int, end: int) -> bytes:
        fh = self._file()
        fh.seek(start)
        return fh.read(end - start)


Holder = Callable[[], "tuple[Path, dict[str, Any]] | None"]


class _Lenders:
    """Where a join finds its parts already spelled: the last join of the same file, and for a
    part's sha256 the file its holder gives (one such file open at a time: a class set's
    families' packets are reached one after the other)."""

    def __init__(self, previous: tuple[Path, dict[str, Any]] | None,
                 holders: Mapping[str, Holder]) -> None:
        self.previous = _Lent(*previous) if previous else None
        self.holders = holders
        self._held: tuple[Holder, _Lent | None] | None = None
        self.copied = 0  # parts copied whole
        self.moved = 0  # parts copied object by object, renumbered

    def __enter__(self) -> _Lenders:
        return self

    def __exit__(self, *_: object) -> None:
        for lent in (self.previous, self._held[1] if self._held else None):
            if lent is not None:
                lent.close()

    def find(self, digest: str, first: int, blank_after: Callable[[int], bool]
             ) -> tuple[_Lent, list[Any]] | None:
        """A span of the part with this sha256: one that lies where the part would be written
        now, with the blank it needs after it (copied whole), else any (renumbered)."""
        lent = self.previous
        if lent is None or digest not in lent.spans:
            lent = self._holding(digest)  # looked up only when the last join lacks the part
        spans = lent.spans.get(digest) if lent is not None else None
        if lent is None or not spans:
            return None
        whole = [s for s in spans if s[1] == first and s[6] == blank_after(len(s[5]) - s[6])]
        return lent, (whole or spans)[0]

    def _holding(self, digest: str) -> _Lent | None:
        holder = self.holders.get(digest)
        if holder is None:
            return None
        if self._held is None or self._held[0] is not holder:
            if self._held is not None and self._held[1] is not None:
                self._held[1].close()
            given = holder()
            self._held = (holder, _Lent(*given) if given else None)
        return self._held[1]


def _renumbered(written: bytes, number: int, shift: int) -> bytes:
    """The body of object `number` as _Writer wrote it, for object `number + shift`: each
    reference to another object of its part renumbered alike (the page tree's stays), its
    stream's bytes as they are."""
    body = written[len(b"%d 0 obj\n" % number):-len(b"\nendobj\n")]
    cut = body.find(b"\nstream\n")  # a dictionary is spelled on one line
    head, stream = (body, b"") if cut < 0 else (body[:cut], body[cut:])

    def renumber(match: re.Match[bytes]) -> bytes:
        if match[1] is None or int(match[1]) == PAGES:
            return match[0]  # a string, or the page tree
        return b"%d %s R" % (int(match[1]) + shift, match[2])

    return (_TOKENS.sub(renumber, head) if b" R" in head else head) + stream


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

    def lend(self, lent: _Lent, span: list[Any], blank: bool) -> bool:
        """A part as another join spelled it: copied whole where it lies at the same object
        numbers with the same blank after it (True), else object by object, renumbered."""
        _, first, after, start, end, kids, had, box = span
        data = lent.read(start, end)
        offsets = lent.offsets()
        shift = len(self.offsets) + 1 - first
        if shift == 0 and had == blank:
            moved = self.fh.tell() - start
            self.offsets.extend(offset + moved for offset in offsets[first:after])
            self.kids += kids
            self._write(data)
            return True
        own = after - had  # its objects end where the blank it had begins
        ends = [*offsets[first + 1:own], offsets[own] if had else end]
        at = offsets[first]
        for number, next_at in zip(range(first, own), ends, strict=True):
            self._object(self._number(), _renumbered(data[at - start:next_at - start], number,
                                                     shift))
            at = next_at
        self.kids += [kid + shift for kid in kids[:len(kids) - had]]
        if blank:
            self.blank(box)
        return False

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
