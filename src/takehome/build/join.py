"""Class sets: many PDFs joined into one, written as they are read, in bounded memory.

A PDF library joins files by holding every object of the result until it is saved: about 4 KB
an object in qpdf, 1.2 GB for a 2,000-family packet class set. Here each part is opened in turn
(pikepdf reads it and spells every value), the objects its pages use are written out at once
under new numbers, and only the page numbers and file offsets are kept for the page tree and
the cross-reference table written at the end. Memory does not grow with the roster.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import pikepdf

# Kept from a page's ancestors in its part: the joined file has a page tree of its own.
_INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
CATALOG, PAGES = 1, 2  # object numbers; both are written last


def join_pdfs(parts: Sequence[Path], duplex: bool, target: Path, title: str = "",
              lang: str = "", backs: Sequence[bool] = ()) -> int:
    """Join PDF files in order into `target`, with a blank page after each odd-length part when
    `duplex` (so every part starts on a new sheet), except before a part marked in `backs`
    (printed on the back of the one before); returns the page count. The file carries its
    title and language, and asks the print dialog for one or both sides."""
    flags = [*backs, *[False] * len(parts)][:len(parts)]
    with target.open("wb") as fh:
        joined = _Writer(fh)
        box: list[float] | None = None  # the last page's size: a blank page is as large
        for path, on_the_back in zip(parts, flags, strict=True):
            if duplex and len(joined.kids) % 2 and not on_the_back and box is not None:
                joined.blank(box)  # the part starts on a new sheet
            with pikepdf.open(path) as part:
                joined.part(part)
                box = [float(v) for v in part.pages[-1].mediabox]
        if duplex and len(joined.kids) % 2 and box is not None:
            joined.blank(box)
        joined.finish(title, lang, duplex)
        return len(joined.kids)


class _Writer:
    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.digest = hashlib.sha256()  # of everything written: the file's /ID
        self.offsets: list[int] = [0, 0]  # by object number - 1
        self.kids: list[int] = []
        self.numbers: dict[tuple[int, int], int] = {}  # the current part's objects, renumbered
        self.queue: deque[Any] = deque()
        self.dests: pikepdf.NameTree | None = None  # the current part's named places
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
        names = pdf.Root.get("/Names")
        self.dests = pikepdf.NameTree(names.Dests) if names and "/Dests" in names else None
        self.kids += [self._ref(page.obj) for page in pdf.pages]
        while self.queue:
            obj = self.queue.popleft()
            self._object(self.numbers[obj.objgen], self._body(obj))

    def blank(self, box: list[float]) -> None:
        number = self._number()
        self.kids.append(number)
        size = b" ".join(f"{v:.4f}".rstrip("0").rstrip(".").encode() for v in box)
        self._object(number, b"<< /Type /Page /Parent %d 0 R /MediaBox [ %s ] /Resources << >> >>"
                     % (PAGES, size))

    def finish(self, title: str = "", lang: str = "", duplex: bool = True) -> None:
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
        identifier = self.digest.hexdigest()[:32].encode()
        table = b"".join(b"%010d 00000 n \n" % offset for offset in self.offsets)
        self._write(b"xref\n0 %d\n0000000000 65535 f \n%strailer\n<< /Size %d /Root %d 0 R "
                    b"/Info %d 0 R /ID [ <%s> <%s> ] >>\nstartxref\n%d\n%%%%EOF\n"
                    % (len(self.offsets) + 1, table, len(self.offsets) + 1, CATALOG, info,
                       identifier, identifier, xref))

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
                self._dictionary({**entries, "/Length": len(data)}), data)
        if obj.get("/Type") == pikepdf.Name.Page:
            entries = {k: v for k, v in obj.items() if k != "/Parent"}
            for key in _INHERITED:
                parent = obj.get("/Parent")
                while key not in entries and parent is not None:
                    if key in parent:
                        entries[key] = parent[key]
                    parent = parent.get("/Parent")
            return self._dictionary(entries, parent=True)
        return self._value(obj, top=True)

    def _dictionary(self, entries: dict[str, Any], parent: bool = False) -> bytes:
        items = b" ".join(b"%s %s" % (pikepdf.Name(k).unparse(), self._value(self._dest(k, v)))
                          for k, v in entries.items())
        return b"<< %s%s >>" % (items, b" /Parent %d 0 R" % PAGES if parent else b"")

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
