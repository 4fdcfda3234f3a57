"""WeasyPrint: HTML -> laid-out pages -> checks -> PDF bytes, reading only allowed local files.

Import it through `typeset.load_engine()`, which first points fontconfig at the font packages (and
fixes the PDF dates): WeasyPrint reads that setting once, when it loads fontconfig.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import CSS, HTML, Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from ... import files, fonts, i18n, inksaver
from ...files import FONT_SUFFIXES, MAX_FILE_BYTES, media_type
from ..digest import sha256
from ..records import Batch, Record, Typeset

log = logging.getLogger(__name__)

# WeasyPrint notes that the machine lacks libharfbuzz-subset and falls back to fontTools:
# a speed matter of the machine, not a problem in the user's documents.
_MACHINE_NOTICES = ("HarfBuzz-Subset",)


class RefusedURL(ValueError):
    """A document asked for something the render stage did not check (see build/assets.py)."""


class LocalFetcher(URLFetcher):  # type: ignore[misc]
    """Serves what the render stage checked and nothing else: the files a page's references
    name, each only while it still has the sha256 its cache key covers; fonts from the font
    packages; data: addresses (their bytes are in the page). No network, no other file."""

    def __init__(self, fonts_from: Sequence[Path], greyscale: bool = False,
                 assets: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__(allowed_protocols={"file", "data"})
        self.fonts = [Path(r).resolve() for r in fonts_from]
        self.greyscale = greyscale
        self.assets = dict(assets)

    def fetch(self, url: str, headers: object = None):  # type: ignore[no-untyped-def]
        response = self._fetch(url, headers)
        if self.greyscale and response.content_type.startswith("image/"):
            data = inksaver.grey_image(response.read(), response.content_type)
            response.close()
            return URLFetcherResponse(response.url, data, response.headers)
        return response

    def _fetch(self, url: str, headers: object):  # type: ignore[no-untyped-def]
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"refused {url!r}: only files inside the project are read")
        path = Path(url2pathname(parts.path))
        try:
            real = path.resolve(strict=True)
            if str(real) in self.assets:
                data = files.read_bytes(real, real.parent, MAX_FILE_BYTES)
                if sha256(data) != self.assets[str(real)]:
                    raise RefusedURL(f"refused {url!r}: the file changed during the build")
            elif any(real.is_relative_to(r) for r in self.fonts) and \
                    real.suffix.lower() in FONT_SUFFIXES:
                data = files.read_bytes(real, self.fonts, MAX_FILE_BYTES)
            else:
                raise RefusedURL(f"refused {url!r}: not a file this page's references name")
        except (OSError, RuntimeError, files.Refused) as exc:
            raise RefusedURL(f"refused {url!r}: {exc}") from None
        return URLFetcherResponse(real.as_uri(), data, {"Content-Type": media_type(real)})


def fetcher(records: Iterable[Record], greyscale: bool = False) -> LocalFetcher:
    """The fetcher for pages laid out together: the files their references name, and fonts."""
    return LocalFetcher(fonts.directories(), greyscale,
                        [asset for record in records for asset in record.assets])


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if any(notice in message for notice in _MACHINE_NOTICES):
            return
        self.messages.append(message)


@contextmanager
def captured() -> Iterator[_Capture]:
    logger = logging.getLogger("weasyprint")
    handler = _Capture()
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


@cache
def font_config() -> FontConfiguration:
    return FontConfiguration()


@cache
def stylesheet(css: str, base_dir: Path, assets: frozenset[tuple[str, str]]) -> CSS:
    """A document's stylesheet, parsed (and the fonts it names loaded) once per process."""
    return CSS(string=css, base_url=base_dir.as_uri() + "/",
               url_fetcher=LocalFetcher(fonts.directories(), assets=assets),
               font_config=font_config())


SHELL_CSS = "article.record + article.record { break-before: page; }"
FIT_TOLERANCE_PX = 0.5  # layout rounding, not overflow
PX_PER_MM = 96 / 25.4


def _overflows(page_box: object) -> list[str]:
    """Boxes marked `data-fit="NAME"` whose content runs past their content box, by how much."""
    found = []

    def walk(box: object) -> None:
        element = getattr(box, "element", None)
        name = element.get("data-fit") if element is not None else None
        if name and getattr(box, "element_tag", None) and hasattr(box, "content_box_y"):
            bottom = box.content_box_y() + box.height  # type: ignore[attr-defined]
            right = box.content_box_x() + box.width  # type: ignore[attr-defined]
            over_y = over_x = 0.0
            for inner in box.descendants():  # type: ignore[attr-defined]
                if getattr(inner, "element", None) is element or not hasattr(
                        inner, "border_box_y") or inner.style["visibility"] != "visible":
                    continue  # the box itself, or a field's invisible strut
                if type(inner).__name__ == "TextBox":  # lines are as wide as the box; words are not
                    over_x = max(over_x, inner.border_box_x() + inner.border_width() - right)
                    # A text box is as tall as its font's ascent and descent (2.1 em for Noto
                    # Sans Arabic), not its line: its line box is what must fit.
                    continue
                over_y = max(over_y, inner.border_box_y() + inner.border_height() - bottom)
            if over_y > FIT_TOLERANCE_PX or over_x > FIT_TOLERANCE_PX:
                side = "bottom" if over_y >= over_x else "right edge"
                found.append(f"{name} does not fit: its text runs "
                             f"{max(over_y, over_x) / PX_PER_MM:.1f} mm past the {side}")
            return
        for child in getattr(box, "children", ()):
            walk(child)

    walk(page_box)
    return found


def _shell(batch: Batch) -> str:
    first = batch.records[0]
    parts = [
        f'<!DOCTYPE html><html lang="{html.escape(i18n.tag(first.lang))}"><head>'
        '<meta charset="utf-8">'
        f"<title>{html.escape(first.title)}</title><style>{SHELL_CSS}</style></head><body>"
    ]
    for i, record in enumerate(batch.records):
        parts.append(f'<article class="record" id="record-{i}" '
                     f'lang="{html.escape(i18n.tag(record.lang))}">'
                     f"{record.markup}</article>")
    parts.append("</body></html>")
    return "".join(parts)


def lay_out(batch: Batch) -> tuple[Document, list[list[Any]], list[str]]:
    """Lay out every record of `batch` in one pass: the document, each record's pages, and what
    WeasyPrint said."""
    with captured() as capture:
        parsed = stylesheet(batch.css, batch.base_dir,
                            frozenset(a for r in batch.records for a in r.assets))
        document = HTML(string=_shell(batch), base_url=batch.base_dir.as_uri() + "/",
                        url_fetcher=fetcher(batch.records, batch.greyscale)).render(
            stylesheets=[parsed], font_config=font_config(),
            pdf_forms=batch.forms,
        )
    starts: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        for anchor in [a for a in page.anchors if a.startswith("record-")]:
            starts.setdefault(anchor, number)
            # The id depends on the record's place in its batch: dropping it keeps each PDF's
            # bytes the same whichever records it was laid out with.
            del page.anchors[anchor]
    bounds = [starts.get(f"record-{i}", 0) for i in range(len(batch.records))]
    bounds.append(len(document.pages))
    pages = [document.pages[bounds[i]:bounds[i + 1]] for i in range(len(batch.records))]
    return document, pages, list(capture.messages)


def write(document: Document, pages: list[Any], record: Record, batch: Batch,
          shared: list[str]) -> Typeset:
    """One record's PDF from its laid-out pages, with the problems found on them."""
    options: dict[str, Any] = {"pdf_identifier": True, "pdf_forms": batch.forms}
    if batch.tagged:
        options["pdf_variant"] = "pdf/ua-1"
    part = document.copy(pages)
    part.metadata.title = record.title
    part.metadata.lang = i18n.tag(record.lang)
    with captured() as capture:
        pdf = part.write_pdf(**options)
    messages = shared + capture.messages
    # A refused fetch means a template asked for something outside the project: an error.
    refused = [m for m in messages if RefusedURL.__name__ in m]
    result = Typeset(pdf, len(pages), [m for m in messages if m not in refused], refused)
    for page in pages:
        result.errors += _overflows(page._page_box)
    if record.max_pages is not None and len(pages) > record.max_pages:
        result.errors.append(f"runs to {len(pages)} pages; it must fit on {record.max_pages}")
    return result


def typeset_in_full(batch: Batch) -> list[Typeset]:
    """Every record of `batch`, laid out in one pass, as one PDF each (one pass each when
    `batch.alone`: records in one pass share one page count)."""
    if batch.alone and len(batch.records) > 1:
        return [typeset_in_full(replace(batch, records=(r,)))[0] for r in batch.records]
    document, pages, shared = lay_out(batch)
    return [write(document, p, record, batch, shared)
            for p, record in zip(pages, batch.records, strict=True)]
