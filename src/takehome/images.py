"""Checking images from content before the renderer sees them: real, bounded, not hostile."""

from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

from PIL import Image, UnidentifiedImageError

MAX_PIXELS = 50_000_000  # a 50-megapixel photo prints at over 300 dpi on a full page
MAX_SVG_BYTES = 2_000_000


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
