"""Pictures from content: checked with bounded memory, downscaled to what the page needs."""

from __future__ import annotations

import base64
import io
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

# A 48-megapixel phone photo is the largest a school office will plausibly have; anything bigger
# is refused before it is decoded (a small file can expand to gigabytes: a decompression bomb).
# JPEG decodes at a reduced scale (draft), other formats in full: at most 25 MP, about 100 MB.
MAX_PIXELS = 50_000_000
MAX_PIXELS_FULL_DECODE = 25_000_000
PRINT_DPI = 300
MM_PER_INCH = 25.4
VECTOR_SUFFIXES = {".svg"}
MIME = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp"}


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


def _open(path: Path) -> Image.Image:
    """Open an image lazily, refusing decompression bombs before any pixel is decoded."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageProblem(f"{path.name} has too many pixels to open safely "
                           f"(more than {MAX_PIXELS // 1_000_000} megapixels)") from None
    except (UnidentifiedImageError, OSError) as exc:
        raise ImageProblem(f"{path.name} is not a readable image ({exc})") from None
    width, height = image.size
    limit = MAX_PIXELS if image.format == "JPEG" else MAX_PIXELS_FULL_DECODE
    if width * height > limit:
        image.close()
        raise ImageProblem(f"{path.name} is {width} x {height} pixels; the limit is "
                           f"{limit // 1_000_000} megapixels (scale it down first)")
    return image


def check(path: Path) -> None:
    """Raise ImageProblem unless `path` is an image that can be decoded safely."""
    if path.suffix.lower() in VECTOR_SUFFIXES:
        return
    prepare(path, 64)


def prepare(path: Path, max_width: int, quality: int = 85) -> Prepared:
    """The image at most `max_width` pixels wide, upright, without metadata (GPS, camera)."""
    stat = path.stat()
    return _prepare(path.resolve(), stat.st_size, stat.st_mtime_ns, max_width, quality)


@lru_cache(maxsize=64)
def _prepare(path: Path, _size: int, _mtime: int, max_width: int, quality: int) -> Prepared:
    suffix = path.suffix.lower()
    if suffix in VECTOR_SUFFIXES:
        return Prepared(path.read_bytes(), MIME[suffix], 0, 0)
    image = _open(path)
    try:
        # JPEG can decode straight at 1/2, 1/4 or 1/8 scale: a big photo never sits in memory
        # at full size.
        image.draft("RGB", (max_width, max_width))  # both sides: EXIF may turn it
        image.load()
        image = ImageOps.exif_transpose(image)  # phones store "rotate me" instead of rotating
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageProblem(f"{path.name} is damaged and cannot be read ({exc})") from None
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
