"""Images from content: checked before the renderer sees them (real, bounded, not hostile), then
turned upright, stripped and downscaled to what the page needs."""

from __future__ import annotations

import base64
import hashlib
import io
import urllib.request
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as defused
import PIL
from defusedxml import DefusedXmlException
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from . import files, references
from .derived import Derived

MAX_PIXELS = 50_000_000  # a 50-megapixel photo prints at over 300 dpi on a full page
MAX_SVG_BYTES = 2_000_000
MAX_IMAGE_BYTES = 20_000_000  # any picture file, before it is opened
MAX_SVG_ELEMENTS = 20_000
MAX_SVG_DEPTH = 64
MAX_SVG_DRAWN = 50_000  # elements drawn once <use> copies are expanded
MAX_NESTED_PICTURES = 2  # a picture inside an SVG inside an SVG
PRINT_DPI = 300
MM_PER_INCH = 25.4
VECTOR_SUFFIXES = {".svg"}
MIME = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp"}


def problem(path: Path, root: Path | None = None) -> str | None:
    """Why the image at `path` cannot be used, or None when it is fine. The file is read
    through the containment helper (a regular file inside `root`, default its own folder)."""
    try:
        data = files.read_bytes(path, root or path.parent, MAX_IMAGE_BYTES)
    except files.Refused as exc:
        return exc.problem.message
    return data_problem(data, path.suffix.lower() == ".svg")


def data_problem(data: bytes, svg: bool, depth: int = 0) -> str | None:
    """Why these image bytes cannot be used (an SVG when `svg`), or None when they are fine."""
    if svg:
        return _svg_problem(data, depth)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
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


def _svg_problem(data: bytes, depth: int) -> str | None:
    if len(data) > MAX_SVG_BYTES:
        return f"SVG is larger than {MAX_SVG_BYTES // 1_000_000} MB"
    try:
        root = defused.fromstring(data, forbid_dtd=True)
    except (DefusedXmlException, ValueError):
        return "SVG with a DOCTYPE or entities is refused (they can expand without bound)"
    except ET.ParseError as exc:
        return f"SVG is not valid XML ({exc})"
    if not isinstance(root.tag, str) or not root.tag.endswith("svg"):
        return "not an SVG image"
    return _svg_size_problem(root) or _svg_reference_problem(root, depth)


def _svg_size_problem(root: ET.Element) -> str | None:
    """Too many elements, nested too deep, or `<use>` copies that multiply without bound."""
    ids: dict[str, ET.Element] = {}
    stack: list[tuple[ET.Element, int]] = [(root, 1)]
    count = 0
    while stack:
        element, level = stack.pop()
        count += 1
        if count > MAX_SVG_ELEMENTS:
            return f"SVG has more than {MAX_SVG_ELEMENTS:,} elements"
        if level > MAX_SVG_DEPTH:
            return f"SVG is nested deeper than {MAX_SVG_DEPTH} levels"
        if element.get("id"):
            ids.setdefault(str(element.get("id")), element)
        stack += [(child, level + 1) for child in element]
    # What drawing the picture costs: each element once, and each <use> the whole of what it
    # copies (which may itself copy more). Counted bottom-up, each element once.
    cost: dict[int, int] = {}
    visiting: set[int] = set()
    work: list[tuple[ET.Element, bool]] = [(root, False)]
    while work:
        element, done = work.pop()
        key = id(element)
        if done:
            visiting.discard(key)
            total = 1 + sum(cost[id(child)] for child in element)
            target = _use_target(element, ids)
            if target is not None:
                total += cost[id(target)]
            cost[key] = min(total, MAX_SVG_DRAWN + 1)
            continue
        if key in cost:
            continue
        if key in visiting:
            return "SVG has a <use> that copies itself"
        visiting.add(key)
        work.append((element, True))
        target = _use_target(element, ids)
        for inner in [*element, *([target] if target is not None else [])]:
            if id(inner) in visiting:
                return "SVG has a <use> that copies itself"
            if id(inner) not in cost:
                work.append((inner, False))
    if cost[id(root)] > MAX_SVG_DRAWN:
        return (f"SVG draws more than {MAX_SVG_DRAWN:,} elements once its <use> copies are "
                "expanded")
    return None


def _use_target(element: ET.Element, ids: dict[str, ET.Element]) -> ET.Element | None:
    if element.tag != f"{references.SVG}use":
        return None
    href = element.get(references.XLINK_HREF) or element.get("href") or ""
    return ids.get(href[1:]) if href.startswith("#") else None


def _svg_reference_problem(root: ET.Element, depth: int) -> str | None:
    """An SVG must be self-contained: no other file, only pictures inside it (checked too)."""
    for ref in references.svg_references(root):
        url = ref.url.strip()
        if url.lower().startswith("data:"):
            try:
                mime, data = decode_data_url(url)
            except ValueError:
                return f"SVG has a data: address that cannot be read ({ref.where})"
            if not mime.startswith("image/"):
                return f"SVG holds a {mime} file ({ref.where}); only pictures may be inside it"
            if depth >= MAX_NESTED_PICTURES:
                return f"SVG nests pictures more than {MAX_NESTED_PICTURES} deep"
            inner = data_problem(data, mime == "image/svg+xml", depth + 1)
            if inner:
                return f"a picture inside the SVG: {inner}"
            continue
        return (f"SVG refers to another file ({_short(url)}, {ref.where}); a picture must be "
                "self-contained")
    return None


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def decode_data_url(url: str) -> tuple[str, bytes]:
    """The media type and bytes of a `data:` address (ValueError if it is not one)."""
    if not url.strip().lower().startswith("data:"):
        raise ValueError("not a data: address")
    try:
        with urllib.request.urlopen(url.strip()) as response:  # noqa: S310 - data: only
            return response.headers.get_content_type(), response.read()
    except (OSError, ValueError, TypeError) as exc:
        raise ValueError(str(exc)) from None


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


def decodes(path: Path, max_width: int, derived: Derived | None = None) -> None:
    """Raise ImageProblem unless the image can be printed `max_width` pixels wide: decoded now,
    unless an earlier build decoded the same bytes with the same Pillow (`derived`)."""
    if derived is None:
        prepare(path, max_width)
        return
    try:
        data = files.read_bytes(path, path.parent, MAX_IMAGE_BYTES)
    except files.Refused as exc:
        raise ImageProblem(f"{path.name}: {exc.problem.message}") from None
    derived.get(["decodes", PIL.__version__, max_width, hashlib.sha256(data).hexdigest()],
                lambda: bool(prepare(path, max_width)), lambda ok: ok, _decoded)


def _decoded(kept: Any) -> bool:
    if kept is not True:
        raise ValueError("not a decoded image")
    return True


def prepare(path: Path, max_width: int, quality: int = 85) -> Prepared:
    """The image at most `max_width` pixels wide, upright, without metadata (GPS, camera)."""
    stat = path.stat()
    return _prepare(path.resolve(), stat.st_size, stat.st_mtime_ns, max_width, quality)


@lru_cache(maxsize=64)
def _prepare(path: Path, _size: int, _mtime: int, max_width: int, quality: int) -> Prepared:
    suffix = path.suffix.lower()
    try:
        data = files.read_bytes(path, path.parent, MAX_IMAGE_BYTES)
    except files.Refused as exc:
        raise ImageProblem(f"{path.name}: {exc.problem.message}") from None
    reason = data_problem(data, suffix in VECTOR_SUFFIXES)  # checked at validation already;
    if reason:  # the file may have changed since
        raise ImageProblem(f"{path.name}: {reason}")
    if suffix in VECTOR_SUFFIXES:
        return Prepared(data, MIME[suffix], 0, 0)
    image: Image.Image = Image.open(io.BytesIO(data))
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
