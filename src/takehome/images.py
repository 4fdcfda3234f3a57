"""Images from content: checked before the renderer sees them (real, bounded, not hostile), then
turned upright, stripped and downscaled to what the page needs."""

from __future__ import annotations

import base64
import io
import re
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

MAX_PIXELS = 50_000_000  # a 50-megapixel photo prints at over 300 dpi on a full page
MAX_SVG_BYTES = 2_000_000
PRINT_DPI = 300
MM_PER_INCH = 25.4
VECTOR_SUFFIXES = {".svg"}
MIME = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp"}


def problem(path: Path) -> str | None:
    """Why the image at `path` cannot be used, or None when it is fine."""
    if path.suffix.lower() == ".svg":
        return _svg_problem(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return (f"image is {width}×{height} pixels; the limit is "
                            f"{MAX_PIXELS // 1_000_000} megapixels: save a smaller copy")
                image.verify()  # reads the whole file: catches truncation and corruption
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return (f"image has more than {MAX_PIXELS // 1_000_000} megapixels (too large to open "
                "safely): save a smaller copy")
    except UnidentifiedImageError:
        return "not an image that can be printed (PNG, JPEG, GIF, WebP or SVG)"
    except (OSError, SyntaxError, ValueError) as exc:
        return f"image is damaged or truncated ({exc})"
    return None


def _svg_problem(path: Path) -> str | None:
    data = path.read_bytes()
    if len(data) > MAX_SVG_BYTES:
        return f"SVG is larger than {MAX_SVG_BYTES // 1_000_000} MB"
    if re.search(rb"<!(DOCTYPE|ENTITY)", data, re.IGNORECASE):
        return "SVG with a DOCTYPE or entities is refused (they can expand without bound)"
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        return f"SVG is not valid XML ({exc})"
    if not root.tag.endswith("svg"):
        return "not an SVG image"
    return None


class ImageProblem(ValueError):
    """An image that cannot be used: unreadable, damaged, or too large to decode safely."""


@dataclass(frozen=True)
class Prepared:
    """An image ready to embed: its bytes, type and pixel size (0 x 0 for vector images)."""

    data: bytes
    mime: str
    width: int
    height: int

    @property
    def data_uri(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"


def pixels_for(width_mm: float, dpi: int = PRINT_DPI) -> int:
    """How many pixels wide an image printed `width_mm` wide needs at `dpi`."""
    return round(width_mm / MM_PER_INCH * dpi)


def prepare(path: Path, max_width: int, quality: int = 85) -> Prepared:
    """The image at most `max_width` pixels wide, upright, without metadata (GPS, camera)."""
    stat = path.stat()
    return _prepare(path.resolve(), stat.st_size, stat.st_mtime_ns, max_width, quality)


@lru_cache(maxsize=64)
def _prepare(path: Path, _size: int, _mtime: int, max_width: int, quality: int) -> Prepared:
    suffix = path.suffix.lower()
    if suffix in VECTOR_SUFFIXES:
        return Prepared(path.read_bytes(), MIME[suffix], 0, 0)
    reason = problem(path)  # checked at validation already; the file may have changed since
    if reason:
        raise ImageProblem(f"{path.name}: {reason}")
    image: Image.Image = Image.open(path)
    # WeasyPrint, once imported, tells Pillow to fill truncated images with grey; a damaged
    # photo must be reported instead, whether or not WeasyPrint has been loaded yet.
    lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        # JPEG can decode straight at 1/2, 1/4 or 1/8 scale: a big photo never sits in memory
        # at full size.
        image.draft("RGB", (max_width, max_width))  # both sides: EXIF may turn it
        image.load()
        image = ImageOps.exif_transpose(image)  # phones store "rotate me" instead of rotating
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageProblem(f"{path.name} is damaged and cannot be read ({exc})") from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    if image.width > max_width:
        height = max(1, round(image.height * max_width / image.width))
        image = image.resize((max_width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info)
    buffer = io.BytesIO()
    if has_alpha or suffix in (".png", ".gif"):
        # Drawings and logos stay lossless; PNG keeps transparency.
        image = image.convert("RGBA" if has_alpha else "RGB")
        image.save(buffer, "PNG", optimize=True)
        mime = "image/png"
    else:
        image.convert("RGB").save(buffer, "JPEG", quality=quality, optimize=True,
                                  progressive=False)
        mime = "image/jpeg"
    return Prepared(buffer.getvalue(), mime, image.width, image.height)
