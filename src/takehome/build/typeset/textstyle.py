"""A laid-out box's text style as CSS declarations, for stamping a field's words in its style."""

from __future__ import annotations

import re
from typing import Any


class NotStampable(Exception):
    """The base cannot be stamped faithfully; its copies are laid out in full."""


# What shapes and places a field's words inside its box: copied onto the stamped box.
TEXT_STYLE = (
    "font_family", "font_size", "font_weight", "font_style", "font_stretch", "font_kerning",
    "font_variant_caps", "font_variant_ligatures", "font_variant_numeric",
    "font_variant_position", "font_variant_east_asian", "font_variant_alternates",
    "font_feature_settings", "font_variation_settings", "font_language_override",
    "line_height", "letter_spacing", "word_spacing", "text_indent", "text_transform",
    "text_align_all", "text_align_last", "white_space", "direction",
    "hyphens", "hyphenate_character", "overflow_wrap", "word_break", "tab_size", "color",
)


def length(value: Any) -> str:
    if isinstance(value, int | float):
        return f"{value!r}px"
    if getattr(value, "unit", "") in ("px", "%"):
        return f"{value.value!r}{value.unit}"
    raise NotStampable(f"length {value!r}")


def declaration(style: Any, name: str) -> str:
    css, value = name.replace("_", "-"), style[name]
    if value == "normal" and name.startswith(("font_variant", "font_feature", "font_variation",
                                              "font_language")):
        return ""
    if name == "font_family":
        return f"{css}: " + ", ".join(f'"{family}"' for family in value)
    if name == "hyphenate_character":  # used by hyphens: auto only
        return "" if style["hyphens"] != "auto" else f'{css}: "{value}"'
    if name == "color":
        return f"{css}: {value}"  # CSS Color 4 syntax: color(srgb r g b / a)
    if name == "line_height":
        if value == "normal":
            return f"{css}: normal"
        if getattr(value, "unit", "x") is None:
            return f"{css}: {value.value!r}"
        return f"{css}: {value!r}" if isinstance(value, int | float) else f"{css}: {length(value)}"
    if name in ("font_size", "letter_spacing", "word_spacing", "text_indent"):
        return f"{css}: {value}" if value == "normal" else f"{css}: {length(value)}"
    if name in ("font_weight", "tab_size") and isinstance(value, int | float):
        return f"{css}: {value!r}"
    if isinstance(value, str) and re.fullmatch(r"[a-z-]+", value):
        return f"{css}: {value}"
    raise NotStampable(f"{css}: {value!r}")
