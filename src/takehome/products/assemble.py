"""Joining a product's PDFs: page order, contents links, bookmarks, metadata, the preview."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Link
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    TextStringObject,
)

from .. import fonts
from .fields import FieldFont, embed

LINK_SCHEME = "page:"  # contents entries link here; turned into links to the product's pages
PRODUCER = "takehome"


@dataclass
class Mark:
    """A bookmark: a title, the 0-based page it opens, and bookmarks under it."""

    title: str
    page: int
    children: list[Mark] = field(default_factory=list)


@dataclass(frozen=True)
class Metadata:
    title: str
    author: str
    subject: str
    keywords: str
    lang: str


def reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def pages(data: bytes) -> int:
    return len(reader(data).pages)


def _link_pages(writer: PdfWriter) -> None:
    """Turn the contents' `page:N` links into links to page N of this file.

    The typesetter makes one link per inline box of an entry (title, leader, number); they
    become a single link covering the whole entry.
    """
    for page in writer.pages:
        kept: list[object] = []
        links: list[tuple[int, list[float]]] = []  # target page, rectangle
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            action = annot.get("/A")
            uri = str(action.get_object().get("/URI", "")) if action is not None else ""
            if not uri.startswith(LINK_SCHEME):
                kept.append(ref)
                continue
            x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
            rect = [min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)]
            target = int(uri.removeprefix(LINK_SCHEME)) - 1
            for other, box in links:
                if other == target and rect[1] < box[3] and box[1] < rect[3]:  # same line
                    box[:] = [min(rect[0], box[0]), min(rect[1], box[1]),
                              max(rect[2], box[2]), max(rect[3], box[3])]
                    break
            else:
                links.append((target, rect))
        if not links:
            continue
        page[NameObject("/Annots")] = ArrayObject(kept)
        for target, rect in links:
            x1, y1, x2, y2 = rect
            writer.add_annotation(page, Link(rect=(x1, y1, x2, y2), target_page_index=target,
                                             border=[0, 0, 0]))


def _share_fields(writer: PdfWriter) -> None:
    """Every widget of a name becomes a kid of one field of that name.

    The typesetter makes a field per widget, so that the teacher's name on twenty pages is
    twenty fields of one name; PDF viewers link only the widgets of one field.
    """
    form = writer.root_object.get("/AcroForm")
    if form is None:
        return
    form = form.get_object()
    by_name: dict[str, list[DictionaryObject]] = {}
    order: list[str] = []
    for ref in form.get("/Fields", []):
        widget = ref.get_object()
        name = str(widget.get("/T", ""))
        if name not in by_name:
            order.append(name)
        by_name.setdefault(name, []).append(widget)
    fields = ArrayObject()
    for name in order:
        widgets = by_name[name]
        first = widgets[0]
        parent = DictionaryObject({NameObject("/T"): TextStringObject(name)})
        for key in ("/FT", "/Ff", "/V", "/DV", "/DA", "/Q", "/MaxLen"):
            if key in first:
                parent[NameObject(key)] = first[key]
        parent_ref = writer._add_object(parent)
        kids = ArrayObject()
        for widget in widgets:
            for key in ("/T", "/FT", "/Ff", "/V", "/DV", "/MaxLen"):
                if key in widget:
                    del widget[NameObject(key)]
            widget[NameObject("/Parent")] = parent_ref
            kids.append(widget.indirect_reference)
        parent[NameObject("/Kids")] = kids
        fields.append(parent_ref)
    form[NameObject("/Fields")] = fields


def _outline(writer: PdfWriter, marks: Sequence[Mark], parent: IndirectObject | None = None
             ) -> None:
    for mark in marks:
        item = writer.add_outline_item(title=mark.title, page_number=mark.page, parent=parent)
        _outline(writer, mark.children, item)


def join(parts: Sequence[bytes], marks: Sequence[Mark], meta: Metadata,
         field_font: FieldFont | None = None) -> bytes:
    """The product PDF: parts in order, working contents links, bookmarks and metadata; with
    a `field_font`, form fields of one name made one field (typed once, shown everywhere) and
    set in that font."""
    writer = PdfWriter()
    for data in parts:
        writer.append(reader(data), import_outline=False)
    _link_pages(writer)
    if field_font is not None:
        _share_fields(writer)
        # The typesetter embeds whole fonts in documents with form fields, a copy in each
        # part: one copy of each is enough (half the file's size). Before the fields'
        # appearances are made, so that each widget keeps its own: a filler that writes one in
        # place (pypdf does) would otherwise show its text in every widget of that size.
        writer.compress_identical_objects()
        embed(writer, field_font)
    _outline(writer, marks)
    _finish(writer, meta)
    writer.page_mode = "/UseOutlines"  # open with the bookmarks showing
    return _bytes(writer)


def _finish(writer: PdfWriter, meta: Metadata) -> None:
    writer.add_metadata({"/Title": meta.title, "/Author": meta.author, "/Subject": meta.subject,
                         "/Keywords": meta.keywords, "/Creator": PRODUCER,
                         "/Producer": PRODUCER})
    writer.root_object[NameObject("/Lang")] = TextStringObject(meta.lang)
    preferences = writer.create_viewer_preferences()
    preferences.display_doctitle = True  # type: ignore[assignment]  # show the title


def _bytes(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def preview(product: bytes, chosen: Sequence[int], watermark: bytes, meta: Metadata) -> bytes:
    """Chosen pages (1-based) of the product with the watermark laid over each; no links."""
    source = reader(product)
    stamp = reader(watermark).pages[0]
    writer = PdfWriter()
    for number in chosen:
        page = writer.add_page(source.pages[number - 1])
        if "/Annots" in page:
            del page[NameObject("/Annots")]  # its links point at pages the preview lacks
        page.merge_page(stamp, over=True)
    _finish(writer, meta)
    return _bytes(writer)


_SUBSET = re.compile(r"^[A-Z]{6}\+")


def fonts_used(pdfs: Sequence[bytes]) -> set[str]:
    """The installed font families that these PDFs embed."""
    names = {f["name"] for f in fonts.credits()}
    by_base = sorted(((n.replace(" ", "-"), n) for n in names), key=lambda x: -len(x[0]))
    used = set()
    for data in pdfs:
        for page in reader(data).pages:
            resources = page.get("/Resources")
            font_dict = resources.get_object().get("/Font") if resources else None
            for font in (font_dict.get_object().values() if font_dict else []):
                base = _SUBSET.sub("", str(font.get_object().get("/BaseFont", ""))[1:])
                for prefix, name in by_base:
                    if base == prefix or base.startswith(prefix + "-"):
                        used.add(name)
                        break
    return used

