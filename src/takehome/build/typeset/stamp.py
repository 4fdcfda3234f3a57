"""Personalised copies without laying every page out again.

A template marks an element that holds one family's words with `data-field` (plain text, no
tags inside). Copies whose HTML differs only in those words share a *base*: the HTML with each
field's words replaced by an invisible placeholder line (records.split_fields). The base is laid
out once per process and written once; each copy then lays out only its own words, each in a
box as wide as its field, at the field's place, in the field's computed text style (a batch's
copies all on one page, in one WeasyPrint pass, then written a copy at a time), and those
words are overlaid on the base's pages (pikepdf).

That gives the full render's output whenever each field's words take as many lines, as tall, as
the placeholder and are no wider than the field: nothing else on the page can then move. The
invisible struts base.css gives every field make its lines as tall in every script (a copy's
words get empty boxes as tall, measured on the base, not shaped again). A copy that fails the
check (a long name wrapping onto a second line) is laid out in full instead, so the check decides
speed, never what is printed. tests/test_stamp.py compares stamped copies with full renders
glyph by glyph and pixel by pixel.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import pikepdf
import tinycss2
from weasyprint import CSS, HTML
from weasyprint.document import Page

from ... import fonts, i18n
from ..digest import key_of
from ..incremental import Cache, engine_fingerprint
from ..records import Assets, Batch, Record, Typeset, with_lines
from .engine import (
    FIT_TOLERANCE_PX,
    LocalFetcher,
    captured,
    fetcher,
    font_config,
    lay_out,
    stylesheet,
    typeset_in_full,
    write,
)
from .textstyle import TEXT_STYLE, NotStampable, declaration

SAME_PX = 0.01  # layout arithmetic, not a different height
MAX_LINES = 4  # a field's words on more lines than this are laid out in full
Lines = tuple[tuple[int, int], ...]  # (field, lines) for each field not on one line
BASES_KEPT = 16  # laid-out bases each process keeps (a few KB to a few hundred KB each)
BASE_FORMAT = "2"  # what a base's cache entry holds (its fields' facts): part of its key


@dataclass(frozen=True)
class Field:
    """One place a field's words go: a field in a running footer has one on every page."""

    number: int
    page: int
    x: float  # content box, CSS px from the page's top left
    y: float
    width: float
    height: float
    style: str  # its computed text style, as CSS declarations
    lang: str
    lines: int
    strut: tuple[str, str]  # invisible ::before and ::after that set its line's height (base.css)
    reach: tuple[tuple[float, float], tuple[float, float]]  # how far each reaches above and
    # below its line's baseline (CSS px): a copy's words get empty boxes as tall (_rules)


@dataclass(frozen=True)
class Base:
    """A base laid out and written: its PDF with the fields blank, and where the fields go."""

    result: Typeset
    size: tuple[float, float]  # CSS px; every page of a base has it
    fields: tuple[Field, ...]


def typeset_stamped(batch: Batch) -> list[Typeset]:
    """Each record of a batch sharing `batch.base`: stamped when faithful, laid out otherwise.

    A copy whose words wrap onto more lines than a field's blank (a long name on a card) is
    stamped on the base laid out with that many placeholder lines in that field: one more
    layout for all the copies that wrap alike, instead of a full layout for each."""
    assert batch.base is not None
    first = batch.records[0]
    results: dict[int, Typeset] = {}
    pending: dict[Lines, list[int]] = {(): list(range(len(batch.records)))}
    tried: set[Lines] = set()
    while pending:
        lines, members = pending.popitem()
        tried.add(lines)
        how = (batch.css, batch.base_dir, batch.greyscale, first.lang, first.max_pages,
               first.shows, first.assets)
        base = _base(with_lines(batch.base, dict(lines)), *how)
        if base is None:
            continue
        done, wrapped = _stamped(replace(batch, records=tuple(batch.records[i] for i in members)),
                                 base)
        results.update((members[j], typeset) for j, typeset in done.items())
        for j, layout in wrapped.items():
            if layout not in tried:
                pending.setdefault(layout, []).append(members[j])
    missing = [i for i in range(len(batch.records)) if i not in results]
    if missing:
        again = replace(batch, records=tuple(batch.records[i] for i in missing), base=None)
        results.update(zip(missing, typeset_in_full(again), strict=True))
    return [results[i] for i in range(len(batch.records))]


@lru_cache(maxsize=BASES_KEPT)
def _base(html: str, css: str, base_dir: Path, greyscale: bool, lang: str,
          max_pages: int | None, shows: tuple[str, ...],
          assets: tuple[tuple[str, str], ...]) -> Base | None:
    """A base laid out and written, or None if it cannot be stamped: once per process, and
    kept in the build cache (signed like every entry), so that other processes, later builds
    and other shards take it from there. `shows`: the files it shows, with their hashes (an
    image edited makes another base); `assets`: those files, for the fetcher."""
    cache = Cache(base_dir)
    key = key_of("base", BASE_FORMAT, engine_fingerprint(), html, css, lang, str(greyscale),
                 str(max_pages), *shows)
    found = cache.get_with(key)
    if found is not None:
        entry, warnings, extra = found
        if not extra["fields"]:
            return None
        fields = tuple(Field(**{**f, "strut": tuple(f["strut"]),
                                "reach": tuple(tuple(r) for r in f["reach"])})
                       for f in extra["fields"])
        return Base(Typeset(cache.read(entry), entry.pages, warnings, list(extra["errors"])),
                    tuple(extra["size"]), fields)
    base = _lay_out_base(html, css, base_dir, greyscale, lang, max_pages, assets)
    result = base.result if base else Typeset(b"", 0)
    cache.put(key, result, {"fields": [asdict(f) for f in base.fields] if base else [],
                            "size": list(base.size) if base else [], "errors": result.errors})
    return base


def _lay_out_base(html: str, css: str, base_dir: Path, greyscale: bool, lang: str,
                  max_pages: int | None, assets: tuple[tuple[str, str], ...]) -> Base | None:
    # Nothing of any one copy (its title) goes into the base: each copy's bytes are its own.
    record = Record(html, lang, "", max_pages, assets=assets)
    single = Batch((record,), css, base_dir, greyscale=greyscale)
    document, (pages,), shared = lay_out(single)
    try:
        fields = tuple(_fields(pages))
        if len({f.strut for f in fields}) != 1:
            raise NotStampable("fields with different struts, or none")
        return Base(write(document, pages, record, single, shared), _size(pages), fields)
    except NotStampable:
        return None


def _size(pages: list[Any]) -> tuple[float, float]:
    sizes = {(p.width, p.height) for p in pages}
    if len(sizes) != 1 or any(any(p.bleed.values()) for p in pages):
        raise NotStampable("pages of several sizes, or with bleed")
    return sizes.pop()


def _fields(pages: list[Any]) -> list[Field]:
    found = []

    def walk(box: Any, page: int) -> None:
        element = getattr(box, "element", None)
        number = element.get("data-field") if element is not None else None
        if number is not None and getattr(box, "element_tag", None) == element.tag:  # type: ignore[union-attr]
            found.append(_field(box, int(number), page))
            return
        for child in getattr(box, "children", ()):
            walk(child, page)

    for index, page in enumerate(pages):
        walk(page._page_box, index)
    return found


def _field(box: Any, number: int, page: int) -> Field:
    if type(box).__name__ not in ("BlockBox", "InlineBlockBox") or box.element_tag in (
            "h1", "h2", "h3", "h4", "h5", "h6"):  # inline words move with their line; headings
        raise NotStampable(f"field {number} is a {type(box).__name__} <{box.element_tag}>")
    generated = [b for b in box.descendants() if "::" in (getattr(b, "element_tag", "") or "")]
    if any(not b.element_tag.endswith(("::before", "::after")) or b.style["visibility"] !=
           "hidden" for b in generated):  # a ::marker, or words shown: not copied
        raise NotStampable(f"field {number} has generated content")
    before, after = ("".join(b.text for b in generated if type(b).__name__ == "TextBox"
                             and b.element_tag.endswith(side)) for side in ("::before", "::after"))
    style = box.style
    declarations = [declaration(style, name) for name in TEXT_STYLE]
    if style["height"] != "auto":  # its words are placed at the top of its content box
        declarations.append(f"height: {box.height!r}px")
    if (getattr(style["min_height"], "value", style["min_height"]) not in ("auto", 0)
            or getattr(style["max_height"], "value", 0) != float("inf")
            or style["text_decoration_line"] != "none"):
        raise NotStampable(f"field {number} has a min-height, max-height or text decoration")
    return Field(number, page, box.content_box_x(), box.content_box_y(), box.width, box.height,
                 "; ".join(d for d in declarations if d), style["lang"] or "",
                 sum(1 for c in box.children if type(c).__name__ == "LineBox"), (before, after),
                 (_reach(box, number, "::before"), _reach(box, number, "::after")))


def _reach(box: Any, number: int, side: str) -> tuple[float, float]:
    """How far a field's strut (its ::before or ::after) reaches above and below the baseline
    of its line, as WeasyPrint laid it out: an inline-block on the baseline."""
    struts = [b for b in box.descendants() if type(b).__name__ == "InlineBlockBox"
              and (b.element_tag or "").endswith(side)]
    if len(struts) != 1 or struts[0].style["vertical_align"] != "baseline":
        raise NotStampable(f"field {number} has no strut {side} on the baseline")
    return struts[0].baseline, struts[0].margin_height() - struts[0].baseline


def _stamped(batch: Batch, base: Base) -> tuple[dict[int, Typeset], dict[int, Lines]]:
    """The records whose words fit their fields, each as the base with its words overlaid; and
    the records whose words take other line counts (field -> lines), for a base laid out so."""
    pages_of = sorted({f.page for f in base.fields})
    width, height = base.size
    sheets = []
    for r, record in enumerate(batch.records):
        for page in pages_of:
            boxes = "".join(
                f'<div class="f{i}" data-stamp="{r}.{i}" lang="{html.escape(f.lang)}">'
                f"{record.fields[f.number]}</div>"
                for i, f in enumerate(base.fields) if f.page == page)
            sheets.append(f"<section>{boxes}</section>")
    css = (f"@page {{ size: {width!r}px {height!r}px; margin: 0 }} "
           "html, body { margin: 0; padding: 0 } "
           "section { position: relative; height: 0 } "
           "div { position: absolute; margin: 0; padding: 0; border: 0 } "
           + " ".join(_rules(i, f) for i, f in enumerate(base.fields)))
    with captured() as capture:
        document = HTML(string=f"<!DOCTYPE html><html><body>{''.join(sheets)}</body></html>",
                        base_url=batch.base_dir.as_uri() + "/",
                        url_fetcher=fetcher(batch.records)).render(
            stylesheets=[_faces(batch.css, batch.base_dir, batch.records[0].assets),
                         CSS(string=css)],
            font_config=font_config())
    sheet = _one_sheet(document.pages, len(sheets))
    if sheet is None:
        return {}, {}
    laid = _laid(document.pages)
    results: dict[int, Typeset] = {}
    wrapped: dict[int, Lines] = {}
    per = len(pages_of)
    for r, record in enumerate(batch.records):
        got = [laid[(r, i)] for i in range(len(base.fields)) if (r, i) in laid]
        if len(got) != len(base.fields) or not all(box.inside for box in got):
            continue
        if all(box.lines == f.lines and abs(box.height - f.height) <= SAME_PX
               for box, f in zip(got, base.fields, strict=True)):
            mine = [sheet(r * per + k) for k in range(per)]
            with captured() as written:
                words = document.copy(mine).write_pdf()
            results[r] = Typeset(_overlay(base.result.pdf, words, pages_of, record),
                                 base.result.pages,
                                 base.result.warnings + capture.messages + written.messages,
                                 list(base.result.errors))
            continue
        counts: dict[int, set[int]] = {}
        for box, f in zip(got, base.fields, strict=True):
            counts.setdefault(f.number, set()).add(box.lines)
        if all(len(c) == 1 and 1 <= min(c) <= MAX_LINES for c in counts.values()):
            wrapped[r] = tuple(sorted((n, c.pop()) for n, c in counts.items() if min(c) != 1))
    return results, wrapped


def _one_sheet(pages: list[Any], count: int) -> Callable[[int], Page] | None:
    """The stamp document is laid out as one page holding every copy's words, each copy's in
    a section of no height at the page's top left (margin boxes and page styles are worked out
    once, not once a copy); `page(i)` is a page with the i-th section alone, for writing one
    copy's words. None if the layout is not that shape."""
    if len(pages) != 1:
        return None
    page_box = pages[0]._page_box
    root: Any = page_box.children[0] if page_box.children else None
    body: Any = root.children[0] if root is not None and len(root.children) == 1 else None
    sections = body.children if body is not None else []
    if len(sections) != count or any(s.element_tag != "section" for s in sections):
        return None

    def page(i: int) -> Page:
        html = root.copy_with_children([body.copy_with_children([sections[i]])])
        return Page(page_box.copy_with_children([html, *page_box.children[1:]]))

    return page


def _rules(i: int, field: Field) -> str:
    """A field's place and text style, and its struts as empty boxes as tall as the base's:
    once per batch, in the stylesheet, rather than parsed again in every copy's markup."""
    rules = [f".f{i} {{ left: {field.x!r}px; top: {field.y!r}px; width: {field.width!r}px; "
             f"{field.style} }}"]
    before, after = field.reach
    reach: tuple[tuple[float, float], ...] = field.reach
    if field.lines == 1:  # both struts on one line: one box reaching as far as both do
        reach = ((max(before[0], after[0]), max(before[1], after[1])),)
    for side, (above, below) in zip(("before", "after"), reach, strict=False):
        # An empty inline-block's baseline is its bottom edge: raised by `below`, it reaches
        # `above` over the line's baseline and `below` under it, as the strut does.
        rules.append(f'.f{i}::{side} {{ content: ""; display: inline-block; width: 0; '
                     f"visibility: hidden; height: {above + below!r}px; "
                     f"vertical-align: {-below!r}px }}")
    return " ".join(rules)


@dataclass(frozen=True)
class Laid:
    """How a field's words were laid out: inside its width, in how many lines, how tall."""

    inside: bool
    lines: int
    height: float


def _laid(pages: list[Any]) -> dict[tuple[int, int], Laid]:
    """For each stamped box ("record.field"): whether its words are no wider than the field
    (the invisible struts aside), its lines and its height."""
    found = {}

    def walk(box: Any) -> None:
        element = getattr(box, "element", None)
        name = element.get("data-stamp") if element is not None else None
        if name and getattr(box, "element_tag", None) == "div":
            r, i = (int(n) for n in name.split("."))
            left = box.content_box_x()
            right = left + box.width + FIT_TOLERANCE_PX
            inside = all(left - FIT_TOLERANCE_PX <= t.position_x and t.position_x + t.width <= right
                         for t in box.descendants()
                         if type(t).__name__ == "TextBox" and "::" not in t.element_tag)
            lines = sum(1 for c in box.children if type(c).__name__ == "LineBox")
            found[(r, i)] = Laid(inside, lines, box.height)
            return
        for child in getattr(box, "children", ()):
            walk(child)

    for page in pages:
        walk(page._page_box)
    return found


def prepare(css: str, base_dir: Path, assets: Assets) -> None:
    """Parse a stylesheet as a page's layout with it, and the stamping of copies with it, will
    want it (the fonts it names loaded), ahead of them: see Workers.warm."""
    stylesheet(css, base_dir, frozenset(assets))
    _faces(css, base_dir, assets)


@cache
def _faces(css: str, base_dir: Path, assets: Assets) -> CSS:
    """The @font-face rules of a document's stylesheet: the fonts its fields name."""
    rules = [r for r in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
             if r.type == "at-rule" and r.lower_at_keyword == "font-face"]
    return CSS(string=tinycss2.serialize(rules), base_url=base_dir.as_uri() + "/",
               url_fetcher=LocalFetcher(fonts.directories(), assets=assets),
               font_config=font_config())


def _overlay(base_pdf: bytes, stamp_pdf: bytes, pages: list[int], record: Record) -> bytes:
    """The base PDF with a record's words drawn over the pages that have fields."""
    with pikepdf.open(io.BytesIO(base_pdf)) as pdf, pikepdf.open(io.BytesIO(stamp_pdf)) as stamp:
        for source, target in enumerate(pages):
            # As Page.add_overlay does, but under a fixed name (it picks a random one); one per
            # page, as WeasyPrint gives all pages one /Resources.
            page = pikepdf.Page(pdf.pages[target])
            words = pikepdf.Page(stamp.pages[source]).as_form_xobject()
            name = page.add_resource(words, pikepdf.Name.XObject,
                                     pikepdf.Name(f"/FamilyWords{target}"), replace_existing=False)
            page.contents_add(b"q\n", prepend=True)
            page.contents_add(b"Q\n")
            page.contents_add(page.calc_form_xobject_placement(
                words, name, pikepdf.Rectangle(page.mediabox)))
            page.contents_coalesce()
        pdf.docinfo["/Title"] = record.title
        pdf.Root.Lang = pikepdf.String(i18n.tag(record.lang))
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    return out.getvalue()
