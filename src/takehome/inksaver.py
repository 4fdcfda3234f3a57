"""Ink-saver rendering: every colour turned to the grey of the same lightness, images in grey.

Stylesheets are rewritten at render time (not the PDFs afterwards), so what comes out is a real
layout of the page in grey: text keeps its contrast against white, and the ink-saver stylesheet
(templates/ink-saver.css, applied last) removes background fills.
"""

from __future__ import annotations

import html
import io
import re

import tinycss2
from PIL import Image, ImageColor
from tinycss2 import color4

STYLESHEET = "ink-saver.css"
INK = "#222222"  # light text that sat on a removed fill becomes this
LIGHT_TEXT = 0.6  # relative luminance above which text needs a fill behind it to be read

# Properties whose values may hold colours; others (content, font-family, src) are left alone.
_COLOUR_PROPERTY = re.compile(
    r"^(color|background(-color)?|border(-(top|right|bottom|left|block|inline)"
    r"(-(start|end))?)?(-color)?|outline(-color)?|text-decoration(-color)?|column-rule"
    r"(-color)?|fill|stroke|stop-color|flood-color|lighting-color|caret-color|accent-color)$"
)


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def _encode(linear: float) -> float:
    return linear * 12.92 if linear <= 0.0031308 else 1.055 * linear ** (1 / 2.4) - 0.055


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG relative luminance of an sRGB colour with channels in 0..1."""
    r, g, b = (_linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def grey_level(rgb: tuple[float, float, float]) -> int:
    """The 0..255 grey with the same luminance (so the same contrast against white)."""
    return round(max(0.0, min(1.0, _encode(luminance(rgb)))) * 255)


def grey(colour: str) -> str:
    """A CSS colour (any syntax Pillow reads) as the hex grey of the same luminance."""
    r, g, b = ImageColor.getrgb(colour)[:3]
    level = grey_level((r / 255, g / 255, b / 255))
    return f"#{level:02x}{level:02x}{level:02x}"


def _grey_token(token: object, text_colour: bool) -> str | None:
    """The grey replacing a colour token, or None when the token is not a colour."""
    if not isinstance(token, tinycss2.ast.HashToken | tinycss2.ast.IdentToken
                      | tinycss2.ast.FunctionBlock):
        return None
    try:
        colour = color4.parse_color(token)
    except (ValueError, TypeError):
        return None
    if colour is None or isinstance(colour, str):  # not a colour, or currentcolor
        return None
    r, g, b = (max(0.0, min(1.0, c)) for c in colour.to("srgb").coordinates)
    alpha = colour.alpha
    if alpha == 0:
        return None  # transparent stays transparent
    if text_colour and luminance((r, g, b)) > LIGHT_TEXT:
        return INK  # light text was meant to sit on a fill that the ink-saver removes
    level = grey_level((r, g, b))
    if alpha < 1:
        return f"rgb({level} {level} {level} / {alpha:g})"
    return f"#{level:02x}{level:02x}{level:02x}"


def _declarations(tokens: list[object]) -> list[object]:
    """Grey the colours of each declaration in a block's contents; recurse into nested blocks."""
    out: list[object] = []
    chunk: list[object] = []

    def flush() -> None:
        idents = [t for t in chunk if not isinstance(t, tinycss2.ast.WhitespaceToken
                                                     | tinycss2.ast.Comment)]
        is_declaration = (len(idents) >= 2 and isinstance(idents[0], tinycss2.ast.IdentToken)
                          and isinstance(idents[1], tinycss2.ast.LiteralToken)
                          and idents[1].value == ":"
                          and not any(isinstance(t, tinycss2.ast.CurlyBracketsBlock)
                                      for t in chunk))
        prop = idents[0].lower_value if is_declaration else ""  # type: ignore[attr-defined]
        if is_declaration and (prop.startswith("--") or _COLOUR_PROPERTY.match(prop)):
            for token in chunk:
                replaced = _grey_token(token, prop == "color")
                out.extend(tinycss2.parse_component_value_list(replaced) if replaced else [token])
        else:
            for token in chunk:
                if isinstance(token, tinycss2.ast.CurlyBracketsBlock):
                    token.content = _declarations(token.content)
                out.append(token)
        chunk.clear()

    for token in tokens:
        chunk.append(token)
        if (isinstance(token, tinycss2.ast.LiteralToken) and token.value == ";") or isinstance(
                token, tinycss2.ast.CurlyBracketsBlock):
            flush()
    flush()
    return out


def grey_css(css: str) -> str:
    """A stylesheet with every colour value replaced by its grey (custom properties too)."""
    tokens = tinycss2.parse_component_value_list(css)
    for token in tokens:
        if isinstance(token, tinycss2.ast.CurlyBracketsBlock):
            token.content = _declarations(token.content)
    return str(tinycss2.serialize(tokens))


_STYLE_ATTRIBUTE = re.compile(r'(\sstyle=")([^"]*)(")')


def grey_styles(page: str) -> str:
    """A page's `style` attributes with every colour in grey: kinds colour some things inline
    (a calendar's day marks in their category's colour)."""

    def replace(match: re.Match[str]) -> str:
        css = html.unescape(match[2])
        if not any(c in css for c in ("#", "rgb", "hsl", "color", "background", "border")):
            return match[0]
        greyed = grey_css("x{" + css + "}")[2:-1]
        return match[1] + html.escape(greyed, quote=True) + match[3]

    return _STYLE_ATTRIBUTE.sub(replace, page)


# A colour given to an SVG paint property, as an attribute (fill="red") or a style (fill:red).
_SVG_PAINT = re.compile(
    r"(?P<key>\b(?:fill|stroke|stop-color|flood-color|lighting-color|color)"
    r"(?:\s*=\s*[\"']|\s*:\s*))(?P<value>[^\"';>}]+)")


def grey_svg(text: str) -> str:
    """An SVG drawing with every colour it paints with (attributes and styles) in grey."""

    def replace(match: re.Match[str]) -> str:
        value = match.group("value")
        token = tinycss2.parse_one_component_value(value.strip())
        grey_value = _grey_token(token, text_colour=False)
        return match.group("key") + (grey_value or value)

    return _SVG_PAINT.sub(replace, text)


def grey_image(data: bytes, content_type: str) -> bytes:
    """An image file in grey: SVG colours rewritten, bitmaps converted (transparency kept)."""
    if content_type == "image/svg+xml":
        return grey_svg(data.decode("utf-8")).encode("utf-8")
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        mode = "LA" if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info \
            else "L"
        converted = image.convert("RGBA" if mode == "LA" else "RGB").convert(mode)
        photo = image.format == "JPEG"
    buffer = io.BytesIO()
    if photo:  # photographs stay JPEG: the same size, not a much larger PNG
        converted.save(buffer, format="JPEG", quality=90)
    else:
        converted.save(buffer, format="PNG")
    return buffer.getvalue()
