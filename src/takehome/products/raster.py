"""Pictures of PDF pages (pypdfium2): cover collages, square thumbnails, `takehome preview`."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from PIL import Image, ImageFilter

THUMBNAIL_PX = 1200  # marketplaces ask for at least 1080 px square
MAX_PICTURE_PIXELS = 200_000_000  # a Letter page at 1,500 dpi; about 600 MB as RGB


class PdfError(ValueError):
    """A file that is not a readable PDF, or a page it does not have."""


@contextmanager
def _opened(pdf: bytes | Path) -> Iterator[pdfium.PdfDocument]:
    try:
        document = pdfium.PdfDocument(pdf if isinstance(pdf, Path) else io.BytesIO(pdf))
    except pdfium.PdfiumError as exc:
        name = pdf.name if isinstance(pdf, Path) else "the PDF"
        raise PdfError(f"cannot read {name}: {exc}") from None
    try:
        document.init_forms()  # so form fields are drawn as a viewer shows them
        yield document
    finally:
        document.close()


def page_count(pdf: bytes | Path) -> int:
    with _opened(pdf) as document:
        return len(document)


def pictures(pdf: bytes | Path, pages: Sequence[int], *, dpi: float | None = None,
             width: int | None = None, height: int | None = None) -> Iterator[Image.Image]:
    """Pages (0-based) as RGB pictures, at `dpi` or scaled to a `width` or `height` in pixels.

    One at a time: a long class set at print resolution would not fit in memory at once.
    """
    with _opened(pdf) as document:
        for index in pages:
            page = document[index]
            w, h = page.get_size()  # points
            if width:
                scale = width / w
            elif height:
                scale = height / h
            else:
                scale = (dpi or 72) / 72
            pixels = round(w * scale) * round(h * scale)
            if pixels > MAX_PICTURE_PIXELS:
                page.close()
                raise PdfError(f"page {index + 1} is {w / 72 * 25.4:,.0f} × {h / 72 * 25.4:,.0f} "
                               f"mm: its picture would have {pixels / 1e6:,.0f} megapixels (the "
                               f"limit is {MAX_PICTURE_PIXELS // 1_000_000}); use a lower --dpi")
            bitmap = page.render(scale=scale, may_draw_forms=True)
            image = bitmap.to_pil().convert("RGB")
            page.close()
            yield image


def draw(pdf: bytes | Path, pages: Sequence[int], **size: Any) -> list[Image.Image]:
    """A few pages as pictures (see `pictures`)."""
    return list(pictures(pdf, pages, **size))


def png(image: Image.Image) -> bytes:
    """PNG bytes; the same picture always gives the same bytes (no dates, no text chunks)."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def data_uri(image: Image.Image) -> str:
    """A picture for a template, inline: the renderer reads no files outside the project."""
    return "data:image/png;base64," + base64.b64encode(png(image)).decode("ascii")


def thumbnail(page: Image.Image, background: tuple[int, int, int],
              size: int = THUMBNAIL_PX) -> Image.Image:
    """A page on a square card of `background`, with a soft shadow, as marketplaces show them."""
    margin = size // 20
    fit = page.copy()
    fit.thumbnail((size - 2 * margin, size - 2 * margin), Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", (size, size), background)
    x, y = (size - fit.width) // 2, (size - fit.height) // 2
    shadow = Image.new("L", (size, size), 0)
    offset = size // 150
    shadow.paste(70, (x + offset, y + 2 * offset, x + fit.width + offset,
                      y + fit.height + 2 * offset))
    shadow = shadow.filter(ImageFilter.GaussianBlur(size // 100))
    canvas.paste(Image.new("RGB", (size, size), (0, 0, 0)), (0, 0), shadow)
    canvas.paste(fit, (x, y))
    return canvas


def preview_files(pdf: Path, out_dir: Path, dpi: float,
                  pages: Sequence[int] | None = None) -> list[Path]:
    """Write PNG pictures of a PDF's pages (1-based `pages`, default all) into `out_dir`."""
    count = page_count(pdf)
    wanted = list(pages) if pages else list(range(1, count + 1))
    bad = [p for p in wanted if not 1 <= p <= count]
    if bad:
        raise PdfError(f"{pdf.name} has {count} page{'s' if count != 1 else ''}; "
                         f"there is no page {bad[0]}")
    width = len(str(count))
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for number, image in zip(wanted, pictures(pdf, [p - 1 for p in wanted], dpi=dpi),
                             strict=True):
        target = out_dir / f"{pdf.stem}-{number:0{width}d}.png"
        target.write_bytes(png(image))
        written.append(target)
    return written
